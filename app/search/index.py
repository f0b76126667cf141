"""Find residents by a typed name, over any store of name terms and residents.

`search_names` is the whole algorithm; a store only answers two questions:

* `lookup_terms(kind, keys)`: the distinct normalised terms of `kind`
  ("forename" or "surname") that have any of `keys` (from `query_keys`);
* `lookup_people(surnames, forenames, *, forename_prefix=None, limit)`: up to
  `limit` resident rows `(id, forename_norm, surname_norm, middle_norm)` whose
  surname is in `surnames` and forename in `forenames` (`None`: any), and whose
  forename starts with `forename_prefix` if given.

`NameIndex` is a store in plain dicts, for tests and the offline evaluation
(`scripts/eval_name_search.py`).

Plugging in the database
------------------------
Tables (all values from `app.search.names`, written when a resident is saved or
renamed; `name_term_keys` is rebuilt when `KEYS_VERSION` changes):

* `residents.forename_norm`, `residents.surname_norm`, `residents.middle_norm`
  = `normalise_name(...)` of the displayed names; index
  `(surname_norm, forename_norm)` for name searches, and `(forename_norm)` for a
  query that is only a forename.
* `name_terms(kind, term)`, primary key `(kind, term)`: each distinct
  `forename_norm` (kind "forename") and `surname_norm` (kind "surname").
* `name_term_keys(kind, key, term)`, primary key `(kind, key, term)`: one row per
  `term_keys(term, kind)` of each name term (about 10 to 25 rows a term).

A store over them, to pass to `search_names`:

    class SqlNameStore:
        def lookup_terms(self, kind, keys):
            return set(db.session.scalars(
                select(NameTermKey.term).distinct()
                .where(NameTermKey.kind == kind, NameTermKey.key.in_(keys))))

        def lookup_people(self, surnames, forenames, *, forename_prefix=None, limit):
            stmt = select(Resident.id, Resident.forename_norm,
                          Resident.surname_norm, Resident.middle_norm)
            if surnames is not None:
                stmt = stmt.where(Resident.surname_norm.in_(surnames))
            if forenames is not None:
                stmt = stmt.where(Resident.forename_norm.in_(forenames))
            if forename_prefix:
                stmt = stmt.where(Resident.forename_norm >= forename_prefix,
                                  Resident.forename_norm < forename_prefix + "~")
            return db.session.execute(stmt.limit(limit)).all()

A search asks `lookup_terms` once per typed word and kind (two to six small
indexed `IN` queries) and `lookup_people` once per reading of the query, with
at most `TERMS_PER_WORD` names on each side.
"""

from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable
from typing import Protocol

from app.search.names import (
    FORENAME,
    SURNAME,
    Kind,
    Reading,
    Scorer,
    normalise_name,
    parse_query,
    query_keys,
    term_keys,
)

PersonRow = tuple[Hashable, str, str, str | None]

# Candidate names kept per typed word, best first, and the least similarity
# worth fetching residents for (one wrong letter in a four-letter name scores 83).
TERMS_PER_WORD = 25
MIN_TERM_SIMILARITY = 55.0
# Rows fetched per reading: enough for every John Smith of a large council.
ROWS_PER_READING = 2000
# A surname or forename alone matches thousands: fetch the closest names first.
ROWS_PER_SINGLE_NAME = 200


class NameStore(Protocol):
    def lookup_terms(self, kind: Kind, keys: Collection[str]) -> Collection[str]: ...

    def lookup_people(
        self,
        surnames: Collection[str] | None,
        forenames: Collection[str] | None,
        *,
        forename_prefix: str | None = None,
        limit: int,
    ) -> Iterable[PersonRow]: ...


def candidate_terms(
    store: NameStore, scorer: Scorer, kind: Kind, word: str, keep: int = TERMS_PER_WORD
) -> list[str]:
    """The stored names of `kind` most like a typed word, best first."""
    found = store.lookup_terms(kind, query_keys(word, kind))
    scored = [(scorer.similarity(kind, word, term), term) for term in found]
    scored = [(-sim, term) for sim, term in scored if sim >= MIN_TERM_SIMILARITY]
    scored.sort()
    return [term for _, term in scored[:keep]]


def _people_for(
    store: NameStore, scorer: Scorer, reading: Reading, terms: dict[tuple[Kind, str], list[str]]
) -> Iterable[PersonRow]:
    def candidates(kind: Kind, word: str) -> list[str]:
        if (kind, word) not in terms:
            terms[kind, word] = candidate_terms(store, scorer, kind, word)
        return terms[kind, word]

    if reading.surname is not None:
        surnames = candidates(SURNAME, reading.surname)
        if not surnames:
            return []
        if reading.forename is not None:
            forenames = candidates(FORENAME, reading.forename)
            if not forenames:
                return []
            return store.lookup_people(surnames, forenames, limit=ROWS_PER_READING)
        if reading.initial is not None:
            return store.lookup_people(
                surnames, None, forename_prefix=reading.initial, limit=ROWS_PER_READING
            )
        return _closest_first(store, surnames, SURNAME)
    if reading.forename is not None:
        return _closest_first(store, candidates(FORENAME, reading.forename), FORENAME)
    return []


def _closest_first(store: NameStore, names: list[str], kind: Kind) -> list[PersonRow]:
    rows: list[PersonRow] = []
    for name in names:
        limit = ROWS_PER_SINGLE_NAME - len(rows)
        if limit <= 0:
            break
        if kind == SURNAME:
            rows.extend(store.lookup_people([name], None, limit=limit))
        else:
            rows.extend(store.lookup_people(None, [name], limit=limit))
    return rows


def search_names(text: str, store: NameStore, limit: int = 5) -> list[tuple[Hashable, float]]:
    """Residents best matching a typed name, as (id, score 0-100), best first."""
    query = parse_query(text)
    scorer = Scorer(query)
    terms: dict[tuple[Kind, str], list[str]] = {}
    best: dict[Hashable, float] = {}
    for reading in query.readings:
        for person_id, forename, surname, middle in _people_for(store, scorer, reading, terms):
            if person_id not in best:
                best[person_id] = scorer.score(forename, surname, middle or "")
    ranked = sorted(best.items(), key=lambda item: (-item[1], str(item[0])))
    return ranked[:limit]


class NameIndex:
    """An in-memory name store: the same keys and lookups as the database tables."""

    def __init__(self) -> None:
        self._keys: dict[Kind, dict[str, set[str]]] = {
            FORENAME: defaultdict(set),
            SURNAME: defaultdict(set),
        }
        self._terms: dict[Kind, set[str]] = {FORENAME: set(), SURNAME: set()}
        self._by_surname: dict[str, dict[str, list[tuple[Hashable, str | None]]]] = {}
        self._by_forename: dict[str, dict[str, list[tuple[Hashable, str | None]]]] = {}
        self.people = 0

    def add(
        self, person_id: Hashable, forename: str, surname: str, middle: str | None = None
    ) -> None:
        forename, surname = normalise_name(forename), normalise_name(surname)
        middle = normalise_name(middle) or None
        self._add_term(FORENAME, forename)
        self._add_term(SURNAME, surname)
        entry = (person_id, middle)
        self._by_surname.setdefault(surname, {}).setdefault(forename, []).append(entry)
        self._by_forename.setdefault(forename, {}).setdefault(surname, []).append(entry)
        self.people += 1

    def _add_term(self, kind: Kind, term: str) -> None:
        if term and term not in self._terms[kind]:
            self._terms[kind].add(term)
            keys = self._keys[kind]
            for key in term_keys(term, kind):
                keys[key].add(term)

    def term_count(self, kind: Kind) -> int:
        return len(self._terms[kind])

    def key_count(self, kind: Kind) -> int:
        return sum(len(terms) for terms in self._keys[kind].values())

    def lookup_terms(self, kind: Kind, keys: Collection[str]) -> set[str]:
        index = self._keys[kind]
        found: set[str] = set()
        for key in keys:
            terms = index.get(key)
            if terms:
                found.update(terms)
        return found

    def lookup_people(
        self,
        surnames: Collection[str] | None,
        forenames: Collection[str] | None,
        *,
        forename_prefix: str | None = None,
        limit: int,
    ) -> list[PersonRow]:
        rows: list[PersonRow] = []
        if surnames is None and forenames is None:
            raise ValueError("lookup_people needs surnames or forenames")
        if surnames is None:
            outer, inner_names, by_outer = forenames, None, self._by_forename
        else:
            outer, inner_names, by_outer = surnames, forenames, self._by_surname
        for name in outer:
            by_inner = by_outer.get(name)
            if not by_inner:
                continue
            pairs = (
                ((inner, by_inner.get(inner, ())) for inner in inner_names)
                if inner_names is not None
                else by_inner.items()
            )
            for inner, people in pairs:
                forename, surname = (name, inner) if surnames is None else (inner, name)
                if forename_prefix and not forename.startswith(forename_prefix):
                    continue
                for person_id, middle in people:
                    rows.append((person_id, forename, surname, middle))
                    if len(rows) >= limit:
                        return rows
        return rows

    def search(self, text: str, limit: int = 5) -> list[tuple[Hashable, float]]:
        return search_names(text, self, limit)
