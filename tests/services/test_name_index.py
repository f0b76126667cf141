"""The database name index answers exactly as the in-memory algorithm it serves."""

from random import Random

from app.demo.names import faker_population, misspell
from app.extensions import db
from app.models import NameKey, NameTerm
from app.search.index import NameIndex, search_names
from app.search.names import normalise_name
from app.services.name_index import SqlNameStore, index_names
from tests import factories
from tests.helpers import count_rows


def test_sql_store_ranks_misspelt_names_exactly_like_the_in_memory_index():
    memory = NameIndex()
    people = list(faker_population(200, seed=11))
    for forename, middle, surname in people:
        resident = factories.make_resident(forename=forename, middle_names=middle, surname=surname)
        memory.add(resident.id, forename, surname, middle)
    rng = Random(3)
    queries = [
        f"{misspell(forename, rng, forename=True)} {misspell(surname, rng)}"
        for forename, _, surname in rng.sample(people, 40)
    ]

    for query in queries:
        from_sql = search_names(query, SqlNameStore(), limit=5)
        from_memory = search_names(query, memory, limit=5)

        assert from_sql == from_memory, query


def test_indexing_the_same_names_twice_adds_nothing_new():
    names = [(normalise_name("Stephen"), normalise_name("Smith"))]
    first = index_names(names)
    db.session.commit()
    keys = count_rows(NameKey)

    second = index_names(names)
    db.session.commit()

    assert first == 2
    assert second == 0
    assert count_rows(NameKey) == keys
    assert count_rows(NameTerm) == 2
