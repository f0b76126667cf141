"""Name normalisation, lookup keys, query readings and scoring (pure functions)."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.search.names import (
    FORENAME,
    GROUP_SIMILARITY,
    SURNAME,
    Reading,
    name_similarity,
    name_tokens,
    normalise_name,
    parse_query,
    query_keys,
    rank,
    score_candidate,
    skeleton,
    term_keys,
)
from app.search.nicknames import FORENAME_GROUPS, SURNAME_GROUPS, forename_variants


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("Smith", "smith"),
        ("  SMITH  ", "smith"),
        ("McDonald", "mcdonald"),
        ("MacDonald", "mcdonald"),
        ("Mac Donald", "mcdonald"),
        ("Mc Donald", "mcdonald"),
        ("M'Donald", "mcdonald"),
        ("Mackenzie", "mckenzie"),
        ("Mack", "mack"),
        ("Macey", "macey"),
        ("O'Brien", "obrien"),
        ("O’Brien", "obrien"),
        ("O Brien", "obrien"),
        ("OBrien", "obrien"),
        ("D'Arcy", "darcy"),
        ("Smith-Jones", "smith jones"),
        ("Smith – Jones", "smith jones"),
        ("Anne-Marie", "anne marie"),
        ("José Álvarez", "jose alvarez"),
        ("Zoë", "zoe"),
        ("Łukasz Wałęsa", "lukasz walesa"),
        ("Søren Ærø", "soren aero"),
        ("Strauß", "strauss"),
        ("Yıldırım", "yildirim"),
        ("Saint John", "st john"),
        ("St. John", "st john"),
        ("J. R. R. Tolkien", "j r r tolkien"),
        ("Smith2", "smith"),
        ("", ""),
        ("'-.", ""),
    ],
    ids=lambda value: value if value else "empty",
)
def test_names_normalise_to_one_spelling(typed, normalised):
    assert normalise_name(typed) == normalised


def test_name_tokens_are_the_words_of_the_normalised_name():
    assert name_tokens("Mary-Ann  O'Neill") == ["mary", "ann", "oneill"]


@given(st.text(alphabet=string.ascii_letters + " '-’.éÉøÆłß", max_size=30))
def test_normalising_twice_changes_nothing(text):
    once = normalise_name(text)

    assert normalise_name(once) == once


@given(st.text(max_size=30))
def test_normalised_names_have_single_spaces_and_no_capitals(text):
    normalised = normalise_name(text)

    assert normalised == normalised.strip()
    assert "  " not in normalised
    assert normalised == normalised.casefold()


LETTERS = st.text(alphabet=string.ascii_lowercase, min_size=4, max_size=14)
# Stored terms are normalised: "saint" is stored as "st".
TERMS = LETTERS.filter(lambda term: normalise_name(term) == term)


def _shares_a_key(typed: str, stored: str, kind=SURNAME) -> bool:
    return bool(query_keys(typed, kind) & term_keys(stored, kind))


@given(TERMS, st.data())
def test_a_substituted_letter_still_shares_a_key(term, data):
    i = data.draw(st.integers(0, len(term) - 1))
    letter = data.draw(st.sampled_from(string.ascii_lowercase))
    typed = term[:i] + letter + term[i + 1 :]

    assert _shares_a_key(typed, term)


@given(TERMS, st.data())
def test_a_missing_letter_still_shares_a_key(term, data):
    i = data.draw(st.integers(0, len(term) - 1))
    typed = term[:i] + term[i + 1 :]

    assert _shares_a_key(typed, term)


@given(TERMS, st.data())
def test_an_extra_letter_still_shares_a_key(term, data):
    i = data.draw(st.integers(0, len(term)))
    letter = data.draw(st.sampled_from(string.ascii_lowercase))
    typed = term[:i] + letter + term[i:]

    assert _shares_a_key(typed, term)


@given(TERMS, st.data())
def test_two_swapped_letters_still_share_a_key(term, data):
    i = data.draw(st.integers(0, len(term) - 2))
    typed = term[:i] + term[i + 1] + term[i] + term[i + 2 :]

    assert _shares_a_key(typed, term)


@given(TERMS.filter(lambda term: len(term) >= 6), st.data())
def test_two_extra_letters_in_a_long_name_still_share_a_key(term, data):
    typed = term
    for _ in range(2):
        i = data.draw(st.integers(0, len(typed)))
        typed = typed[:i] + data.draw(st.sampled_from(string.ascii_lowercase)) + typed[i:]

    assert _shares_a_key(typed, term)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("smyth", "smith"),
        ("tomson", "thompson"),
        ("philips", "phillips"),
        ("teylor", "taylor"),
        ("terolor", "taylor"),
        ("macdonald", "mcdonald"),
        ("madconald", "mcdonald"),
        ("brien", "obrien"),
        ("jones", "smith jones"),
        ("smithjones", "smith jones"),
        ("desouza", "de souza"),
        ("souza", "de souza"),
        ("li", "le"),
    ],
    ids=lambda value: value,
)
def test_sound_alike_and_compound_surnames_share_a_key(typed, stored):
    assert _shares_a_key(typed, stored)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("bill", "william"), ("peggy", "margaret"), ("cathryn", "katherine"), ("steve", "stephen")],
    ids=lambda value: value,
)
def test_nicknames_share_a_key_with_the_forename(typed, stored):
    assert _shares_a_key(typed, stored, FORENAME)


def test_nickname_keys_are_only_for_forenames():
    assert not _shares_a_key("bill", "william", SURNAME)


def test_unrelated_names_share_no_key():
    assert not _shares_a_key("smith", "okonkwo")


@given(st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=14))
def test_a_term_stores_keys_in_proportion_to_its_length(term):
    keys = term_keys(term, SURNAME)

    assert "d:" + term in keys
    assert len(keys) <= 3 * (len(term) + 2) + 4


def test_keys_are_prefixed_by_what_they_are():
    keys = term_keys("smith", FORENAME)

    assert {"d:smith", "d:smth", "m:SM0", "c:smt"} <= keys
    assert all(key[:2] in {"d:", "m:", "c:", "n:"} for key in keys)


def test_skeleton_keeps_the_first_letter_and_the_consonants():
    assert skeleton("taylor") == skeleton("tailer") == "tlr"


def test_nickname_groups_have_unique_ids_and_normalised_names():
    for groups in (FORENAME_GROUPS, SURNAME_GROUPS):
        ids = [group[0] for group in groups]

        assert len(ids) == len(set(ids))
        assert all(normalise_name(n) == n and " " not in n for g in groups for n in g)


def test_there_are_a_few_hundred_forename_groups():
    assert len(FORENAME_GROUPS) >= 300
    assert {"steve", "stephen", "steven"} <= forename_variants("steven") | {"steven"}
    assert {"muhammad", "mohammad", "mohamed"} <= forename_variants("mohammed")


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("Smith", Reading("smith")),
        ("John Smith", Reading("smith", "john")),
        ("Smith, John", Reading("smith", "john")),
        ("Smith John", Reading("smith", "john", penalty=4.0)),
        ("J Smith", Reading("smith", None, "j")),
        ("Smith, J", Reading("smith", None, "j")),
        ("Mr John Smith", Reading("smith", "john")),
        ("John Paul Smith", Reading("smith", "john", middles=("paul",))),
        ("Ann Smith-Jones", Reading("smith jones", "ann", penalty=1.0)),
        ("Maria de Souza", Reading("de souza", "maria", penalty=0.5)),
        ("Anne Marie Duff", Reading("duff", "anne marie", penalty=1.0)),
        ("Sean O Brien", Reading("obrien", "sean")),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_queries_are_read_as_forename_and_surname(text, reading):
    assert reading in parse_query(text).readings


def test_a_comma_puts_the_surname_first():
    query = parse_query("Thomas, Paul")

    assert query.surname_first
    assert query.readings[0] == Reading("thomas", "paul")


def test_one_word_may_be_a_surname_or_a_forename():
    readings = parse_query("Smith").readings

    assert [r.surname for r in readings] == ["smith", None]
    assert readings[1].penalty > readings[0].penalty


@pytest.mark.parametrize("text", ["", "   ", "J", "Mr", ",", "--"], ids=repr)
def test_queries_without_a_name_have_no_readings(text):
    assert parse_query(text).readings == () or text == "Mr"


def test_a_single_title_is_read_as_a_name():
    assert parse_query("Mr").readings[0] == Reading("mr")


@pytest.mark.parametrize(
    ("typed", "stored", "at_least"),
    [
        ("smith", "smith", 100),
        ("smyth", "smith", 95),
        ("philips", "phillips", 95),
        ("tomson", "thompson", 90),
        ("jhon", "john", 85),
        ("smiht", "smith", 80),
        ("jones", "smith jones", 85),
    ],
    ids=lambda value: str(value),
)
def test_close_surnames_score_high(typed, stored, at_least):
    assert name_similarity(typed, stored, SURNAME) >= at_least


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("bill", "william"), ("peggy", "margaret"), ("kate", "catherine"), ("mo", "mohammed")],
    ids=lambda value: value,
)
def test_nicknames_score_as_variants(typed, stored):
    assert name_similarity(typed, stored, FORENAME) >= GROUP_SIMILARITY


def test_spelling_variants_of_a_forename_score_above_nicknames():
    variant = name_similarity("cathryn", "katherine", FORENAME)
    nickname = name_similarity("kate", "katherine", FORENAME)

    assert variant > nickname


def test_only_the_same_name_scores_100():
    assert name_similarity("smith", "smith", SURNAME) == 100
    assert name_similarity("smith", "smyth", SURNAME) < 100
    assert name_similarity("mcdonald", "mcdonald", SURNAME) == 100


def test_unrelated_names_score_low():
    assert name_similarity("smith", "okonkwo", SURNAME) < 40


@given(LETTERS, LETTERS)
def test_similarity_is_between_0_and_100(typed, stored):
    assert 0 <= name_similarity(typed, stored, SURNAME) <= 100


def test_the_exact_name_scores_best():
    query = parse_query("Stephen Smith")

    exact = score_candidate(query, "Stephen", "Smith")
    variant = score_candidate(query, "Steven", "Smyth")
    other = score_candidate(query, "Susan", "Jones")

    assert exact == 100
    assert exact > variant > 85 > other


def test_surname_first_scores_a_little_less_than_forename_first():
    assert score_candidate(parse_query("Smith John"), "John", "Smith") == 96


def test_an_initial_matches_forenames_with_that_letter():
    query = parse_query("J Smith")

    assert score_candidate(query, "John", "Smith") > score_candidate(query, "Paul", "Smith")


def test_a_matching_middle_name_counts_for_and_a_different_one_against():
    query = parse_query("John Paul Smith")

    matching = score_candidate(query, "John", "Smith", "Paul")
    none = score_candidate(query, "John", "Smith")
    different = score_candidate(query, "John", "Smith", "George")

    assert matching > none > different


def test_rank_lists_the_best_first_and_keeps_to_the_limit():
    candidates = [(1, "Susan", "Jones"), (2, "Stephen", "Smith"), (3, "Steven", "Smith")]

    ranked = rank("Steven Smyth", candidates, limit=2)

    assert [person_id for person_id, _ in ranked] == [3, 2]
    assert ranked[0][1] > ranked[1][1]


def test_rank_lets_a_near_name_past_many_namesakes():
    namesakes = [(i, "Steven", "Smith") for i in range(10)]
    candidates = [*namesakes, (99, "Stephen", "Smith")]

    ranked = rank("Steven Smith", candidates, limit=5)

    assert 99 in [person_id for person_id, _ in ranked]
    assert ranked[0][0] == 0


def test_rank_counts_each_resident_once():
    ranked = rank("John Smith", [(1, "John", "Smith"), (1, "John", "Smith")])

    assert ranked == [(1, 100.0)]
