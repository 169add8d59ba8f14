"""The label contract of ``shared/TAXONOMY.md``: names and order are exact."""

from typing import Final

LABELS: Final[tuple[str, ...]] = (
    "flirtation",
    "date_request",
    "contact_request",
    "gift_offer",
    "insult",
    "anger",
)
LANGS: Final[tuple[str, ...]] = ("en", "hi", "hi-Latn")
