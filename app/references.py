"""Residents' public reference numbers.

Ten random Crockford base-32 symbols (50 bits: not guessable, no I, L, O or
U to misread on the phone) and a Luhn mod 32 check symbol, so a mistyped reference is
caught before any lookup. Shown as `ABCD-EFGH-JKM`.
"""

import secrets
from random import Random

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 10
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def check_symbol(body: str) -> str:
    """Luhn mod 32: catches every single wrong symbol and most swapped neighbours."""
    base = len(ALPHABET)
    total = 0
    for position, symbol in enumerate(reversed(body)):
        value = ALPHABET.index(symbol) * (2 if position % 2 == 0 else 1)
        total += value // base + value % base
    return ALPHABET[(base - total % base) % base]


def new_reference(rng: Random | None = None) -> str:
    """A new random reference: 50 random bits, five to a symbol, and the check symbol."""
    bits = rng.getrandbits(5 * BODY_LENGTH) if rng else secrets.randbits(5 * BODY_LENGTH)
    body = "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in range(BODY_LENGTH))
    return body + check_symbol(body)


def normalise_reference(typed: str) -> str | None:
    """The stored form of a typed reference, or None when it cannot be one.

    Case, spaces and hyphens are ignored and I, L, O read as 1, 1, 0, as
    Crockford's encoding intends.
    """
    cleaned = "".join(ch for ch in typed.upper() if ch not in " -").translate(_READ_AS)
    if len(cleaned) != BODY_LENGTH + 1:
        return None
    body, check = cleaned[:-1], cleaned[-1]
    if any(symbol not in ALPHABET for symbol in body):
        return None
    if check_symbol(body) != check:
        return None
    return cleaned


def format_reference(reference: str) -> str:
    return f"{reference[:4]}-{reference[4:8]}-{reference[8:]}"
