"""The supervisor audit page in a real browser: filter, open, confirm a flag, export the CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.pages.conftest import LiveServer, needs_chromium, screenshot, sign_in

pytestmark = needs_chromium

INSULTED = "pw-audit-insult"
FLIRTED = "pw-audit-flirt"


def test_filter_review_and_export(page: Page, live_server: LiveServer, screenshots: Path) -> None:
    server = live_server
    server.post_message(INSULTED, "Where is my refund?", agent="ravi", customer_id="cust-a")
    server.post_message(INSULTED, "Let me check that for you.", agent="ravi", role="agent")
    insult = server.post_message(INSULTED, "you idiot, just fix it", agent="ravi")
    assert insult["labels"] == ["insult"]
    assert server.post_message(FLIRTED, "you are cute", agent="ravi")["labels"] == ["flirtation"]

    sign_in(page, server, "/audit", "sup")
    row = page.locator(f'[data-testid="conversation-row"][data-id="{INSULTED}"]')
    other = page.locator(f'[data-testid="conversation-row"][data-id="{FLIRTED}"]')
    expect(other).to_be_visible()  # the unfiltered list has both

    page.get_by_test_id("filter-label").select_option("insult")
    expect(other).to_have_count(0)
    expect(row).to_be_visible()
    assert "label=insult" in page.url

    row.click()
    message = page.locator(f'[data-testid="audit-message"][data-message-id="{insult["message_id"]}"]')
    expect(message).to_have_attribute("data-flagged", "true")
    expect(message.get_by_test_id("label")).to_contain_text("Insult")
    expect(page.locator('[data-testid="audit-message"][data-flagged="true"]')).to_have_count(1)
    message.get_by_test_id("review-confirm").click()
    expect(message.get_by_test_id("verdict")).to_have_text("Confirmed")
    expect(message.get_by_test_id("review")).to_contain_text("by sup")
    expect(row.get_by_test_id("reviewed-badge")).to_have_attribute("data-reviewed", "true")
    reviews = server.get(f"/api/audit/conversations/{INSULTED}", "sup")["reviews"]
    assert [(r["action"], r["message_id"], r["supervisor"]) for r in reviews] == [
        ("confirm", insult["message_id"], "sup")
    ]
    screenshot(page, screenshots, "audit-review")

    with page.expect_download() as info:
        page.get_by_test_id("export-csv").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert {r["conversation_id"] for r in rows} == {INSULTED}  # the export follows the label filter
    [flagged] = [r for r in rows if r["text"] == "you idiot, just fix it"]
    assert flagged["review"] == "confirm"
    assert "insult" in flagged["labels"]
    expect(page.get_by_test_id("toast").filter(has_text="Export downloaded")).to_be_visible()
