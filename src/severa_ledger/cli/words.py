"""Counting words for the terminal: "1 order", "2 orders", "9,532 invoices"."""

from __future__ import annotations


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """Return ``count`` (with thousands separators) and ``noun``, plural unless it is 1."""
    word = noun if count == 1 else (nouns or f"{noun}s")
    return f"{count:,} {word}"
