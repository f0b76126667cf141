"""Text as typed into a form: what is left once the spaces and invisible characters around it
are taken away. A reason of zero-width spaces, a byte order mark or direction marks alone
shows nothing on the page, so it is no reason at all."""

import unicodedata


def _shows_nothing(ch: str) -> bool:
    # Whitespace, and format characters (Unicode's Cf: zero-width spaces and joiners, the
    # byte order mark, the soft hyphen, direction marks).
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def trimmed(text: str) -> str:
    """`text` without the spaces and invisible characters at either end."""
    start, end = 0, len(text)
    while start < end and _shows_nothing(text[start]):
        start += 1
    while end > start and _shows_nothing(text[end - 1]):
        end -= 1
    return text[start:end]
