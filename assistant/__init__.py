"""Live chat moderation assistant: a multilingual classifier that nudges support agents."""

__version__ = "0.1.0"
