"""Demo name populations and phone-style misspellings."""

import itertools
from random import Random

import pytest
from faker.providers.person.en_GB import Provider as EnGb
from hypothesis import given
from hypothesis import strategies as st

from app.demo.names import diverse_population, faker_population, misspell
from app.search.names import normalise_name
from app.search.nicknames import forename_variants


@pytest.mark.parametrize(
    "population", [faker_population, diverse_population], ids=lambda f: f.__name__
)
def test_the_same_seed_gives_the_same_names(population):
    assert list(population(2000, seed=5)) == list(population(2000, seed=5))


@pytest.mark.parametrize(
    "population", [faker_population, diverse_population], ids=lambda f: f.__name__
)
def test_another_seed_gives_other_names(population):
    assert list(population(200, seed=5)) != list(population(200, seed=6))


@pytest.mark.parametrize(
    "population", [faker_population, diverse_population], ids=lambda f: f.__name__
)
def test_a_population_has_the_size_asked_for_and_some_middle_names(population):
    names = list(population(1000, seed=1))

    assert len(names) == 1000
    assert 150 < sum(middle is not None for _, middle, _ in names) < 450
    assert all(forename and surname for forename, _, surname in names)


def test_a_longer_population_starts_with_the_shorter_one():
    assert list(itertools.islice(faker_population(60_000, seed=2), 100)) == list(
        faker_population(100, seed=2)
    )


def test_faker_population_uses_faker_en_gb_names():
    names = list(faker_population(5000, seed=1))

    assert {surname for _, _, surname in names} <= set(EnGb.last_names)
    assert {forename for forename, _, _ in names} <= set(EnGb.first_names)


def test_diverse_population_has_twenty_thousand_surnames_in_two_hundred_thousand_people():
    surnames = {normalise_name(surname) for _, _, surname in diverse_population(200_000, seed=1)}

    assert len(surnames) >= 20_000


def test_diverse_population_makes_common_surnames_much_more_common():
    counts: dict[str, int] = {}
    for _, _, surname in diverse_population(50_000, seed=1):
        counts[surname] = counts.get(surname, 0) + 1
    ranked = sorted(counts.values(), reverse=True)

    assert ranked[0] > 100 * ranked[len(ranked) // 2]
    assert "Smith" in sorted(counts, key=counts.get, reverse=True)[:20]


def test_diverse_population_has_double_barrelled_and_accented_surnames():
    surnames = [surname for _, _, surname in diverse_population(20_000, seed=1)]

    assert any("-" in surname for surname in surnames)
    assert any(normalise_name(surname) != surname.lower() for surname in surnames)


@given(st.sampled_from(["Smith", "O'Brien", "McDonald", "Smith-Jones", "Li", "Wojciechowski"]))
def test_a_misspelling_always_differs_and_keeps_a_name(name):
    typed = misspell(name, Random(name))

    assert typed != name
    assert normalise_name(typed)


@given(st.integers(0, 10_000))
def test_the_same_generator_state_gives_the_same_misspelling(seed):
    assert misspell("Thompson", Random(seed)) == misspell("Thompson", Random(seed))


def test_misspellings_are_mostly_one_letter_away():
    rng = Random(1)
    typed = [normalise_name(misspell("Richardson", rng)) for _ in range(500)]

    near = sum(abs(len(t) - len("richardson")) <= 1 for t in typed)

    assert near / len(typed) > 0.9


def test_forenames_are_sometimes_swapped_for_a_nickname():
    rng = Random(1)
    typed = {normalise_name(misspell("William", rng, forename=True)) for _ in range(300)}

    assert typed & forename_variants("william")


def test_surnames_are_never_swapped_for_a_nickname():
    rng = Random(1)
    typed = {normalise_name(misspell("William", rng)) for _ in range(300)}

    assert not typed & {"bill", "billy", "liam", "will"}


def test_mc_and_o_prefixes_are_written_other_ways():
    rng = Random(1)
    typed = {misspell("McDonald", rng) for _ in range(400)}

    assert {"MacDonald", "M'Donald"} & typed
