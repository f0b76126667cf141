"""Rows the demo scenarios and the tests both build, written straight to the database.

Each builder adds and flushes; the caller commits, so that a scenario or a test factory can
build several rows as one unit. Values a builder does not know are keyword arguments passed to
the model as they are.
"""

from datetime import datetime, timedelta

from app import clock
from app.extensions import db
from app.models import Call, Entry, Resident, ResidentPhone, VerificationAttempt
from app.passwords import hash_secret
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import VerificationResult
from app.search.names import normalise_name
from app.services import call_state
from app.services.name_index import index_names


def put_on_file_at(number: str, now: datetime) -> datetime:
    """When a seeded number was put on file: one to eleven years before `now`, so that no seeded
    number is held from text codes. Read from the number itself, so seeding draws nothing more
    from its random generator and the rest of the demo data stays as it was."""
    return now - timedelta(days=365 + int(number[-4:]) % 3650)


def add_resident(*, phones: list[str], secret_word: str | None = None, **values) -> Resident:
    """A resident with the normalised names and postcode search uses, in the name index. Their
    numbers were put on file years ago."""
    values.setdefault("forename_norm", normalise_name(values["forename"]))
    values.setdefault("surname_norm", normalise_name(values["surname"]))
    values.setdefault("postcode_norm", values["postcode"].replace(" ", "").upper())
    resident = Resident(**values)
    if secret_word:
        resident.secret_word_hash = hash_secret(secret_word)
    now = clock.now()
    resident.phones = [
        ResidentPhone(number=number, added_at=put_on_file_at(number, now)) for number in phones
    ]
    db.session.add(resident)
    index_names([(resident.forename_norm, resident.surname_norm)])
    db.session.flush()
    return resident


def add_call(
    handler,
    resident: Resident | None = None,
    *,
    at: datetime | None = None,
    verified_as: VerifiedAs = VerifiedAs.NOBODY,
    **details,
) -> Call:
    """A call `handler` took at `at` (now by default) about `resident`, verified on it as
    `verified_as` at that moment (nobody by default)."""
    at = at or clock.now()
    call = Call(
        handler_id=handler.id,
        resident_id=resident.id if resident else None,
        started_at=at,
        last_activity_at=at,
        **details,
    )
    db.session.add(call)
    db.session.flush()
    if verified_as is not VerifiedAs.NOBODY:
        call_state.record_verification(call, verified_as, at)
    return call


def add_failed_check(
    call: Call,
    resident: Resident,
    at: datetime,
    factors: str = "date-of-birth,postcode",
    result: VerificationResult = VerificationResult.FAILED,
) -> VerificationAttempt:
    """A verification attempt on `call` about `resident` that did not verify the caller."""
    attempt = VerificationAttempt(
        call_id=call.id, resident_id=resident.id, handler_id=call.handler_id, created_at=at
    )
    attempt.factors_failed, attempt.result = factors, result
    db.session.add(attempt)
    db.session.flush()
    return attempt


def add_entry(resident: Resident, **values) -> Entry:
    """An entry on the resident's record, as `values` describe it."""
    entry = Entry(resident_id=resident.id, **values)
    db.session.add(entry)
    db.session.flush()
    return entry
