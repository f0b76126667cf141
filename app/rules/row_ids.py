"""Ids as they come from outside: in an address, a form or a list's filters."""

# The largest id a row can have: the database's INTEGER. A larger number is a row that cannot
# exist, to be answered as one, not passed to the database (which refuses it: a 500).
LARGEST_ID = 2**31 - 1


def row_id(typed: str | None) -> int | None:
    """An id posted in a form field, when it could be a row's; None otherwise."""
    text = (typed or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(LARGEST_ID)):
        return None
    number = int(text)
    return number if 0 < number <= LARGEST_ID else None
