"""Typo-tolerant name matching for finding a resident while the caller is on the line.

Pure functions, no Flask and no database. The search never compares a query with a
million resident rows. Instead:

1. Every distinct normalised name (a *term*) is stored once per kind (forename or
   surname) with a handful of lookup keys (`term_keys`): the term itself and its
   one-letter deletions, its double-metaphone codes, its consonant skeleton and
   that skeleton's deletions, and its nickname or variant groups.
2. A typed word is turned into the keys to look up (`query_keys`). A stored term
   within one typing mistake of the word (a letter wrong, missing, extra or two
   letters swapped), or sounding the same, or in the same nickname group, always
   shares a key with it; so do many terms two mistakes away.
3. Only residents whose (surname, forename) are among the candidate terms are
   fetched, and only those are scored (`score_candidate`, `rank`).

`app.search.index` runs the steps over any store (in memory, or SQL tables).
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from jellyfish import metaphone
from metaphone import doublemetaphone
from rapidfuzz.distance import OSA

from app.search.nicknames import forename_groups, surname_groups

# Bump when normalisation, term_keys or the nickname data change: stored keys
# (and stored *_norm columns, if normalisation changed) must then be rebuilt.
KEYS_VERSION = 1

Kind = Literal["forename", "surname"]
FORENAME: Kind = "forename"
SURNAME: Kind = "surname"

# Key prefixes: deletion neighbourhood (which includes the term itself),
# double metaphone, consonant skeleton and its deletions, nickname/variant group.
DELETE_KEY = "d:"
SOUND_KEY = "m:"
SKELETON_KEY = "c:"
GROUP_KEY = "n:"

# One-letter names ("J") store no deletions: they would be the empty string.
MIN_DELETE_LENGTH = 2
# Typed tokens at least this long also look up their two-letter deletions, so
# two extra letters ("Thommpsonn") or an extra letter and a wrong one ("Kerur"
# for "Kaur") still meet the stored one-letter deletions.
MIN_DOUBLE_DELETE_LENGTH = 5
# Consonant skeletons ("thompson" -> "tmpsn") shorter than this store no
# deletions: "sm" would match every name with an s and an m.
MIN_SKELETON_DELETE_LENGTH = 4
# Parts of a multi-part name ("smith jones") shorter than this get no keys of
# their own: "de" and "la" would match half the names in Spain and France.
MIN_PART_LENGTH = 3

TITLES = frozenset(
    "mr mrs ms miss dr doctor prof professor sir dame lady lord rev reverend fr".split()
)
# Words that begin a many-word surname: "de souza", "van der berg", "st john".
SURNAME_PARTICLES = frozenset(
    "de da di du del della der den dos das van von le la st al el ben bin ap ter ten".split()
)

_SPECIAL_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "æ": "ae", "đ": "d", "ı": "i", "œ": "oe", "þ": "th", "ð": "d", "ħ": "h"}
)
_APOSTROPHES = str.maketrans(dict.fromkeys("’‘`´ʼʹ′ʻ", "'"))
_NOT_NAME = re.compile(r"[^\w' ]|[\d_]")

# Similarity tuning: see score_candidate.
GROUP_SIMILARITY = 88.0
GROUP_SOUND_SIMILARITY = 93.0
INITIAL_SIMILARITY = 80.0
PHONETIC_BONUS = 6.0
PART_PENALTY = 10.0
SURNAME_WEIGHT = 0.55
FORENAME_WEIGHT = 0.45
SWAPPED_PENALTY = 4.0
SURNAME_ONLY_PENALTY = 6.0
FORENAME_ONLY_PENALTY = 12.0
REPEAT_STEP = 3.0
MIDDLE_BONUS = 3.0


# --------------------------------------------------------------------------- normalising


@lru_cache(maxsize=200_000)
def normalise_name(s: str | None) -> str:
    """The canonical form of a name, as stored in `*_norm` columns and compared.

    Case-folded, accents and special letters folded to ASCII, hyphens turned
    into spaces, apostrophes dropped, other punctuation removed, single spaces.
    Surname prefixes get one spelling: "Mac Donald", "MacDonald", "M'Donald"
    and "McDonald" all become "mcdonald"; "O'Brien", "O Brien" and "OBrien"
    become "obrien"; "Saint John" becomes "st john".
    """
    if not s:
        return ""
    s = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", s).casefold())
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.translate(_SPECIAL_LETTERS).translate(_APOSTROPHES)
    s = _NOT_NAME.sub(" ", s)
    words = [_fold_word(w) for w in s.split()]
    words = [w for w in words if w]
    merged: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("mc", "mac", "o") and i + 1 < len(words):
            word = ("mc" if word != "o" else "o") + words[i + 1]
            i += 1
        merged.append(_collapse_mac(word))
        i += 1
    return " ".join("st" if w == "saint" else w for w in merged)


def _fold_word(word: str) -> str:
    if word.startswith("m'") and len(word) > 2:
        return "mc" + word[2:].replace("'", "")
    return word.replace("'", "")


def _collapse_mac(word: str) -> str:
    if word.startswith("mac") and len(word) >= 6:
        return "mc" + word[3:]
    return word


def name_tokens(s: str | None) -> list[str]:
    """The words of a normalised name."""
    return normalise_name(s).split()


def compact(term: str) -> str:
    """A normalised term without spaces: "smith jones" and "smithjones" compare equal."""
    return term.replace(" ", "")


# --------------------------------------------------------------------------- keys


def _deletes(s: str) -> set[str]:
    return {s[:i] + s[i + 1 :] for i in range(len(s))}


_SOUND_FOLDS = (("mps", "ms"), ("mpt", "mt"), ("dgs", "ds"))
# An "h" not making a sound with the letter before it: "jhon", "sarah".
_SILENT_H = re.compile(r"(?<=[^cgpstw])h")


@lru_cache(maxsize=200_000)
def _sounds(form: str) -> frozenset[str]:
    # For scoring, plain metaphone (fast, and without the secondary codes that
    # make "jayne" sound like "wayne") of the name and of its sound-fold.
    folded = _SILENT_H.sub("", "t" + form[2:] if form.startswith("th") else form)
    for old, new in _SOUND_FOLDS:
        folded = folded.replace(old, new)
    return frozenset(c for c in (metaphone(form), metaphone(folded)) if c)


@lru_cache(maxsize=200_000)
def sound_codes(form: str) -> frozenset[str]:
    """Double-metaphone codes of an unspaced name ("thompson" -> TMSN, as "thomson")."""
    codes = set(doublemetaphone(form))
    folded = form
    for old, new in _SOUND_FOLDS:
        folded = folded.replace(old, new)
    if folded != form:
        codes.update(doublemetaphone(folded))
    return frozenset(c for c in codes if len(c) >= 2)


def skeleton(form: str) -> str:
    """The first letter and the consonants of an unspaced name, spelt alike and undoubled.

    Vowels are what a handler most often mishears, so "taylor", "teylor" and
    "tailer" all give "tlr"; with its one-letter deletions stored, a vowel
    mistake plus one consonant mistake ("Terolor") still meets the name.
    """
    folded = _spelling_fold(form)
    return folded[:1] + _REPEATS.sub(r"\1", _NOT_SKELETON.sub("", folded[1:]))


def _skeleton_keys(form: str) -> set[str]:
    bones = skeleton(form)
    if len(bones) < 2:
        return set()
    keys = {SKELETON_KEY + bones}
    if len(bones) >= MIN_SKELETON_DELETE_LENGTH:
        keys.update(SKELETON_KEY + d for d in _deletes(bones))
    return keys


def _mac_form(form: str) -> str | None:
    # "mcdonald" is also typed "macdonald"; keys of both spellings let a typo
    # in either ("madconald") stay one edit away.
    return "mac" + form[2:] if form.startswith("mc") and len(form) >= 4 else None


def _parts(term: str) -> list[str]:
    parts = term.split()
    return [p for p in parts if len(p) >= MIN_PART_LENGTH] if len(parts) > 1 else []


def name_groups(form: str, kind: Kind | None) -> frozenset[str]:
    """Nickname or variant group ids of an unspaced name, for `kind` (both if None)."""
    if kind == FORENAME:
        return forename_groups(form)
    if kind == SURNAME:
        return surname_groups(form)
    return forename_groups(form) | surname_groups(form)


def term_keys(term: str, kind: Kind | None = None) -> set[str]:
    """The lookup keys stored for a distinct normalised term.

    The unspaced term, each part of a many-part term ("smith jones" ->
    "smithjones", "smith", "jones") and the "mac" spelling of a "mc" term
    give: itself and its one-letter deletions ("d:smth"), its double-metaphone
    codes ("m:SM0"), its consonant skeleton and, from four consonants, the
    skeleton's deletions ("c:smt"); the whole term adds its nickname or
    variant groups for `kind` ("n:william"). 10 to 20 keys for a one-word
    name, up to about 40 for a double-barrelled one.
    """
    term = normalise_name(term)
    whole = compact(term)
    if not whole:
        return set()
    forms = [whole, *_parts(term)]
    mac = _mac_form(whole)
    if mac:
        forms.append(mac)
    keys: set[str] = set()
    for form in forms:
        keys.add(DELETE_KEY + form)
        if len(form) >= MIN_DELETE_LENGTH:
            keys.update(DELETE_KEY + d for d in _deletes(form))
        keys.update(SOUND_KEY + c for c in sound_codes(form))
        keys.update(_skeleton_keys(form))
    keys.update(GROUP_KEY + g for g in name_groups(whole, kind))
    return keys


def query_keys(token: str, kind: Kind | None = None) -> set[str]:
    """The keys to look up for a typed token (or several tokens read as one name).

    Shares at least one key with every stored term that is one edit away (a
    substitution, deletion, insertion or swap of neighbours), that has the same
    double-metaphone code, or that is in the same nickname group; and with
    stored terms two insertions away when the token is long.
    """
    token = normalise_name(token)
    whole = compact(token)
    if not whole:
        return set()
    keys = {DELETE_KEY + whole}
    if len(whole) >= MIN_DELETE_LENGTH:
        ones = _deletes(whole)
        keys.update({DELETE_KEY + d for d in ones})
        if len(whole) >= MIN_DOUBLE_DELETE_LENGTH:
            keys.update(
                {DELETE_KEY + one[:i] + one[i + 1 :] for one in ones for i in range(len(one))}
            )
    keys.update({SOUND_KEY + c for c in sound_codes(whole)})
    keys.update(_skeleton_keys(whole))
    keys.update({DELETE_KEY + p for p in _parts(token)})
    keys.update({GROUP_KEY + g for g in name_groups(whole, kind)})
    return keys


# --------------------------------------------------------------------------- similarity

_FOLD_PATTERNS = (
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "t"),
    (re.compile(r"mps"), "ms"),
    (re.compile(r"[cq]"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"z"), "s"),
    (re.compile(r"y"), "i"),
    (re.compile(r"(.)\1+"), r"\1"),
)
_REPEATS = re.compile(r"(.)\1+")
_NOT_SKELETON = re.compile(r"[aeiouyhw]")


@lru_cache(maxsize=200_000)
def _spelling_fold(form: str) -> str:
    # Spellings that sound alike written one way: "phillips"/"philips" ->
    # "filips", "smyth" -> "smit", "catherine"/"katherine" -> "katerine".
    for pattern, replacement in _FOLD_PATTERNS:
        form = pattern.sub(replacement, form)
    return form


def _form_similarity(a: str, b: str) -> float:
    if a == b:
        return 100.0
    distance = float(OSA.distance(a, b))
    fa, fb = _spelling_fold(a), _spelling_fold(b)
    distance = min(distance, 0.5 + OSA.distance(fa, fb))
    similarity = 100.0 * (1.0 - distance / (max(len(a), len(b)) + 2))
    if _sounds(a) & _sounds(b):
        similarity += PHONETIC_BONUS
    return max(0.0, min(similarity, 99.0))


@lru_cache(maxsize=262_144)
def name_similarity(typed: str, stored: str, kind: Kind) -> float:
    """How well a stored normalised name matches a typed one, 0 to 100.

    100 only for the same name. One typing mistake in a six-letter name scores
    about 87, a sound-alike spelling ("smyth" for "smith") about 98, a nickname
    ("bill" for "william") at least 88, a variant spelling in the same group
    ("cathryn", "katherine") at least 93, a match on one part of a
    double-barrelled name 10 less than the part's own score.
    """
    if typed == stored:
        return 100.0
    a, b = compact(typed), compact(stored)
    if not a or not b:
        return 0.0
    if a == b:
        return 99.0
    best = _form_similarity(a, b)
    for x, y in ((_mac_form(a), b), (a, _mac_form(b))):
        if x and y:
            best = max(best, _form_similarity(x, y))
    typed_parts, stored_parts = _parts(typed), _parts(stored)
    if typed_parts or stored_parts:
        for x in typed_parts or [a]:
            for y in stored_parts or [b]:
                best = max(best, _form_similarity(x, y) - PART_PENALTY)
    if best < GROUP_SOUND_SIMILARITY and name_groups(a, kind) & name_groups(b, kind):
        # Spelling variants of one name ("cathryn", "katherine") sound alike;
        # nicknames ("kate") don't, and score a little lower.
        alike = _sounds(a) & _sounds(b)
        best = max(best, GROUP_SOUND_SIMILARITY if alike else GROUP_SIMILARITY)
    return best


def initial_similarity(initial: str, stored: str) -> float:
    """A forename typed as an initial ("J") against a stored forename."""
    return INITIAL_SIMILARITY if stored[:1] == initial else 0.0


# --------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class Reading:
    """One way to read the typed words: which is the surname, which the forename."""

    surname: str | None
    forename: str | None = None
    initial: str | None = None
    middles: tuple[str, ...] = ()
    penalty: float = 0.0


@dataclass(frozen=True)
class ParsedQuery:
    """What the handler typed, normalised, with the readings worth searching."""

    text: str
    tokens: tuple[str, ...]
    surname_first: bool
    readings: tuple[Reading, ...]


def _drop_titles(tokens: list[str]) -> list[str]:
    while len(tokens) > 1 and tokens[0] in TITLES:
        tokens = tokens[1:]
    return tokens


def _given(tokens: Sequence[str]) -> tuple[str | None, str | None]:
    first = tokens[0]
    return (None, first) if len(first) == 1 else (first, None)


def parse_query(text: str) -> ParsedQuery:
    """Read a typed name: "Smith", "John Smith", "Smith, John", "J Smith", "Mr John Paul Smith".

    Without a comma the last word is taken as the surname, and also (less
    likely) the first word, for callers who give their surname first. Several
    trailing words may form one surname ("Maria de Souza", "Ann Smith Jones").
    A one-letter word is an initial, never a surname. One word alone may be a
    surname or (less likely) a forename.
    """
    readings: list[Reading] = []
    surname_first = "," in text
    if surname_first:
        before, after = text.split(",", 1)
        surname_tokens = _drop_titles(name_tokens(before))
        given_tokens = _drop_titles(name_tokens(after))
        tokens = surname_tokens + given_tokens
        if surname_tokens and given_tokens and len(" ".join(surname_tokens)) > 1:
            forename, initial = _given(given_tokens)
            readings.append(
                Reading(" ".join(surname_tokens), forename, initial, tuple(given_tokens[1:]))
            )
        readings.extend(_plain_readings(tokens, extra_penalty=SWAPPED_PENALTY if readings else 0.0))
    else:
        tokens = _drop_titles(name_tokens(text))
        readings.extend(_plain_readings(tokens))
    unique: dict[tuple, Reading] = {}
    for r in readings:
        key = (r.surname, r.forename, r.initial, r.middles)
        if (r.surname or r.forename) and (key not in unique or unique[key].penalty > r.penalty):
            unique[key] = r
    return ParsedQuery(text, tuple(tokens), surname_first, tuple(unique.values()))


def _plain_readings(tokens: list[str], extra_penalty: float = 0.0) -> list[Reading]:
    n = len(tokens)
    if n == 0:
        return []
    if n == 1:
        if len(tokens[0]) == 1:
            return []
        return [
            Reading(tokens[0], penalty=extra_penalty),
            Reading(None, tokens[0], penalty=extra_penalty + FORENAME_ONLY_PENALTY),
        ]
    readings = []
    forename, initial = _given(tokens)
    if len(tokens[-1]) > 1:
        readings.append(Reading(tokens[-1], forename, initial, tuple(tokens[1:-1]), extra_penalty))
    for start in range(1, n - 1):
        if tokens[start] in SURNAME_PARTICLES or start == n - 2:
            surname = " ".join(tokens[start:])
            penalty = 0.5 if tokens[start] in SURNAME_PARTICLES else 1.0
            readings.append(
                Reading(surname, forename, initial, tuple(tokens[1:start]), extra_penalty + penalty)
            )
    if n >= 3 and len(tokens[-1]) > 1 and len(tokens[0]) > 1 and len(tokens[1]) > 1:
        # A two-word forename: "Anne Marie Duff", "Hans Walter Meier".
        readings.append(
            Reading(tokens[-1], " ".join(tokens[:2]), None, tuple(tokens[2:-1]), extra_penalty + 1)
        )
    if len(tokens[0]) > 1:
        forename, initial = _given(tokens[1:])
        readings.append(
            Reading(
                tokens[0], forename, initial, tuple(tokens[2:]), extra_penalty + SWAPPED_PENALTY
            )
        )
        if n >= 3 and len(tokens[1]) > 1:
            # A two-word surname first: "Cruz Padron Juan", "St Pierre Claude".
            forename, initial = _given(tokens[2:])
            readings.append(
                Reading(
                    " ".join(tokens[:2]),
                    forename,
                    initial,
                    tuple(tokens[3:]),
                    extra_penalty + SWAPPED_PENALTY + 1,
                )
            )
        if tokens[0] in SURNAME_PARTICLES:
            readings.append(Reading(" ".join(tokens), penalty=extra_penalty + 0.5))
    return readings


# --------------------------------------------------------------------------- scoring


class Scorer:
    """Scores residents against one parsed query, remembering per-name similarities.

    Rows of a result set share few distinct names, so each (typed, stored) pair
    is compared once however many residents carry it.
    """

    def __init__(self, query: ParsedQuery):
        self.query = query
        self._similar: dict[tuple[Kind, str, str], float] = {}
        # A stored middle name changes the score only when middle names were typed.
        self.uses_middle = any(reading.middles for reading in query.readings)

    def similarity(self, kind: Kind, typed: str, stored: str) -> float:
        key = (kind, typed, stored)
        found = self._similar.get(key)
        if found is None:
            found = self._similar[key] = name_similarity(typed, stored, kind)
        return found

    def similarities(self, kind: Kind, typed: str, stored: Iterable[str]) -> list[float]:
        """`similarity` of each of many stored names to one typed name, in one pass: the
        candidate names of a typed word run to dozens."""
        return [name_similarity(typed, name, kind) for name in stored]

    def _middle_adjustment(self, typed: tuple[str, ...], stored: str) -> float:
        if not typed:
            return 0.0
        if not stored:
            return -1.0
        best = 0.0
        for word in typed:
            for part in stored.split():
                if len(word) == 1:
                    best = max(best, 100.0 if part[:1] == word else 0.0)
                else:
                    best = max(best, self.similarity(FORENAME, word, part))
        return MIDDLE_BONUS if best >= 85 else (-MIDDLE_BONUS if best < 60 else 0.0)

    def score(self, forename: str, surname: str, middle: str = "") -> float:
        """Best score of the stored (normalised) names over the query's readings.

        Called for every distinct name a search fetches, so each reading costs as few
        calls as it can: `name_similarity` remembers its answers itself."""
        best = 0.0
        for reading in self.query.readings:
            if reading.surname is not None:
                s = name_similarity(reading.surname, surname, SURNAME)
                if reading.forename is not None:
                    f = name_similarity(reading.forename, forename, FORENAME)
                    value = SURNAME_WEIGHT * s + FORENAME_WEIGHT * f
                elif reading.initial is not None:
                    f = initial_similarity(reading.initial, forename)
                    value = SURNAME_WEIGHT * s + FORENAME_WEIGHT * f
                else:
                    value = s - SURNAME_ONLY_PENALTY
            elif reading.forename is not None:
                value = name_similarity(reading.forename, forename, FORENAME)
            else:
                continue
            if reading.middles:
                value += self._middle_adjustment(reading.middles, middle) - reading.penalty
            else:
                value -= reading.penalty
            if value > best:
                best = value
        return max(0.0, min(100.0, best))


def score_candidate(
    query: ParsedQuery, forename: str, surname: str, middle: str | None = None
) -> float:
    """How well a resident's names match the query, 0 (nothing alike) to 100 (exact).

    Surname counts a little more than forename (0.55 to 0.45): handlers
    mishear forenames less, but callers use nicknames. Order given the wrong way
    round costs 4, a surname alone scores its similarity less 6, a forename
    alone less 12. A middle name typed and matching adds 3, typed and not
    matching takes 3.
    """
    return Scorer(query).score(
        normalise_name(forename), normalise_name(surname), normalise_name(middle)
    )


Candidate = tuple  # (id, forename, surname) or (id, forename, surname, middle)


class Ranking:
    """Residents scored against one query, in the order a handler should see them.

    A large council has dozens of John Smiths, and a short list of them alone
    would hide the Jon Smith the caller meant. So each further resident with a
    name already listed is placed as if it scored `REPEAT_STEP` less per
    namesake above it; scores reported are the real ones. Ties keep the order
    candidates were added in.
    """

    def __init__(self, scorer: Scorer):
        self.scorer = scorer
        self._scored: list[tuple[float, int, object, tuple[str, str]]] = []
        self._ids: set[object] = set()
        self._placed: list[tuple[float, int, object, float]] | None = []
        # Rows share few distinct names: score each name once, however many carry it.
        self._scores: dict[tuple[str, str, str | None], tuple[float, tuple[str, str]]] = {}

    def add(self, candidates: Iterable[Candidate]) -> "Ranking":
        # Hundreds of rows a lookup: the loop keeps to what each row needs.
        ids, scores, scored = self._ids, self._scores, self._scored
        uses_middle = self.scorer.uses_middle
        position = len(scored)
        for candidate in candidates:
            person_id, forename, surname, *rest = candidate
            if person_id in ids:
                continue
            ids.add(person_id)
            middle = rest[0] if rest else None
            key = (forename, surname, middle if uses_middle else None)
            if key in scores:
                score, name = scores[key]
            else:
                name = (normalise_name(forename), normalise_name(surname))
                score = self.scorer.score(*name, normalise_name(middle))
                scores[key] = (score, name)
            scored.append((-score, position, person_id, name))
            position += 1
            self._placed = None
        return self

    def _place(self) -> list[tuple[float, int, object, float]]:
        if self._placed is None:
            scored = self._scored
            scored.sort()
            # Placed again after every lookup, hundreds of rows each time: no call a row.
            seen: defaultdict[tuple[str, str], int] = defaultdict(int)
            placed: list = [None] * len(scored)
            for row, (negative, position, person_id, name) in enumerate(scored):
                repeats = seen[name]
                seen[name] = repeats + 1
                placed[row] = (negative + REPEAT_STEP * repeats, position, person_id, -negative)
            placed.sort()
            self._placed = placed
        return self._placed

    def top(self, limit: int) -> list[tuple[object, float]]:
        """The first `limit` residents as (id, score)."""
        return [(person_id, score) for _, _, person_id, score in self._place()[:limit]]

    def place_of(self, limit: int) -> float | None:
        """The placing score of the `limit`-th resident (None while fewer are listed).

        A resident scoring no more than this would not make the list.
        """
        placed = self._place()
        return -placed[limit - 1][0] if len(placed) >= limit else None

    def best(self) -> float | None:
        placed = self._place()
        return placed[0][3] if placed else None


def rank(
    query: ParsedQuery | str, candidates: Iterable[Candidate], limit: int = 5
) -> list[tuple[object, float]]:
    """The `limit` best candidates as (id, score), best first (see `Ranking`).

    Candidates are (id, forename, surname) or (id, forename, surname, middle).
    """
    scorer = Scorer(parse_query(query) if isinstance(query, str) else query)
    return Ranking(scorer).add(candidates).top(limit)
