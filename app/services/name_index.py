"""The name index in the database: the store behind typo-tolerant name search.

`app.search` holds the algorithm; this module gives it SQL-backed lookups
(`name_keys` for candidate terms, the residents' name indexes for people)
and keeps the index up to date as residents are added.
"""

from collections.abc import Collection, Hashable, Iterable
from functools import lru_cache

from sqlalchemy import JSON, String, any_, bindparam, func, literal_column, select, tuple_, union
from sqlalchemy.dialects.postgresql import ARRAY

from app.extensions import db
from app.models import NameKey, NameTerm, Resident
from app.search.index import search_names as _search_names
from app.search.names import FORENAME, SURNAME, Kind, normalise_name, term_keys
from app.services.bulk import insert_rows

LOOKUP_CHUNK = 500


# Built once: statements whose only variable parts are bound values, so each
# lookup on a live call costs the query alone, not building and caching SQL.
_TERMS = (
    select(NameKey.term)
    .where(NameKey.kind == bindparam("kind"), NameKey.key.in_(bindparam("keys", expanding=True)))
    .distinct()
)


def _key_in(name: str, dialect: str):
    """`name_keys.key` is one of the list of keys bound to `name`, bound as one value (an
    array on PostgreSQL, a JSON array on SQLite) rather than a placeholder a key: a typed word
    has a hundred keys or more, and each placeholder costs a dozen calls to put in the SQL.
    Both databases look each key up in the primary key's index."""
    if dialect == "postgresql":
        return _any_of(NameKey.key, name)
    keys = select(literal_column("value")).select_from(func.json_each(bindparam(name, type_=JSON)))
    return NameKey.key.in_(keys)


def _name_in(column, name: str, dialect: str):
    """`column` is one of the names bound to `name`. PostgreSQL takes them as one array, as
    it reads an IN list itself; SQLite as an IN list, which it reads from the two-name
    indexes by both names at once (a JSON array it would read by the first name alone)."""
    if dialect == "postgresql":
        return _any_of(column, name)
    return column.in_(bindparam(name, expanding=True))


def _any_of(column, name: str):
    return column == any_(bindparam(name, type_=ARRAY(String)))


@lru_cache(maxsize=32)
def _words_terms_statement(words: int, dialect: str):
    """The distinct terms for each of `words` typed words, in one statement (one round trip):
    rows of (the word's position, a term)."""
    return union(
        *(
            select(literal_column(str(n)).label("word"), NameKey.term).where(
                NameKey.kind == bindparam(f"kind_{n}"), _key_in(f"keys_{n}", dialect)
            )
            for n in range(words)
        )
    )


_PEOPLE_COLUMNS = (
    Resident.id,
    Resident.forename_norm,
    Resident.surname_norm,
    Resident.middle_names,
)


@lru_cache(maxsize=64)
def _people_statement(
    surnames: bool, forenames: bool, forename_from: bool, surname_from: bool, dialect: str
):
    stmt = select(*_PEOPLE_COLUMNS)
    if surnames:
        stmt = stmt.where(_name_in(Resident.surname_norm, "surnames", dialect))
    if forenames:
        stmt = stmt.where(_name_in(Resident.forename_norm, "forenames", dialect))
    if forename_from:
        stmt = stmt.where(
            Resident.forename_norm >= bindparam("forename_from"),
            Resident.forename_norm < bindparam("forename_to"),
        )
    if surname_from:
        stmt = stmt.where(
            Resident.surname_norm >= bindparam("surname_from"),
            Resident.surname_norm < bindparam("surname_to"),
        )
    return stmt.limit(bindparam("limit"))


class SqlNameStore:
    """The `NameStore` the search algorithm asks, answered from the database."""

    def lookup_terms(self, kind: Kind, keys: Collection[str]) -> set[str]:
        found: set[str] = set()
        keys = list(keys)
        connection = db.session.connection()
        for start in range(0, len(keys), LOOKUP_CHUNK):
            chunk = keys[start : start + LOOKUP_CHUNK]
            found.update(connection.execute(_TERMS, {"kind": kind, "keys": chunk}).scalars().all())
        return found

    def lookup_terms_many(
        self, wanted: dict[tuple[Kind, str], Collection[str]]
    ) -> dict[tuple[Kind, str], set[str]]:
        """Terms for several typed words at once: one statement for them all, each term
        once per word. (The search box takes 120 characters: a few thousand keys at most.)"""
        requests = [request for request, keys in wanted.items() if keys]
        found: dict[tuple[Kind, str], set[str]] = {request: set() for request in wanted}
        if not requests:
            return found
        params: dict = {}
        for n, request in enumerate(requests):
            params[f"kind_{n}"], params[f"keys_{n}"] = request[0], sorted(wanted[request])
        connection = db.session.connection()
        stmt = _words_terms_statement(len(requests), connection.dialect.name)
        # All rows at once: a word's terms run to hundreds, and fetching them one by one
        # costs several calls a row.
        rows = connection.execute(stmt, params).all()
        for n, request in enumerate(requests):
            found[request] = {term for word, term in rows if word == n}
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
        params: dict = {"limit": limit}
        if surnames is not None:
            params["surnames"] = list(surnames)
        if forenames is not None:
            params["forenames"] = list(forenames)
        if forename_prefix:
            params["forename_from"], params["forename_to"] = _prefix_range(forename_prefix)
        if surname_prefix:
            params["surname_from"], params["surname_to"] = _prefix_range(surname_prefix)
        connection = db.session.connection()
        stmt = _people_statement(
            surnames is not None,
            forenames is not None,
            bool(forename_prefix),
            bool(surname_prefix),
            connection.dialect.name,
        )
        # Core, not ORM, execution: hundreds of plain tuples, no objects wanted.
        rows = connection.execute(stmt, params).all()
        return [(row[0], row[1], row[2], normalise_name(row[3]) or None) for row in rows]


def _prefix_range(prefix: str) -> tuple[str, str]:
    """A prefix as a range, which both databases answer from the name indexes (LIKE may
    not be). Normalised names are plain lower-case ASCII, so the next code point bounds it."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def search_names(text: str, limit: int) -> list[tuple[int, float]]:
    """Residents best matching a typed name, as (id, score), best first."""
    return _search_names(text, SqlNameStore(), limit=limit)  # type: ignore[return-value]


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
    # Another request may index the same name at the same moment: duplicates are skipped.
    insert_rows(NameTerm.__table__, ("kind", "term"), new, ignore_duplicates=True)
    keys = [
        (kind, key, term)
        for kind, term in new
        for key in term_keys(term, kind)  # type: ignore[arg-type]
    ]
    insert_rows(NameKey.__table__, ("kind", "key", "term"), keys, ignore_duplicates=True)
    return len(new)
