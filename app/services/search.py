"""Finding a resident's record on a live call.

One box takes a phone number, a reference, a postcode, a name, or a name and
postcode. Results carry only what a handler needs to choose between records
(name, street, outward postcode): never date of birth, phone or entries.

A phone number finds the residents with it on file, and the residents whose representatives
(with a permission in force today) gave it: the same people a caller's number hints at on the
screen pop and on the call it becomes (`number_hints`). A hint is never proof of who is calling.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from sqlalchemy import Row, Select, bindparam, exists, literal, or_, select, union_all

from app import clock
from app.extensions import db
from app.models import Permission, Resident, ResidentPhone
from app.models.resident import full_name_of
from app.phone_numbers import looks_like_phone_number, try_e164
from app.references import normalise_reference
from app.rules.audit_actions import AuditAction
from app.search.names import Scorer, normalise_name, parse_query
from app.services import audit
from app.services.name_index import search_names
from app.services.transactions import transactional

RESULT_LIMIT = 10
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})$")
POSTCODE_AT_END = re.compile(r"^(.*?)[\s,]+([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})$")
OUTWARD_CODE_AT_END = re.compile(r"^(.*?)[\s,]+([A-Z]{1,2}[0-9][0-9A-Z]?)$")
# A name read with only the postcode's first half: how many by that name to look through.
NAMES_IN_AN_AREA = 200
HOUSE_NUMBER = re.compile(r"^(flat|apartment|unit)?\s*[0-9a-z]*[0-9][0-9a-z]*,?\s+", re.I)


REPRESENTATIVES_NUMBER = "representative's number"


@dataclass(frozen=True)
class ResidentMatch:
    resident_id: int
    name: str
    street: str
    outward_postcode: str
    found_by: str = ""  # the reading of the box that found this record
    # Found by the number of someone who may speak for the resident: their name.
    representative: str | None = None
    # The number the call came from is on this record: a hint, never proof.
    caller_id_matches: bool = False


@dataclass(frozen=True)
class CallerHint:
    """Someone with a caller's number on file: a hint, not proof of identity. No more than a
    search by that number shows: a name, the street and the outward postcode of the record."""

    resident_id: int
    name: str  # the resident's, or for a representative, the representative's
    street: str
    outward_postcode: str
    represents: str | None = None  # for a representative, the resident they may speak for

    @property
    def resident_name(self) -> str:
        """The name on the record the hint points to."""
        return self.represents or self.name


@dataclass(frozen=True)
class SearchResults:
    query: str
    searched_by: str  # the readings tried, in the handler's words: "reference or name"
    matches: list[ResidentMatch] = field(default_factory=list)
    more: bool = False  # there were more matches than shown
    problem: str | None = None  # why nothing could be searched, in the handler's words

    @property
    def found_by(self) -> str:
        """How the records shown were found: "name", or "reference and name" when the box
        was read more than one way and each reading found someone."""
        readings = list(dict.fromkeys([match.found_by for match in self.matches]))
        return " and ".join(readings)

    @property
    def mixed(self) -> bool:
        """More than one reading found records: each result says which found it."""
        return len({match.found_by for match in self.matches}) > 1


def street_of(address_line: str) -> str:
    """ "Flat 2, 14 Mill Lane" -> "Mill Lane": enough to tell records apart, no house number."""
    street = address_line
    for _ in range(2):
        street = HOUSE_NUMBER.sub("", street.strip())
    return street or address_line


def _normalise_postcode(text: str) -> str | None:
    match = POSTCODE.match(text.strip().upper())
    return f"{match.group(1)}{match.group(2)}" if match else None


# What a result shows, and what ranks it: plain rows read from the table, not records.
_SHOWN = (
    Resident.id,
    Resident.forename,
    Resident.middle_names,
    Resident.surname,
    Resident.forename_norm,
    Resident.surname_norm,
    Resident.address_line_1,
    Resident.postcode,
)
_ALPHABETICAL = (Resident.surname, Resident.forename, Resident.id)
# Whether the number the call came from (`caller_number`, None off a call) is on the record:
# read with the results, not by a statement of its own.
_ON_FILE = ResidentPhone.__table__.alias("on_file")
_CALLER_ON_FILE = (
    exists()
    .where(_ON_FILE.c.resident_id == Resident.id, _ON_FILE.c.number == bindparam("caller_number"))
    .label("caller_on_file")
)
_FOUND = (*_SHOWN, _CALLER_ON_FILE)
# Built once: statements whose only variable parts are bound values, so a search on a live
# call costs the query alone, not building and caching SQL.


def _with_numbers(shown=_SHOWN) -> Select:
    """Residents with one of the numbers `numbers` on file, and residents whose
    representatives gave one of them on a permission in force on `today` (not revoked, its
    matter not closed, started and not expired): one statement, each half by an index on the
    number. A revoked or expired permission's number finds nobody. `shown`: the residents'
    columns read."""
    numbers = bindparam("numbers", expanding=True)
    today = bindparam("today")
    residents = (
        select(
            ResidentPhone.number.label("number"),
            literal(False).label("is_representative"),
            literal("").label("holder_name"),
            *shown,
        )
        .join(Resident, Resident.id == ResidentPhone.resident_id)
        .where(ResidentPhone.number.in_(numbers))
    )
    representatives = (
        select(
            Permission.holder_phone.label("number"),
            literal(True).label("is_representative"),
            Permission.holder_name.label("holder_name"),
            *shown,
        )
        .join(Resident, Resident.id == Permission.resident_id)
        .where(
            Permission.holder_phone.in_(numbers),
            Permission.revoked_at.is_(None),
            Permission.matter_closed_at.is_(None),
            Permission.starts_on <= today,
            or_(Permission.expires_on.is_(None), Permission.expires_on > today),
        )
    )
    both = union_all(residents, representatives).subquery()
    return (
        select(both)
        .order_by(both.c.number, both.c.is_representative, both.c.surname, both.c.id)
        .limit(bindparam("limit"))
    )


# Who has one of the numbers `numbers` on file, or gave it on a permission in force `today`:
# the caller-ID hints read it too, and the waiting list's version reads what it shows.
WITH_NUMBERS = _with_numbers()
_FOUND_WITH_NUMBERS = _with_numbers(_FOUND)
_BY_REFERENCE = select(*_FOUND).where(Resident.reference == bindparam("reference"))
_AT_POSTCODE = (
    select(*_FOUND)
    .where(Resident.postcode_norm == bindparam("postcode"))
    .order_by(*_ALPHABETICAL)
    .limit(bindparam("limit"))
)
_BY_IDS = select(*_FOUND).where(Resident.id.in_(bindparam("ids", expanding=True)))


def _rows(stmt, **params) -> list[Row]:
    return db.session.connection().execute(stmt, params).all()


def _matches(rows: Iterable[Row], found_by: str) -> list[ResidentMatch]:
    return [
        ResidentMatch(
            resident_id=r.id,
            name=full_name_of(r),
            street=street_of(r.address_line_1),
            outward_postcode=_outward(r.postcode),
            found_by=found_by,
            caller_id_matches=bool(r.caller_on_file),
        )
        for r in rows
    ]


def _numbered(numbers: list[str], limit: int) -> list[Row]:
    return _rows(WITH_NUMBERS, numbers=numbers, today=clock.today(), limit=limit)


def _found_numbered(e164: str, limit: int, caller: str | None) -> list[Row]:
    return _rows(
        _FOUND_WITH_NUMBERS, numbers=[e164], today=clock.today(), limit=limit, caller_number=caller
    )


def number_hints(numbers: Iterable[str]) -> dict[str, list[CallerHint]]:
    """Who has each of these numbers on file, as a hint of who may be calling from it: the
    residents with it on file first, then the residents whose representatives gave it (in
    force today), alphabetically; in one statement, whatever the number of numbers."""
    wanted = sorted(set(numbers))
    found: dict[str, list[CallerHint]] = {}
    if not wanted:
        return found
    for row in _numbered(wanted, len(wanted) * 20):
        resident_name = full_name_of(row)
        found.setdefault(row.number, []).append(
            CallerHint(
                resident_id=row.id,
                name=row.holder_name if row.is_representative else resident_name,
                street=street_of(row.address_line_1),
                outward_postcode=_outward(row.postcode),
                represents=resident_name if row.is_representative else None,
            )
        )
    return found


def _outward(postcode: str) -> str:
    return postcode.split(" ")[0]


def _limited(query: str, searched_by: str, rows: list[Row]) -> SearchResults:
    return SearchResults(
        query=query,
        searched_by=searched_by,
        matches=_matches(rows[:RESULT_LIMIT], searched_by),
        more=len(rows) > RESULT_LIMIT,
    )


def _by_phone(query: str, e164: str, caller: str | None) -> SearchResults:
    """The residents with the number on file, then those whose representatives gave it, each
    record once (a resident's own number first)."""
    matches: dict[int, ResidentMatch] = {}
    for row in _found_numbered(e164, RESULT_LIMIT * 2 + 1, caller):
        found = _matches([row], REPRESENTATIVES_NUMBER if row.is_representative else "phone number")
        if row.is_representative:
            found = [replace(found[0], representative=row.holder_name)]
        matches.setdefault(row.id, found[0])
    shown = list(matches.values())
    return SearchResults(
        query=query,
        searched_by="phone number",
        matches=shown[:RESULT_LIMIT],
        more=len(shown) > RESULT_LIMIT,
    )


def _by_reference(query: str, reference: str, caller: str | None) -> SearchResults:
    rows = _rows(_BY_REFERENCE, reference=reference, caller_number=caller)
    return _limited(query, "reference", rows)


def _by_postcode(query: str, postcode_norm: str, caller: str | None) -> SearchResults:
    rows = _rows(_AT_POSTCODE, postcode=postcode_norm, limit=RESULT_LIMIT + 1, caller_number=caller)
    return _limited(query, "postcode", rows)


def _by_name_and_postcode(
    query: str, name: str, postcode_norm: str, caller: str | None
) -> SearchResults:
    """Everyone at the postcode, closest name first: a postcode narrows so far that
    even a badly misheard name ranks the right person near the top."""
    scorer = Scorer(parse_query(name))
    rows = _rows(_AT_POSTCODE, postcode=postcode_norm, limit=500, caller_number=caller)
    scored = sorted(
        rows,
        key=lambda r: (
            -scorer.score(r.forename_norm, r.surname_norm, normalise_name(r.middle_names)),
            r.id,
        ),
    )
    return _limited(query, "name and postcode", scored)


def _named(name: str, limit: int, caller: str | None) -> list[Row]:
    ids = [resident_id for resident_id, _ in search_names(name, limit=limit)]
    if not ids:
        return []
    by_id = {r.id: r for r in _rows(_BY_IDS, ids=ids, caller_number=caller)}
    return [by_id[i] for i in ids if i in by_id]


def _by_name(query: str, name: str, caller: str | None) -> SearchResults:
    return _limited(query, "name", _named(name, RESULT_LIMIT + 1, caller))


def _by_name_in_area(query: str, name: str, outward: str, caller: str | None) -> SearchResults:
    """ "Margaret Okafor LE1": the closest names whose postcode starts with that district."""
    in_area = [r for r in _named(name, NAMES_IN_AN_AREA, caller) if _outward(r.postcode) == outward]
    return _limited(query, "name and postcode area", in_area)


def _has_letters_only(text: str) -> bool:
    """No name has digits; every phone number and postcode does."""
    return any(map(str.isalpha, text)) and not any(map(str.isdigit, text))


def _readings(query: str, caller: str | None) -> list[tuple[str, Callable[[], SearchResults]]]:
    """Every way the box can be read, surest first; `caller` is the number the call came from.

    A phone number, a reference and a postcode each have a shape, but a shape is not
    proof: about one name in 32 of eleven letters (with no U) passes a reference's check
    symbol, and an eleven-digit phone number can too. So each shape that fits is a
    reading, and a name is always one when the box holds letters and no digits (no name
    has digits, and every phone number, postcode and most references do).
    """
    readings: list[tuple[str, Callable[[], SearchResults]]] = []
    if looks_like_phone_number(query) and (e164 := try_e164(query)) is not None:
        readings.append(("phone number", lambda: _by_phone(query, e164, caller)))
    if (reference := normalise_reference(query)) is not None:
        readings.append(("reference", lambda: _by_reference(query, reference, caller)))
    if (postcode := _normalise_postcode(query)) is not None:
        readings.append(("postcode", lambda: _by_postcode(query, postcode, caller)))
    elif (with_postcode := POSTCODE_AT_END.match(query.upper())) and _has_letters_only(
        name := query[: len(with_postcode.group(1))]
    ):
        postcode = with_postcode.group(2) + with_postcode.group(3)
        readings.append(
            ("name and postcode", lambda: _by_name_and_postcode(query, name, postcode, caller))
        )
    elif (with_area := OUTWARD_CODE_AT_END.match(query.upper())) and _has_letters_only(
        name_in_area := query[: len(with_area.group(1))]
    ):
        outward = with_area.group(2)
        readings.append(
            (
                "name and postcode area",
                lambda: _by_name_in_area(query, name_in_area, outward, caller),
            )
        )
        readings.append(("name", lambda: _by_name(query, name_in_area, caller)))
    if _has_letters_only(query):
        readings.append(("name", lambda: _by_name(query, query, caller)))
    return readings


def _problem(query: str) -> str:
    """Why a box that no reading fits found nothing, in the handler's words."""
    if looks_like_phone_number(query) or query.replace(" ", "").isdigit():
        return "That is not a full phone number"
    return "Check what you typed: it is not a phone number, reference, postcode or name"


@transactional(audit_only=True)
def find_residents(
    text: str,
    *,
    staff_id: int | None = None,
    call_id: int | None = None,
    caller_number: str | None = None,
) -> SearchResults:
    """Records matching what the member of staff typed, likeliest first. On a call, each
    says whether the number the call came from (`caller_number`) is on it: a hint, read with
    the results.

    Every search is audited: who searched, on which call (if on one), by what kind of value and
    how many records it found, never what was typed.
    """
    results = _find(text, caller_number)
    audit.record_now(
        AuditAction.SEARCH_MADE,
        staff_id=staff_id,
        call_id=call_id,
        searched_by=results.searched_by or None,
        results=len(results.matches),
        more=results.more,
        outcome="refused" if results.problem else "done",
    )
    return results


def _find(text: str, caller: str | None = None) -> SearchResults:
    """Every reading of the box is searched, surest first (see `_readings`), and each record
    says which reading found it: a name that happens to look like a reference is still
    searched as a name."""
    query = " ".join(text.split())
    if len(query) < 2:
        return SearchResults(query=query, searched_by="", problem="Enter at least 2 characters")
    readings = _readings(query, caller)
    if not readings:
        return SearchResults(query=query, searched_by="", problem=_problem(query))
    matches: list[ResidentMatch] = []
    more = False
    for _, search in readings:
        found = search()
        seen = {match.resident_id for match in matches}
        matches.extend([match for match in found.matches if match.resident_id not in seen])
        more = more or found.more
    return SearchResults(
        query=query,
        searched_by=" or ".join([label for label, _ in readings]),
        matches=matches[:RESULT_LIMIT],
        more=more or len(matches) > RESULT_LIMIT,
    )
