r"""Find residents by a typed name, over any store of name terms and residents.

`search_names(text, store, limit)` is the whole algorithm. A store answers
only two questions (`NameStore`):

* `lookup_terms(kind, keys)`: the distinct normalised terms of `kind`
  ("forename" or "surname") that have any of `keys` (from `query_keys`);
* `lookup_people(surnames, forenames, *, forename_prefix=None,
  surname_prefix=None, limit)`: up to `limit` resident rows
  `(id, forename_norm, surname_norm, middle_names)` whose surname is in
  `surnames` and forename in `forenames` (`None`: any; never both `None`), and
  whose forename / surname starts with the prefix when one is given. Which
  rows, when more than `limit` match, does not matter.

`NameIndex` is such a store in plain dicts, for tests and the offline
evaluation (`benchmarks/eval_name_search.py`).

How a search runs
-----------------
1. `parse_query` gives the readings of the text (forename then surname,
   surname first, "Surname, Forename", initials, middle names, two-word names).
2. For each typed word and the kind it is read as, `lookup_terms` with its
   `query_keys`; the terms found are scored (`name_similarity`) and the best
   `TERMS_PER_WORD` kept. Two to eight lookups, each an indexed `IN` of 10 to
   80 keys.
3. Each reading proposes `lookup_people` calls: the 3 closest surnames x
   forenames, the 10 closest, then all candidates, then each side's closest
   names with the other side's first letter (for a name typed too wrong for
   its keys). Each call carries the best score its rows could reach; calls run
   best first and stop when nothing left could make the list. A typical
   query makes 2 to 6 calls with at most 25 names a side.
4. `Ranking` scores the rows (`Scorer`) and lists the best, letting a close
   name past a crowd of namesakes.

Plugging in the database
------------------------
Values all come from `app.search.names`; keys must be rebuilt when
`KEYS_VERSION` changes. `app.services.name_index.SqlNameStore` is the store
over the database:

* `residents.forename_norm`, `surname_norm`: `normalise_name` of the names as
  recorded, with `middle_names` beside them. Covering indexes
  `(surname_norm, forename_norm, middle_names)` and
  `(forename_norm, surname_norm, middle_names)` serve names, one name alone,
  and one name with the other's first letter.
* `name_terms(kind, term)`: each distinct `forename_norm` (kind "forename")
  and `surname_norm` (kind "surname").
* `name_keys(kind, key, term)`, primary key `(kind, key, term)`, which serves
  `lookup_terms`: a row per `term_keys(term, kind)` (10 to 40 a term).

Prefixes are looked up as ranges, not LIKE, so that the two-column indexes
serve them (on PostgreSQL the `*_norm` columns need the "C" collation for
that).
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable
from dataclasses import dataclass
from itertools import accumulate
from typing import Protocol

from rapidfuzz import fuzz, process

from app.search.names import (
    FORENAME,
    FORENAME_WEIGHT,
    INITIAL_SIMILARITY,
    MIDDLE_BONUS,
    SURNAME,
    SURNAME_ONLY_PENALTY,
    SURNAME_WEIGHT,
    Kind,
    Ranking,
    Reading,
    Scorer,
    compact,
    name_groups,
    normalise_name,
    parse_query,
    query_keys,
    term_keys,
)

PersonRow = tuple[Hashable, str, str, str | None]

# Candidate names kept per typed word, best first, and the least similarity
# worth fetching residents for (one wrong letter in a four-letter name scores 83).
# Names tied with the last one kept are kept too, up to MAX_TERMS_PER_WORD.
TERMS_PER_WORD = 25
MAX_TERMS_PER_WORD = 50
MIN_TERM_SIMILARITY = 55.0
# Names found by keys beyond this many are first cut down by a cheaper measure.
PREFILTER = 30
# How alike a part of a many-part name must be to a typed word to be scored at all.
PART_PREFILTER_RATIO = 60
# A reading's lookups pair the 3 closest names of each side, then the 10
# closest, then all: namesakes of the closest names usually fill the list.
TIERS = (3, 10)
# A name two mistakes away from what was typed may share no key with it. As
# a last resort, residents are fetched by the closest FALLBACK_TERMS names of
# one side and the first letter of the other, whose similarity is taken to be
# at most UNFOUND_SIMILARITY (names the keys miss are mostly two mistakes
# away, which in a six-letter name scores 75).
UNFOUND_SIMILARITY = 75.0
FALLBACK_TERMS = 3
# ... for the likelier readings only (not surname-first ones).
FALLBACK_PENALTY = 1.0
# Lookups stop once they could only find residents scoring this far below the best.
WORTH_SHOWING = 15.0
# Rows fetched per lookup: enough for every John Smith of a large council.
ROWS_PER_LOOKUP = 1000
# A surname or forename alone matches thousands: rows fetched per name.
ROWS_PER_SINGLE_NAME = 100


class NameStore(Protocol):
    def lookup_terms(self, kind: Kind, keys: Collection[str]) -> Collection[str]: ...

    def lookup_people(
        self,
        surnames: Collection[str] | None,
        forenames: Collection[str] | None,
        *,
        forename_prefix: str | None = None,
        surname_prefix: str | None = None,
        limit: int,
    ) -> Iterable[PersonRow]: ...


def candidate_terms(
    store: NameStore,
    scorer: Scorer,
    kind: Kind,
    word: str,
    found: Collection[str] | None = None,
) -> list[tuple[str, float]]:
    """The stored names of `kind` most like a typed word, with their similarity, best first.

    `found` is what the store returned for the word's keys, when already looked up.
    """
    if found is None:
        found = store.lookup_terms(kind, query_keys(word, kind))
    if len(found) > PREFILTER:
        found = _prefilter(kind, word, found)
    found = list(found)
    similar = scorer.similarities(kind, word, found)
    scored = sorted([(-similarity, term) for similarity, term in zip(similar, found, strict=True)])
    kept: list[tuple[str, float]] = []
    for count, (negative, term) in enumerate(scored):  # `count`: how many are kept so far
        if -negative < MIN_TERM_SIMILARITY or count >= MAX_TERMS_PER_WORD:
            break
        if count >= TERMS_PER_WORD and -negative < kept[-1][1]:
            break
        kept.append((term, -negative))
    return kept


def _prefilter(kind: Kind, word: str, found: Collection[str]) -> set[str]:
    # Full similarity costs microseconds a name; rapidfuzz's ratio costs a
    # fraction of that. Keep the closest by ratio, and the names it undervalues:
    # nicknames ("bill" for "william") and many-part names ("hans walter").
    # In one order whatever the process's hash seed: names the ratio ties on are cut the
    # same way in every worker, so the same search finds the same people on any of them.
    terms = sorted(found)
    # Every term without its spaces at once (names hold no line breaks): hundreds of terms.
    compacted = "\n".join(terms).replace(" ", "").split("\n")
    typed = compact(word)
    close = process.extract(typed, compacted, scorer=fuzz.ratio, limit=PREFILTER)
    kept = {terms[i] for _, _, i in close}
    # A many-part name is worth scoring when one of its parts is like the typed word
    # ("walter" for "hans walter"); most many-part names sharing a key are not. Every part
    # of every such name is compared in one rapidfuzz call: the names are split at once,
    # "|" between them (it is like no typed word), and each part's name is the count of
    # "|" before it.
    spaced = [t for t in terms if " " in t]
    parts = " | ".join(spaced).split()
    owner = list(accumulate([part == "|" for part in parts]))
    alike = process.extract(
        typed, parts, scorer=fuzz.ratio, score_cutoff=PART_PREFILTER_RATIO, limit=None
    )
    kept.update({spaced[owner[i]] for _, _, i in alike})
    groups = name_groups(typed, kind)
    if groups:
        kept.update(
            {t for t, c in zip(terms, compacted, strict=True) if groups & name_groups(c, kind)}
        )
    return kept


class _Candidates:
    """Candidate names per (kind, typed word), looked up once per search."""

    def __init__(self, store: NameStore, scorer: Scorer):
        self.store, self.scorer = store, scorer
        self._found: dict[tuple[Kind, str], list[tuple[str, float]]] = {}

    def __call__(self, kind: Kind, word: str) -> list[tuple[str, float]]:
        if (kind, word) not in self._found:
            self._found[kind, word] = candidate_terms(self.store, self.scorer, kind, word)
        return self._found[kind, word]

    def prefetch(self, words: Collection[tuple[Kind, str]]) -> None:
        """Look up every typed word's terms at once, where the store can (one round
        trip per kind to a database, instead of one per word)."""
        lookup_many = getattr(self.store, "lookup_terms_many", None)
        if lookup_many is None:
            return
        wanted = [(kind, word) for kind, word in words if (kind, word) not in self._found]
        found = lookup_many({(kind, word): query_keys(word, kind) for kind, word in wanted})
        for kind, word in wanted:
            self._found[kind, word] = candidate_terms(
                self.store, self.scorer, kind, word, found=found[kind, word]
            )


def _typed_words(reading: Reading) -> list[tuple[Kind, str]]:
    words: list[tuple[Kind, str]] = []
    if reading.surname is not None:
        words.append((SURNAME, reading.surname))
    if reading.forename is not None:
        words.append((FORENAME, reading.forename))
    return words


def _names(found: list[tuple[str, float]], limit: int | None = None) -> list[str]:
    return [term for term, _ in found[:limit]]


def _sim(found: list[tuple[str, float]], position: int) -> float:
    return found[position][1] if len(found) > position else 0.0


@dataclass(frozen=True)
class _Step:
    """One lookup of residents, and the best score any resident it finds could reach."""

    bound: float
    fetch: Callable[[], Iterable[PersonRow]]
    # Asked just before fetching: is the lookup still worth a round trip?
    needed: Callable[[], bool] = lambda: True


def _steps(store: NameStore, reading: Reading, candidates: _Candidates) -> list[_Step]:
    """The lookups worth making for one reading of the query.

    The closest names on both sides (`TIERS`), then all candidates; then
    each side's closest names with the other side's first letter, in case the
    other side was typed too wrong for its keys to find it.
    """
    extra = (MIDDLE_BONUS if reading.middles else 0.0) - reading.penalty
    if reading.surname is None:
        if reading.forename is None:
            return []
        found = candidates(FORENAME, reading.forename)
        return _one_name_steps(store, found, FORENAME, extra)
    surnames = candidates(SURNAME, reading.surname)
    if reading.forename is None and reading.initial is None:
        return _one_name_steps(store, surnames, SURNAME, extra - SURNAME_ONLY_PENALTY)
    forenames = candidates(FORENAME, reading.forename) if reading.forename else []
    given = INITIAL_SIMILARITY if reading.initial else _sim(forenames, 0)
    prefix = reading.initial

    def lookup(s: list[str] | None, f: list[str] | None, **prefixes: str | None) -> Callable:
        return lambda: store.lookup_people(s, f, limit=ROWS_PER_LOOKUP, **prefixes)

    steps = []
    if surnames and (forenames or prefix):
        # Where few residents share the closest names, one lookup of all the
        # candidates costs less than a lookup per tier.
        first_rows: list[int] = []
        first_pairs = min(TIERS[0], len(surnames)) * min(TIERS[0], len(forenames) or 1)

        def dense() -> bool:
            return bool(first_rows) and first_rows[0] >= first_pairs

        def counted(fetch: Callable[[], Iterable[PersonRow]]) -> Callable[[], list[PersonRow]]:
            def run() -> list[PersonRow]:
                rows = list(fetch())
                first_rows.append(len(rows))
                return rows

            return run

        longest = max(len(surnames), len(forenames))
        sizes = [size for size in TIERS if size < longest] + [None]
        before = 0
        for size in sizes:
            if before:
                bound = max(
                    SURNAME_WEIGHT * _sim(surnames, before) + FORENAME_WEIGHT * given,
                    SURNAME_WEIGHT * _sim(surnames, 0) + FORENAME_WEIGHT * _sim(forenames, before),
                )
            else:
                bound = SURNAME_WEIGHT * _sim(surnames, 0) + FORENAME_WEIGHT * given
            tier = _names(forenames, size) if forenames else None
            fetch = lookup(_names(surnames, size), tier, forename_prefix=prefix)
            if not before:
                steps.append(_Step(bound + extra, counted(fetch)))
            elif size is not None:
                steps.append(_Step(bound + extra, fetch, dense))
            else:
                steps.append(_Step(bound + extra, fetch))
            before = size or 0
    if reading.forename is not None and reading.penalty <= FALLBACK_PENALTY:
        if surnames:
            steps.append(
                _Step(
                    SURNAME_WEIGHT * _sim(surnames, 0)
                    + FORENAME_WEIGHT * UNFOUND_SIMILARITY
                    + extra,
                    lookup(
                        _names(surnames, FALLBACK_TERMS), None, forename_prefix=reading.forename[0]
                    ),
                )
            )
        if forenames:
            steps.append(
                _Step(
                    SURNAME_WEIGHT * UNFOUND_SIMILARITY
                    + FORENAME_WEIGHT * _sim(forenames, 0)
                    + extra,
                    lookup(
                        None, _names(forenames, FALLBACK_TERMS), surname_prefix=reading.surname[0]
                    ),
                )
            )
    return steps


def _one_name_steps(
    store: NameStore, found: list[tuple[str, float]], kind: Kind, extra: float = 0.0
) -> list[_Step]:
    # A surname or forename alone matches thousands: one name at a time,
    # closest first, a few rows each.
    steps = []
    for name, similarity in found:
        surnames, forenames = ([name], None) if kind == SURNAME else (None, [name])
        steps.append(
            _Step(
                similarity + extra,
                lambda s=surnames, f=forenames: store.lookup_people(
                    s, f, limit=ROWS_PER_SINGLE_NAME
                ),
            )
        )
    return steps


def search_names(text: str, store: NameStore, limit: int = 5) -> list[tuple[Hashable, float]]:
    """Residents best matching a typed name, as (id, score 0-100), best first.

    Best-first: every reading of the query proposes lookups with the best
    score they could yield; lookups run from the most promising down, and stop
    when none left could make the list, or could come within `WORTH_SHOWING`
    of the best resident found.
    """
    query = parse_query(text)
    scorer = Scorer(query)
    candidates = _Candidates(store, scorer)
    candidates.prefetch({word for reading in query.readings for word in _typed_words(reading)})
    steps = [step for reading in query.readings for step in _steps(store, reading, candidates)]
    steps.sort(key=lambda step: -step.bound)
    ranking = Ranking(scorer)
    for step in steps:
        last, best = ranking.place_of(limit), ranking.best()
        if last is not None and step.bound <= last:
            break
        if best is not None and step.bound < best - WORTH_SHOWING:
            break
        if step.needed():
            ranking.add(step.fetch())
    return ranking.top(limit)  # type: ignore[return-value]


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
        surname_prefix: str | None = None,
        limit: int,
    ) -> list[PersonRow]:
        if surnames is None and forenames is None:
            raise ValueError("lookup_people needs surnames or forenames")
        rows: list[PersonRow] = []
        by_surname = surnames is not None
        outer = surnames if by_surname else forenames
        inner_names = forenames if by_surname else None
        inner_prefix = (forename_prefix if by_surname else surname_prefix) or ""
        outer_prefix = (surname_prefix if by_surname else forename_prefix) or ""
        index = self._by_surname if by_surname else self._by_forename
        for name in outer or ():
            by_inner = index.get(name)
            if not by_inner or not name.startswith(outer_prefix):
                continue
            if inner_names is not None:
                pairs: Iterable = ((inner, by_inner.get(inner, ())) for inner in inner_names)
            else:
                pairs = by_inner.items()
            for inner, people in pairs:
                if not inner.startswith(inner_prefix):
                    continue
                forename, surname = (inner, name) if by_surname else (name, inner)
                for person_id, middle in people:
                    rows.append((person_id, forename, surname, middle))
                    if len(rows) >= limit:
                        return rows
        return rows

    def search(self, text: str, limit: int = 5) -> list[tuple[Hashable, float]]:
        return search_names(text, self, limit)
