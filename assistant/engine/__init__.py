"""The conversation engine: labels -> guidelines, conversation signals, draft checks, cooldown (pure Python)."""

from assistant.engine.drafts import AllowList, ContactMatch, find_personal_contacts
from assistant.engine.engine import ConversationEngine, EngineConfig, EngineSettings, apply_thresholds
from assistant.engine.signals import ADVANCE_LABELS, is_decline, persistent_advances, rising_anger
from assistant.engine.state import ConversationState, Nudge, SignalHit, Turn, TurnResult

__all__ = [
    "ADVANCE_LABELS",
    "AllowList",
    "ContactMatch",
    "ConversationEngine",
    "ConversationState",
    "EngineConfig",
    "EngineSettings",
    "Nudge",
    "SignalHit",
    "Turn",
    "TurnResult",
    "apply_thresholds",
    "find_personal_contacts",
    "is_decline",
    "persistent_advances",
    "rising_anger",
]
