"""Numbers failing verification on several residents' records (issue 11 item 5).

Failed attempts are found through the call they were made on: by the index on the calls'
caller number, then the attempts' index on call and time, for one number; and by the index on
the attempts' time for the supervisors' list of every such number in the window.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import ColumnElement, ScalarSelect, func, literal, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Call, VerificationAttempt
from app.models.types import utcnow
from app.rules.cross_record import (
    CrossRecordPolicy,
    cross_record_warning,
    records_to_flag,
    window_start,
)
from app.rules.vocabulary import VerificationResult

NUMBERS_LISTED = 50
# The calls the failed attempts were made on, when the outer query is of calls too. Made once:
# an alias costs more to build than the query that uses it.
_FAILED_CALL = aliased(Call, name="failed_call")


def cross_record_policy() -> CrossRecordPolicy:
    return CrossRecordPolicy(**current_app.config["CROSS_RECORD_POLICY"])


def residents_failed_from(number: ColumnElement[str | None], since: datetime) -> ScalarSelect[int]:
    """How many different residents' records calls from `number` failed verification on since
    `since`, as a column of another query (a query of calls too: hence the alias)."""
    return (
        select(func.count(func.distinct(VerificationAttempt.resident_id)))
        .select_from(VerificationAttempt)
        .join(_FAILED_CALL, _FAILED_CALL.id == VerificationAttempt.call_id)
        .where(
            _FAILED_CALL.caller_number == number,
            VerificationAttempt.result == VerificationResult.FAILED,
            VerificationAttempt.created_at >= since,
        )
        .scalar_subquery()
    )


def residents_failed(number: str | None, now: datetime | None = None) -> int:
    """How many different residents' records this number failed verification on within the
    window."""
    if not number:
        return 0
    since = window_start(now or utcnow(), cross_record_policy())
    return db.session.scalar(select(residents_failed_from(literal(number), since))) or 0


def cross_record_warning_for(number: str | None) -> str | None:
    """The warning a handler sees when this number calls: never a block."""
    return cross_record_warning(residents_failed(number), cross_record_policy())


@dataclass(frozen=True)
class NumberToWatch:
    number: str
    residents: int  # different residents' records failed on within the window
    last_failed_at: datetime


def numbers_working_through_records(now: datetime | None = None) -> list[NumberToWatch]:
    """Numbers that failed verification on several residents' records within the window, the
    most records first: one grouped query over the window's failed attempts."""
    policy = cross_record_policy()
    residents = func.count(func.distinct(VerificationAttempt.resident_id))
    stmt = (
        select(
            Call.caller_number,
            residents.label("residents"),
            func.max(VerificationAttempt.created_at).label("last_failed_at"),
        )
        .select_from(VerificationAttempt)
        .join(Call, Call.id == VerificationAttempt.call_id)
        .where(
            VerificationAttempt.created_at >= window_start(now or utcnow(), policy),
            VerificationAttempt.result == VerificationResult.FAILED,
            Call.caller_number.is_not(None),
        )
        .group_by(Call.caller_number)
        .having(residents >= records_to_flag(policy))
        .order_by(residents.desc(), Call.caller_number)
        .limit(NUMBERS_LISTED)
    )
    return [
        NumberToWatch(row.caller_number, row.residents, row.last_failed_at)
        for row in db.session.execute(stmt)
    ]
