"""The table of targets `make bench` and `make load` end with (benchmarks/targets.py): each row
from the right figures, met or missed on the "after" ones, and rows with no figures left out."""

import pytest

from benchmarks.targets import handlers_within, kind_of, rows, table


def _search(database: str, healthz: float, phone: float, recall: float = 1.0) -> dict:
    return {
        "database": database,
        "ops": {"floor_alone": {"p95_ms": healthz}, "phone": {"p95_ms": phone}},
        "recall_at_5": recall,
    }


def _row(found: list[tuple], request: str) -> tuple:
    return next(row for row in found if row[0] == request)


def test_a_search_is_timed_against_healthz_alone_and_met_on_the_after_figures():
    before = {"sqlite": _search("sqlite", 1.0, 3.7)}
    after = {"sqlite": _search("sqlite", 1.0, 1.9)}

    phone = _row(rows(before, after), "phone p95 ÷ `/healthz` alone, SQLite")

    assert phone == ("phone p95 ÷ `/healthz` alone, SQLite", "3.7×", "1.9×", "≤ 2×", "met")


def test_a_figure_over_its_limit_is_missed_and_one_not_measured_after_says_so():
    before = {"sqlite": _search("sqlite", 1.0, 1.0, recall=0.995)}
    after = {"sqlite": _search("sqlite", 1.0, 2.5, recall=0.98)}

    found = rows(before, after)

    assert _row(found, "phone p95 ÷ `/healthz` alone, SQLite")[-1] == "missed"
    assert _row(found, "recall@5, misspelt names, SQLite")[1:] == (
        "0.995",
        "0.98",
        "≥ 0.99",
        "missed",
    )
    assert _row(rows(before, {}), "phone p95 ÷ `/healthz` alone, SQLite")[-1] == "not measured"


def test_postgresql_is_compared_with_sqlite_only_when_both_were_measured():
    sqlite, postgresql = _search("sqlite", 1.0, 4.0), _search("postgresql", 1.2, 4.4)

    with_both = rows({}, {"sqlite": sqlite, "postgresql": postgresql})
    alone = rows({}, {"sqlite": sqlite})

    assert _row(with_both, "phone p95, PostgreSQL ÷ SQLite")[2:] == ("1.1×", "≤ 1.2×", "met")
    assert not [row for row in alone if "PostgreSQL" in row[0]]


def test_python_calls_and_the_poll_come_from_the_profile():
    profile = {
        "healthz": {"python_calls": 3000, "sql": 1.0, "p95_ms": 1.0},
        "phone": {"python_calls": 7500, "sql": 5.0, "p95_ms": 4.0},
        "waiting": {"python_calls": 4000, "sql": 2.0, "p95_ms": 1.4, "templates": 0},
    }

    found = rows({}, {"profile": profile})

    assert _row(found, "Python calls, phone ÷ `/healthz`")[2:] == ("2.5×", "≤ 1.5×", "missed")
    assert _row(found, "waiting-calls poll, unchanged: templates drawn")[2:] == ("0", "≤ 0", "met")
    poll = _row(found, "waiting-calls poll, unchanged: p95 ÷ `/healthz` alone")
    assert poll[2:] == ("1.4×", "≤ 1.5×", "met")
    assert not [row for row in found if "SQLite" in row[0] or "make load" in row[0]]


@pytest.mark.parametrize(
    ("p95s", "served"),
    [
        ({50: 30, 100: 60, 150: 90, 200: 140}, 150),
        ({50: 30, 100: 120, 150: 90}, 50),  # the first step over the line counts
        ({150: 101}, 0),
        ({50: 30, 100: 60}, 100),  # never passed, but 150 were not tried
    ],
)
def test_the_handlers_served_are_those_of_the_step_before_p95_passes_100_ms(p95s, served):
    load = {"steps": [{"users": users, "p95_ms": p95} for users, p95 in p95s.items()]}

    assert handlers_within(load) == served


def test_the_load_row_is_met_from_150_handlers():
    load = {"steps": [{"users": 100, "p95_ms": 40}, {"users": 150, "p95_ms": 95}]}

    found = rows({"load": {"steps": [{"users": 100, "p95_ms": 130}]}}, {"load": load})

    assert found == [
        ("`make load`: handlers served with p95 within 100 ms", "0", "150", "≥ 150", "met")
    ]


def test_the_table_lines_up_its_columns_in_markdown():
    lines = table([("phone", "3.7×", "1.9×", "≤ 2×", "met")]).splitlines()

    assert lines[0] == "| request | before | after | target |     |"
    assert set(lines[1]) <= {"|", "-", " "}
    assert lines[2] == "| phone   | 3.7×   | 1.9×  | ≤ 2×   | met |"
    assert len({len(line) for line in lines}) == 1


def test_each_benchmark_s_figures_are_known_by_their_shape():
    assert kind_of(_search("postgresql", 1.0, 2.0)) == "postgresql"
    assert kind_of({"healthz": {"python_calls": 3000}}) == "profile"
    assert kind_of({"steps": []}) == "load"
    with pytest.raises(ValueError):
        kind_of({"audit": {}})
