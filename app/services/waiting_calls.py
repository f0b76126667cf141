"""The screen pop: calls waiting in the provider's queue, and a handler taking one.

Every handler's page asks for the list every few seconds, from any app process: the list is
read from the database each time, in two indexed queries (the waiting calls, then whoever has
their numbers on file). Taking a call is one conditional UPDATE, so when two handlers take the
same call at once exactly one gets it.

The list's poll is answered "no change" from one statement that draws nothing: every value the
list is drawn from (the waiting calls, their hoax strikes and cross-record failures, and who has
their numbers on file) is read as text in the database and gathered into two strings, whose
digest is the list's version. The list shows the same to everyone who takes calls (nothing in
it depends on who asks), so the version is the same for all of them. How long each call has
waited changes with the clock alone: the version carries the moment the first of those
changes, and a poll from then on draws the list again.

Every other page of a member of staff who takes calls shows how many calls wait, in its
header, and asks again every few seconds (`waiting_now`): one statement over the waiting calls
alone, whose answer carries a version that changes whenever a call comes or goes. The version
is worked out from the calls' own rows, so it is the same in every app process and needs no
write on any of the paths by which a call arrives, is taken, ends or passes its maximum length.
"""

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    select,
    update,
)
from sqlalchemy.sql import visitors

from app import clock
from app.extensions import db
from app.models import Call, StaffUser
from app.models.types import utcnow
from app.refusals import NotFound, Refused
from app.rules.audit_actions import AuditAction
from app.rules.cross_record import cross_record_warning, window_start
from app.rules.disputes import hoax_warning
from app.services import audit, call_state, cross_record, disputes, search
from app.services.search import WITH_NUMBERS, CallerHint
from app.services.transactions import transactional

WAITING_LIMIT = 50
HINTS_PER_CALL = 3
TAKEN_BY_ANOTHER = "Another handler has taken this call"
ENDED_BEFORE_TAKEN = "This call has ended: the caller hung up before it was answered"


@dataclass(frozen=True)
class WaitingCall:
    id: int
    caller_number: str | None  # E.164; None when withheld
    started_at: datetime
    waited: str  # "Under a minute", "3 minutes"
    hints: list[CallerHint] = field(default_factory=list)
    more_hints: bool = False
    hoax_warning: str | None = None  # earlier reports from the number upheld as hoaxes
    # the number failed verification on several residents' records: a warning, never a block
    cross_record_warning: str | None = None


@dataclass(frozen=True)
class WaitingList:
    calls: list[WaitingCall]
    # Change when what is shown changes, and when calls come or go: the page asks again with
    # these and is told "no change" (nothing to redraw, nothing to announce) otherwise.
    version: str
    calls_version: str

    @property
    def words(self) -> str:
        return count_words(len(self.calls))


@dataclass(frozen=True)
class WaitingCount:
    """How many calls wait, and a version of which calls they are."""

    count: int
    version: str

    @property
    def words(self) -> str:
        return count_words(self.count)


def count_words(count: int) -> str:
    """ "No calls waiting", "1 call waiting", "3 calls waiting"."""
    if count == 0:
        return "No calls waiting"
    return f"{count} call{'s' if count != 1 else ''} waiting"


def describe_wait(seconds: float) -> str:
    """ "Under a minute", "3 minutes": how long a call has waited."""
    return clock.how_long(timedelta(seconds=seconds)).capitalize()


def _digest(parts: list) -> str:
    """A short tag for what the list shows. Keyed with the app's secret: the tag travels in
    the poll's address, and the list it stands for has names in it."""
    key = hashlib.sha256(str(current_app.config["SECRET_KEY"]).encode()).digest()
    return hashlib.blake2s(repr(parts).encode(), key=key, digest_size=8).hexdigest()


# A call from the provider that nobody has taken, and not yet past a call's maximum length:
# started after `oldest`.
_WAITING = (
    Call.handler_id.is_(None),
    Call.ended_at.is_(None),
    Call.provider_call_sid.is_not(None),
    Call.started_at > bindparam("oldest"),
)


def _as_text(columns) -> ColumnElement[str]:
    """A row's values as one string, read in the database: each value after its length (a
    missing one as nothing), so that no two different rows read the same whatever their
    values hold."""
    nothing, colon = literal_column("''", String), literal_column("':'", String)
    text = nothing
    for column in columns:
        value = func.coalesce(cast(column, String), nothing)
        text = text + cast(func.length(value), String) + colon + value
    return text


def _statements() -> tuple[Select, Select]:
    """The list's statement, and the statement of its version alone. Both built once: only
    `oldest`, `since` (the start of the cross-record window), `today` and `limit` vary.

    The version is read as two strings: every waiting call's own values, and every row that
    hints who has their numbers (search's own statement, asked for the waiting calls' numbers
    rather than numbers given). The list's statement carries the same two strings on each
    row, so the version it is drawn with is the one a poll reads."""
    waiting = (
        select(
            Call.id,
            Call.caller_number,
            Call.started_at,
            disputes.strikes_of(Call.caller_number).label("hoax_strikes"),
            cross_record.residents_failed_from(Call.caller_number, bindparam("since")).label(
                "residents_failed"
            ),
        )
        .where(*_WAITING)
        .order_by(Call.started_at, Call.id)
        .limit(WAITING_LIMIT)
    )
    shown = waiting.cte("shown")
    numbers = select(shown.c.caller_number).where(shown.c.caller_number.is_not(None))

    def numbers_shown(element):
        if isinstance(element, BindParameter) and element.key == "numbers":
            return numbers.scalar_subquery()
        return None

    hints = visitors.replacement_traverse(WITH_NUMBERS, {}, numbers_shown).subquery()
    # What a hint shows: not the names' folded forms, which only rank a search.
    hinted = [column for column in hints.c if not column.key.endswith("_norm")]
    texts = (
        select(func.aggregate_strings(_as_text(shown.c), ",")).scalar_subquery().label("calls"),
        select(func.aggregate_strings(_as_text(hinted), ",")).scalar_subquery().label("hints"),
    )
    return waiting.add_columns(*texts), select(*texts)


_LIST, _VERSION = _statements()


def _params(now: datetime) -> dict:
    policy = cross_record.cross_record_policy()
    return {
        "oldest": now - call_state.max_length(),
        "since": window_start(now, policy),
        "today": clock.day_of(now),
        # search.number_hints reads up to 20 rows a number: the version reads as many.
        "limit": WAITING_LIMIT * 20,
    }


def _version(texts: tuple, until: str) -> str:
    """The version of the list drawn from `texts`, good until `until` (a Unix time, or ""
    while nothing waits): the moment the first call's wait is next said differently."""
    return f"{_digest([*texts, until])}-{until}"


def still_shown(version: str | None) -> bool:
    """Whether a page showing the list of this version shows it still: one statement, and
    nothing drawn. A version past its time, or not one this app gave, is not."""
    if not version:
        return False
    until = version.rpartition("-")[2]
    now = utcnow()
    if until and (not until.isdigit() or int(until) <= now.timestamp()):
        return False
    texts = tuple(db.session.connection().execute(_VERSION, _params(now)).one())
    return version == _version(texts, until)


def waiting_count() -> int:
    """How many calls the waiting list shows (up to its limit), counted without drawing it."""
    return waiting_now().count


def _count_statement() -> Select:
    waiting = select(Call.id).where(*_WAITING).order_by(Call.id).limit(WAITING_LIMIT).subquery()
    return select(func.count(), func.max(waiting.c.id), func.sum(waiting.c.id))


_COUNT = _count_statement()


def waiting_now() -> WaitingCount:
    """How many calls wait (up to the list's limit), in one statement that reads the waiting
    calls alone (by the index on handler and end), with a version of which they are. Calls
    only ever come with a new id and go, so their number, newest id and sum of ids change
    whenever one comes or goes, whichever process saw it happen."""
    oldest = utcnow() - call_state.max_length()
    count, newest, total = db.session.connection().execute(_COUNT, {"oldest": oldest}).one()
    return WaitingCount(count, _digest([count, newest, total]))


def _next_change(now: datetime, started: list[datetime]) -> str:
    """When the first of these calls' waits is next said differently ("2 minutes" becoming
    "3 minutes"), as a whole Unix time rounded up; "" for no calls."""
    if not started:
        return ""
    changes = [
        s + timedelta(minutes=max((now - s) // timedelta(minutes=1), 0) + 1) for s in started
    ]
    return str(math.ceil(min(changes).timestamp()))


def waiting_calls() -> WaitingList:
    """Calls from the provider that nobody has taken yet, longest waiting first, with what
    their caller ID hints. A call left waiting past the maximum length of a call is not shown
    (`flask calls close-overdue` closes it)."""
    now = utcnow()
    policy = cross_record.cross_record_policy()
    rows = db.session.execute(_LIST, _params(now)).all()
    hints = search.number_hints(row.caller_number for row in rows if row.caller_number)
    calls = []
    for row in rows:
        found = hints.get(row.caller_number, []) if row.caller_number else []
        calls.append(
            WaitingCall(
                id=row.id,
                caller_number=row.caller_number,
                started_at=row.started_at,
                waited=describe_wait((now - row.started_at).total_seconds()),
                hints=found[:HINTS_PER_CALL],
                more_hints=len(found) > HINTS_PER_CALL,
                hoax_warning=hoax_warning(row.hoax_strikes or 0),
                cross_record_warning=cross_record_warning(row.residents_failed or 0, policy),
            )
        )
    texts = (rows[0].calls, rows[0].hints) if rows else (None, None)
    return WaitingList(
        calls=calls,
        version=_version(texts, _next_change(now, [row.started_at for row in rows])),
        calls_version=_digest([c.id for c in calls]),
    )


@transactional
def take_call(call_id: int, handler: StaffUser) -> Call:
    """Give a waiting call to this handler. Two handlers taking it at once: the database
    lets one UPDATE match, and the other is refused, told plainly why."""
    return claim_call(call_id, handler)[0]


def claim_call(call_id: int, handler: StaffUser) -> tuple[Call, bool]:
    """`take_call` inside a unit of work of the caller's, saying also whether this request is
    the one that took it (False: the handler had taken it already, a second click), so the
    line is moved once."""
    now = utcnow()
    taken = db.session.execute(
        update(Call)
        .where(
            and_(
                Call.id == call_id,
                Call.provider_call_sid.is_not(None),
                Call.handler_id.is_(None),
                Call.ended_at.is_(None),
            )
        )
        .values(handler_id=handler.id, taken_at=now, last_activity_at=now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount == 1:
        audit.record(AuditAction.CALL_TAKEN, staff_id=handler.id, call_id=call_id)
    call = db.session.get(Call, call_id)
    if call is not None:
        db.session.refresh(call)
    if taken.rowcount == 1:
        return call, True
    if call is None or call.provider_call_sid is None:
        raise NotFound
    if call.handler_id == handler.id:
        return call, False  # taken already, by this handler (a second click)
    if call.handler_id is None:
        raise Refused(ENDED_BEFORE_TAKEN)
    raise Refused(TAKEN_BY_ANOTHER)
