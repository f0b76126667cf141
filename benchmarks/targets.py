"""The handlers-per-core targets, before and after: the table `make bench` and `make load` end
with.

    python -m benchmarks.targets --before old.json,old-pg.json new.json new-profile.json ...

Each file is the JSON one of the benchmarks wrote, known by its shape: `benchmarks.search`'s
(one database's; give one of each database for the PostgreSQL ÷ SQLite rows),
`benchmarks.profile_pages`' and `benchmarks.load`'s. A row is printed when its figures are in
the "before" files or the "after" ones; a target is met or missed on the "after" figures. Ratios
are to `/healthz` alone (timed one request after another, not beside each operation), measured
in the same run.
"""

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Figures = dict[str, dict]  # "sqlite", "postgresql" (benchmarks.search), "profile", "load"
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SEARCHES = {
    "phone": "phone",
    "reference": "reference",
    "postcode": "postcode",
    "name_exact": "exact name",
    "name_misspelt": "misspelt name",
}
OPERATIONS = {**SEARCHES, "workspace": "call page, verified resident", "screen_pop": "waiting list"}
# The load's step p95 a handler should not wait longer than, and how many handlers should be
# served within it.
SLOW_P95_MS = 100


@dataclass(frozen=True)
class Target:
    """What is measured, and the most (or, `at_least`, the least) it may be."""

    request: str
    measure: Callable[[Figures], float | None]
    limit: float
    at_least: bool = False
    unit: str = "×"

    def met(self, value: float) -> bool:
        return value >= self.limit if self.at_least else value <= self.limit


def _get(figures: Figures, kind: str, *keys: str) -> float | None:
    found = figures.get(kind)
    for key in keys:
        if not isinstance(found, dict) or key not in found:
            return None
        found = found[key]
    return found


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return None if top is None or not bottom else top / bottom


def _to_healthz(database: str, op: str) -> Callable[[Figures], float | None]:
    return lambda f: _ratio(
        _get(f, database, "ops", op, "p95_ms"), _get(f, database, "ops", "floor_alone", "p95_ms")
    )


def _profile_ratio(kind: str, figure: str) -> Callable[[Figures], float | None]:
    return lambda f: _ratio(_get(f, "profile", kind, figure), _get(f, "profile", "healthz", figure))


def _pg_to_sqlite(op: str) -> Callable[[Figures], float | None]:
    return lambda f: _ratio(
        _get(f, "postgresql", "ops", op, "p95_ms"), _get(f, "sqlite", "ops", op, "p95_ms")
    )


def handlers_within(load: dict | None) -> float | None:
    """The most handlers a load run served with p95 within SLOW_P95_MS, stepping up: the step
    before the first that passed it."""
    if not load or not load.get("steps"):
        return None
    served = 0
    for step in sorted(load["steps"], key=lambda step: step["users"]):
        if step["p95_ms"] > SLOW_P95_MS:
            break
        served = step["users"]
    return served


def _targets() -> list[Target]:
    targets = []
    for database, name in DATABASES.items():
        for op in ("phone", "reference", "postcode"):
            targets.append(
                Target(
                    f"{SEARCHES[op]} p95 ÷ `/healthz` alone, {name}", _to_healthz(database, op), 2
                )
            )
        for op in ("name_exact", "name_misspelt"):
            targets.append(
                Target(
                    f"{SEARCHES[op]} p95 ÷ `/healthz` alone, {name}", _to_healthz(database, op), 4
                )
            )
        targets.append(
            Target(
                f"recall@5, misspelt names, {name}",
                lambda f, d=database: _get(f, d, "recall_at_5"),
                0.99,
                at_least=True,
                unit="",
            )
        )
        targets.append(
            Target(
                f"call page, verified resident, p95 ÷ `/healthz` alone, {name}",
                _to_healthz(database, "workspace"),
                6,
            )
        )
    for kind, limit in (("phone", 1.5), ("misspelt", 3), ("workspace", 4)):
        targets.append(
            Target(
                f"Python calls, {kind} ÷ `/healthz`", _profile_ratio(kind, "python_calls"), limit
            )
        )
    targets += [
        Target(
            "waiting-calls poll, unchanged: templates drawn",
            lambda f: _get(f, "profile", "waiting", "templates"),
            0,
            unit="",
        ),
        Target(
            "waiting-calls poll, unchanged: SQL statements (the signed-in user, one read)",
            lambda f: _get(f, "profile", "waiting", "sql"),
            2,
            unit="",
        ),
        Target(
            "waiting-calls poll, unchanged: p95 ÷ `/healthz` alone",
            _profile_ratio("waiting", "p95_ms"),
            1.5,
        ),
    ]
    for op, name in OPERATIONS.items():
        targets.append(Target(f"{name} p95, PostgreSQL ÷ SQLite", _pg_to_sqlite(op), 1.2))
    targets.append(
        Target(
            f"`make load`: handlers served with p95 within {SLOW_P95_MS} ms",
            lambda f: handlers_within(f.get("load")),
            150,
            at_least=True,
            unit="",
        )
    )
    return targets


TARGETS = _targets()


def _shown(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}{unit}" if unit else f"{value:g}"


def rows(before: Figures, after: Figures) -> list[tuple[str, str, str, str, str]]:
    """Each target measured in either set of figures: request, before, after, target, and
    "met", "missed" or "not measured" (no figures after)."""
    found = []
    for target in TARGETS:
        old, new = target.measure(before), target.measure(after)
        if old is None and new is None:
            continue
        verdict = "not measured" if new is None else ("met" if target.met(new) else "missed")
        limit = f"{'≥' if target.at_least else '≤'} {target.limit:g}{target.unit}"
        found.append(
            (target.request, _shown(old, target.unit), _shown(new, target.unit), limit, verdict)
        )
    return found


def table(found: list[tuple[str, ...]]) -> str:
    """A Markdown table, its columns lined up."""
    lines = [("request", "before", "after", "target", ""), *found]
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    cells = [
        [cell.ljust(width) for cell, width in zip(line, widths, strict=True)] for line in lines
    ]
    cells.insert(1, ["-" * width for width in widths])
    return "\n".join("| " + " | ".join(line) + " |" for line in cells)


def kind_of(figures: dict) -> str:
    """Which benchmark wrote these figures (for a search, its database's name)."""
    if "steps" in figures:
        return "load"
    if "ops" in figures:
        return figures["database"]
    if "healthz" in figures and "python_calls" in figures["healthz"]:
        return "profile"
    raise ValueError("not the figures of benchmarks.search, profile_pages or load")


def read(paths: list[str]) -> Figures:
    figures = {}
    for path in paths:
        found = json.loads(Path(path).read_text())
        figures[kind_of(found)] = found
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("after", nargs="*", help="this run's figures (JSON files)")
    parser.add_argument("--before", default="", help="an earlier run's figures, comma-separated")
    args = parser.parse_args()
    before = read([path for path in args.before.split(",") if path])
    after = read([path for path in args.after if path])
    print("\n" + table(rows(before, after)))


if __name__ == "__main__":
    main()
