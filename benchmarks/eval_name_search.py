"""Offline evaluation of the typo-tolerant name search (no database, no Flask).

Builds an in-memory `NameIndex` over a Faker en_GB population and a diverse one,
asks misspelt names of residents in it, and reports recall@1, recall@5 and
latency per query. A query counts as found when the resident is in the top 5,
or when a top-5 result has exactly the resident's forename and surname (the
search cannot tell two John Smiths apart by name).

    .venv/bin/python -m benchmarks.eval_name_search --people 200000 --queries 2000
"""

import argparse
import statistics
import time
from collections.abc import Callable, Hashable
from random import Random

from app.demo.names import diverse_population, faker_population, misspell
from app.search.index import NameIndex, search_names
from app.search.names import normalise_name

Person = tuple[str, str | None, str]
Query = tuple[str, Hashable]

# Spellings a handler may type for a resident's recorded name: sound-alikes,
# variants and nicknames, Mc/Mac and O' forms. (typed, recorded)
SOUND_ALIKES = (
    ("Steven Smyth", "Stephen Smith"),
    ("Jon Thomson", "John Thompson"),
    ("Kathryn Tomson", "Catherine Thompson"),
    ("Cathryn Philips", "Katherine Phillips"),
    ("Bill Mackenzie", "William McKenzie"),
    ("Peggy Obrien", "Margaret O'Brien"),
    ("Shaun O Brien", "Sean O'Brien"),
    ("Mohamed Ali", "Mohammed Ali"),
    ("Muhammad Khan", "Mohammed Khan"),
    ("Liz Macdonald", "Elizabeth McDonald"),
    ("Jeff Clark", "Geoffrey Clarke"),
    ("Ann Reed", "Anne Reid"),
    ("Phil Grey", "Philip Gray"),
    ("Sue Stuart", "Susan Stewart"),
    ("Chris Davis", "Christopher Davies"),
    ("Micheal Jonson", "Michael Johnson"),
    ("Nicolas Simson", "Nicholas Simpson"),
    ("Jeffery Hughs", "Geoffrey Hughes"),
    ("Rachael Mathews", "Rachel Matthews"),
    ("Debra Kelley", "Deborah Kelly"),
    ("Sara Lewes", "Sarah Lewis"),
    ("Tony Stephenson", "Anthony Stevenson"),
    ("Alistair MacIntosh", "Alasdair Mackintosh"),
    ("Rory O'Neil", "Ruairi O'Neill"),
    ("Neve Docherty", "Niamh Doherty"),
    ("Shivaun Byrne", "Siobhan Byrne"),
    ("Zoe Mcguire", "Zoë Maguire"),
    ("Aisha Choudhury", "Ayesha Chowdhury"),
    ("Jose Garcia", "José García"),
    ("Francois Lefevre", "François Lefèvre"),
    ("Lucas Muller", "Lukas Müller"),
    ("Kerry Dougherty", "Keri Doherty"),
    ("Greg Pierce", "Gregory Pearce"),
    ("Gary Fisher", "Garry Fischer"),
    ("Jayne Read", "Jane Reid"),
    ("Matt Thomson", "Matthew Thompson"),
    ("Katie Mackenzie", "Catherine MacKenzie"),
    ("Johnny Walker", "Jonathan Walker"),
    ("Ellie Harrison", "Eleanor Harrison"),
    ("Abbie Wright", "Abigail Wright"),
    ("Dave Jones", "David Jones"),
    ("Kate Midleton", "Catherine Middleton"),
    ("Shelley Philips", "Michelle Phillips"),
    ("Jackie O'Connor", "Jacqueline Connor"),
    ("Fred Smith Jones", "Frederick Smith-Jones"),
    ("Hugh Fernley Whittingstall", "Hugh Fearnley-Whittingstall"),
    ("Anne Marie Duff", "Anne-Marie Duff"),
    ("Ian Mac Lean", "Iain McLean"),
    ("Sian Pryce", "Siân Price"),
    ("Eoin Mcgrath", "Owen Magrath"),
    ("Tom Simkins", "Thomas Simpkins"),
    ("Suzanne Bayley", "Susanne Bailey"),
    ("Vicky Ashworth", "Victoria Ashworth"),
    ("Jo Anne Clarke", "Joanne Clarke"),
    ("Lindsey Mcallister", "Lyndsey MacAlister"),
    ("Mo Hussein", "Mohammed Hussain"),
    ("Yasmin Begum", "Jasmine Begum"),
    ("Maggie Davy", "Margaret Davey"),
    ("Harry Windsor", "Henry Windsor"),
)


def build_index(people: list[Person]) -> NameIndex:
    index = NameIndex()
    for person_id, (forename, middle, surname) in enumerate(people):
        index.add(person_id, forename, surname, middle)
    return index


def _one_misspelt(person: Person, rng: Random) -> tuple[str, str]:
    """(forename, surname), one of the two misspelt, either with even odds."""
    forename, _, surname = person
    if rng.random() < 0.5:
        return misspell(forename, rng, forename=True), surname
    return forename, misspell(surname, rng)


def _one_error(person: Person, rng: Random) -> str:
    return " ".join(_one_misspelt(person, rng))


def _both_errors(person: Person, rng: Random) -> str:
    forename, _, surname = person
    return f"{misspell(forename, rng, forename=True)} {misspell(surname, rng)}"


def _typed(person: Person, rng: Random) -> str:
    return _one_error(person, rng) if rng.random() < 0.5 else _both_errors(person, rng)


def _surname_twice(person: Person, rng: Random) -> str:
    forename, _, surname = person
    return f"{forename} {misspell(misspell(surname, rng), rng)}"


def _swapped(person: Person, rng: Random) -> str:
    forename, _, surname = person
    typed = _one_error(person, rng).split(" ", 1)
    return f"{typed[1]} {typed[0]}" if len(typed) == 2 else f"{surname} {forename}"


def _comma(person: Person, rng: Random) -> str:
    forename, surname = _one_misspelt(person, rng)
    return f"{surname}, {forename}"


def _with_middle(person: Person, rng: Random) -> str:
    forename, middle, surname = person
    return f"{forename} {middle} {misspell(surname, rng)}"


QUERY_KINDS: dict[str, Callable[[Person, Random], str]] = {
    "1 error in one or both names": _typed,
    "error in both names": _both_errors,
    "2 errors in surname": _surname_twice,
    "surname first": _swapped,
    "Surname, Forename": _comma,
    "with middle name": _with_middle,
}


def make_queries(
    people: list[Person], make: Callable[[Person, Random], str], count: int, seed: int
) -> list[Query]:
    rng = Random(seed)
    queries = []
    eligible = range(len(people))
    if make is _with_middle:
        eligible = [i for i, p in enumerate(people) if p[1]]
    while len(queries) < count:
        target = rng.choice(eligible)
        queries.append((make(people[target], rng), target))
    return queries


def full_name(person: Person) -> tuple[str, str]:
    return normalise_name(person[0]), normalise_name(person[2])


class CountingStore:
    """The index as the search's store, counting what a database would be asked."""

    def __init__(self, index: NameIndex):
        self.index = index
        self.term_lookups = self.people_lookups = self.rows = 0

    def lookup_terms(self, kind, keys):
        self.term_lookups += 1
        return self.index.lookup_terms(kind, keys)

    def lookup_people(self, surnames, forenames, **options):
        self.people_lookups += 1
        rows = self.index.lookup_people(surnames, forenames, **options)
        self.rows += len(rows)
        return rows


def evaluate(index: NameIndex, people: list[Person], queries: list[Query]) -> dict:
    at1 = at5 = 0
    timings = []
    misses = []
    store = CountingStore(index)
    for text, target in queries:
        started = time.perf_counter()
        results = search_names(text, store, limit=5)
        timings.append((time.perf_counter() - started) * 1000)
        wanted = full_name(people[target])
        found = [i == target or full_name(people[i]) == wanted for i, _ in results]
        at1 += bool(found[:1] and found[0])
        at5 += any(found)
        if not any(found):
            misses.append(
                (text, " ".join(wanted), [" ".join(full_name(people[i])) for i, _ in results[:3]])
            )
    timings.sort()
    return {
        "n": len(queries),
        "recall@1": at1 / len(queries),
        "recall@5": at5 / len(queries),
        "p50_ms": statistics.median(timings),
        "p95_ms": timings[int(0.95 * (len(timings) - 1))],
        "per_query": (
            f"{store.term_lookups / len(queries):.1f} term + "
            f"{store.people_lookups / len(queries):.1f} people lookups, "
            f"{store.rows / len(queries):.0f} rows"
        ),
        "misses": misses,
    }


def run(name: str, people: list[Person], count: int, seed: int, show_misses: int) -> None:
    started = time.perf_counter()
    people = list(people)
    # Residents with the names the sound-alike queries look for.
    curated: list[Query] = []
    for typed, recorded in SOUND_ALIKES:
        forename, surname = recorded.split(" ", 1)
        people.append((forename, None, surname))
        curated.append((typed, len(people) - 1))
    index = build_index(people)
    print(
        f"\n{name}: {index.people:,} residents, {index.term_count('surname'):,} surnames, "
        f"{index.term_count('forename'):,} forenames, "
        f"{index.key_count('surname') + index.key_count('forename'):,} key rows, "
        f"built in {time.perf_counter() - started:.1f} s"
    )
    print(
        f"{'queries':30} {'n':>5} {'recall@1':>9} {'recall@5':>9} {'p50 ms':>7} {'p95 ms':>7}"
        f"  {'warm p50':>8} {'warm p95':>8}  per query"
    )
    sets = [(kind, make_queries(people, make, count, seed)) for kind, make in QUERY_KINDS.items()]
    sets.append(("sound-alikes and nicknames", curated))
    for kind, queries in sets:
        result = evaluate(index, people, queries)
        # Again, with the caches of a server that has been answering for a while.
        warm = evaluate(index, people, queries)
        print(
            f"{kind:30} {result['n']:>5} {result['recall@1']:>9.3f} {result['recall@5']:>9.3f} "
            f"{result['p50_ms']:>7.2f} {result['p95_ms']:>7.2f}  "
            f"{warm['p50_ms']:>8.2f} {warm['p95_ms']:>8.2f}  {result['per_query']}"
        )
        for miss in result["misses"][:show_misses]:
            print("    missed:", miss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show-misses", type=int, default=0)
    parser.add_argument("--population", choices=("faker", "diverse", "both"), default="both")
    args = parser.parse_args()
    if args.population in ("faker", "both"):
        people = list(faker_population(args.people, args.seed))
        run("Faker en_GB", people, args.queries, args.seed, args.show_misses)
    if args.population in ("diverse", "both"):
        people = list(diverse_population(args.people, args.seed))
        run("Diverse", people, args.queries, args.seed, args.show_misses)


if __name__ == "__main__":
    main()
