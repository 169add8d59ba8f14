"""The agent console in a real browser: a live nudge beside its message, feedback on it, a draft check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.pages.conftest import LiveServer, needs_chromium, screenshot, sign_in, wait_until

pytestmark = needs_chromium

CONVERSATION = "pw-agent-1"


def stored_nudges(server: LiveServer) -> dict[str, dict[str, Any]]:
    """The conversation's nudges as the API has them, by guideline."""
    t = server.get(f"/api/conversations/{CONVERSATION}", "asha")
    return {n["guideline"]: n for m in t["messages"] for n in m["nudges"]}


def test_live_nudges_feedback_and_draft_check(page: Page, live_server: LiveServer, screenshots: Path) -> None:
    server = live_server
    first = server.post_message(CONVERSATION, "Hi, my parcel has not arrived yet.", customer_id="cust-pw")
    assert first["nudges"] == []

    sign_in(page, server, "/agent", "asha")
    page.locator(f'[data-testid="conversation"][data-id="{CONVERSATION}"]').click()
    expect(page.locator(f'.msg-row[data-row-id="{first["message_id"]}"] [data-testid="message"]')).to_contain_text(
        "parcel"
    )

    # the customer flirts and asks for the agent's WhatsApp while the conversation is open
    posted = server.post_message(CONVERSATION, "you are so cute, send me your whatsapp")
    assert set(posted["labels"]) == {"flirtation", "contact_request"}
    assert {n["guideline"] for n in posted["nudges"]} == {"stay_neutral", "keep_your_hours"}

    row = page.locator(f'.msg-row[data-row-id="{posted["message_id"]}"]')
    expect(row.get_by_test_id("message")).to_contain_text("whatsapp")
    for guideline in ("stay_neutral", "keep_your_hours"):
        card = row.locator(f'[data-testid="nudge"][data-guideline="{guideline}"]')
        expect(card).to_be_visible()
        expect(card).to_have_attribute("data-message-id", str(posted["message_id"]))
    expect(row.get_by_test_id("nudge")).to_have_count(2)
    expect(page.get_by_test_id("nudge")).to_have_count(2)  # nothing beside the first, harmless message
    screenshot(page, screenshots, "agent-nudges")

    neutral = row.locator('[data-testid="nudge"][data-guideline="stay_neutral"]')
    neutral.get_by_test_id("nudge-helpful").click()
    expect(neutral.get_by_test_id("nudge-helpful")).to_have_attribute("aria-pressed", "true")
    stored = wait_until(
        lambda: (n := stored_nudges(server))["stay_neutral"]["feedback"] == "helpful" and n,
        "the helpful feedback to be stored",
    )
    assert stored["keep_your_hours"]["feedback"] is None

    page.get_by_test_id("draft").fill("Sure, call me on my personal number 98765 43210 after 6")
    page.get_by_test_id("check-draft").click()
    warning = page.locator('[data-testid="draft-nudge"][data-guideline="keep_your_hours"]')
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("98765 43210")
    expect(page.get_by_test_id("draft-error")).to_be_empty()
    screenshot(page, screenshots, "agent-draft-check")
