"""The name index in the database: the store behind typo-tolerant name search.

`app.search` holds the algorithm; this module gives it SQL-backed lookups
(`name_keys` for candidate terms, the residents' name indexes for people)
and keeps the index up to date as residents are added.
"""

from collections.abc import Collection, Hashable, Iterable

from sqlalchemy import insert, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import NameKey, NameTerm, Resident
from app.search.index import search_names as _search_names
from app.search.names import FORENAME, SURNAME, Kind, normalise_name, term_keys

LOOKUP_CHUNK = 500


class SqlNameStore:
    """The `NameStore` the search algorithm asks, answered from the database."""

    def lookup_terms(self, kind: Kind, keys: Collection[str]) -> set[str]:
        found: set[str] = set()
        keys = list(keys)
        for start in range(0, len(keys), LOOKUP_CHUNK):
            chunk = keys[start : start + LOOKUP_CHUNK]
            stmt = (
                select(NameKey.term).where(NameKey.kind == kind, NameKey.key.in_(chunk)).distinct()
            )
            found.update(db.session.connection().execute(stmt).scalars().all())
        return found

    def lookup_people(
        self,
        surnames: Collection[str] | None,
        forenames: Collection[str] | None,
        *,
        forename_prefix: str | None = None,
        surname_prefix: str | None = None,
        limit: int,
    ) -> list[tuple[Hashable, str, str, str | None]]:
        stmt = select(
            Resident.id, Resident.forename_norm, Resident.surname_norm, Resident.middle_names
        )
        if surnames is not None:
            stmt = stmt.where(Resident.surname_norm.in_(list(surnames)))
        if forenames is not None:
            stmt = stmt.where(Resident.forename_norm.in_(list(forenames)))
        if forename_prefix:
            stmt = stmt.where(*_starts_with(Resident.forename_norm, forename_prefix))
        if surname_prefix:
            stmt = stmt.where(*_starts_with(Resident.surname_norm, surname_prefix))
        # Core, not ORM, execution: hundreds of plain tuples, no objects wanted.
        rows = db.session.connection().execute(stmt.limit(limit)).all()
        return [(row[0], row[1], row[2], normalise_name(row[3]) or None) for row in rows]


def _starts_with(column, prefix: str):
    """A prefix as a range, which both databases answer from the name indexes (LIKE may
    not be). Normalised names are plain lower-case ASCII, so the next code point bounds it."""
    return column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1)


def search_names(text: str, limit: int) -> list[tuple[int, float]]:
    """Residents best matching a typed name, as (id, score), best first."""
    return _search_names(text, SqlNameStore(), limit=limit)  # type: ignore[return-value]


def _insert_ignoring_duplicates(model, rows: list[dict]) -> None:
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt = postgresql.insert(model).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(model).on_conflict_do_nothing()
    else:
        stmt = insert(model)
    db.session.execute(stmt, rows)


def index_names(names: Iterable[tuple[str, str]]) -> int:
    """Add the (forename_norm, surname_norm) pairs' terms and keys to the index.

    Terms already indexed are skipped; returns how many new terms were added.
    The caller commits, with the residents that carry the names.
    """
    pairs = list(names)
    wanted = {(FORENAME, forename) for forename, _ in pairs if forename} | {
        (SURNAME, surname) for _, surname in pairs if surname
    }
    if not wanted:
        return 0
    wanted_list = sorted(wanted)
    known: set[tuple[str, str]] = set()
    for start in range(0, len(wanted_list), LOOKUP_CHUNK):
        chunk = wanted_list[start : start + LOOKUP_CHUNK]
        stmt = select(NameTerm.kind, NameTerm.term).where(
            tuple_(NameTerm.kind, NameTerm.term).in_(chunk)
        )
        known.update((kind, term) for kind, term in db.session.execute(stmt))
    new = sorted(wanted - known)
    _insert_ignoring_duplicates(NameTerm, [{"kind": k, "term": t} for k, t in new])
    keys = [
        {"kind": kind, "key": key, "term": term}
        for kind, term in new
        for key in term_keys(term, kind)  # type: ignore[arg-type]
    ]
    for start in range(0, len(keys), 10_000):
        _insert_ignoring_duplicates(NameKey, keys[start : start + 10_000])
    return len(new)
