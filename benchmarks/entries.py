"""Benchmark: a record's history at council scale, and the plans that keep it fast.

Seeds BENCH_ENTRIES_RESIDENTS residents (default 1,000,000) and BENCH_ENTRIES entries (default
20,000,000: about twenty a resident, and BENCH_ENTRIES_HEAVY residents with 500 each) into a
fresh database, with dispatches on some entries (a few still open) and verification attempts
(some residents locked). Then, as a signed-in supervisor, it times through the app's real routes:

  floor            GET /healthz
  workspace        the call page, caller verified as a resident with a typical history
  workspace_heavy  the same for a resident with 500 entries
  record_panel_heavy  the call's record panel alone (the htmx fragment), 500 entries
  dispatches       the open dispatches list
  locks            the locked records list

Every statement each page runs is captured once and explained (`EXPLAIN QUERY PLAN` on SQLite,
`EXPLAIN` on PostgreSQL). A statement that reads a large table (entries, dispatches,
verification attempts, residents) without an index is listed under "full_scans"; the report
says "indexed": true only when there are none. Figures go into BENCH_OUT (default
instance/bench.json) under "entries", and to the terminal.

The database is BENCH_ENTRIES_DATABASE_URL, else BENCH_DATABASE_URL, else
instance/bench_entries.sqlite; it is emptied first.
"""

import json
import os
import re
import secrets
import time
from datetime import timedelta
from pathlib import Path
from random import Random

import click
from sqlalchemy import event, func, select, text

from app import clock
from app.demo.cli import insert_residents
from app.extensions import db
from app.models import Call, Dispatch, Entry, VerificationAttempt
from app.rules import vocabulary
from app.services import bulk
from app.services import staff as staff_service
from benchmarks import audit as audit_bench
from benchmarks.search import _analyse, _fresh_database, _percentiles, bench_url
from config import INSTANCE_DIR

PASSWORD = "bench-password-not-secret"  # noqa: S105
TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
BATCH = 200_000
HEAVY_ENTRIES = 500
BIG_TABLES = ("entries", "dispatches", "verification_attempts", "residents")
SUMMARIES = (
    "Water coming through the ceiling from the flat above",
    "Asked when the next bin collection is",
    "Neighbour worried: curtains closed for three days",
    "Change of address for council tax",
    "Boiler not working, two young children at home",
    "Complaint about a missed appointment",
)
ENTRY_COLUMNS = (
    "id", "resident_id", "area_code", "category", "summary", "urgency", "is_sensitive",
    "status", "reporter_name", "reporter_number", "reporter_relationship",
    "reporter_verified", "created_at",
)  # fmt: skip


def _entry_owners(residents: int, entries: int, heavy: list[int], rng: Random):
    """Resident ids for `entries` entries: HEAVY_ENTRIES each for the heavy ones, the rest at
    random over everybody."""
    for resident_id in heavy:
        yield from [resident_id] * HEAVY_ENTRIES
    for _ in range(entries - HEAVY_ENTRIES * len(heavy)):
        yield rng.randint(1, residents)


def _seed_entries(residents: int, entries: int, heavy: list[int], rng: Random) -> None:
    table = Entry.__table__
    indexes = [i for i in table.indexes if not i.unique]
    for index in indexes:
        index.drop(db.session.connection())
    db.session.commit()
    areas = [a.value for a in vocabulary.ServiceArea]
    categories = [c.value for c in vocabulary.EntryCategory]
    relationships = [r.value for r in vocabulary.Relationship]
    statuses = (vocabulary.EntryStatus.ACTIVE.value, vocabulary.EntryStatus.DISPUTED.value)
    now = clock.now()
    rows: list[tuple] = []
    with click.progressbar(length=entries, label="Entries") as bar:
        for entry_id, resident_id in enumerate(
            _entry_owners(residents, entries, heavy, rng), start=1
        ):
            relationship = relationships[entry_id % len(relationships)]
            rows.append(
                (entry_id, resident_id, areas[entry_id % len(areas)],
                 categories[entry_id % len(categories)], SUMMARIES[entry_id % len(SUMMARIES)],
                 vocabulary.Urgency.ROUTINE.value, entry_id % 50 == 0,
                 statuses[entry_id % 997 == 0],
                 None if relationship == "self" else "A caller", None, relationship,
                 relationship == "self", now - timedelta(minutes=entry_id % 3_000_000))
            )  # fmt: skip
            if len(rows) == BATCH:
                bulk.insert_rows(table, ENTRY_COLUMNS, rows)
                db.session.commit()
                bar.update(len(rows))
                rows = []
        bulk.insert_rows(table, ENTRY_COLUMNS, rows)
        db.session.commit()
        bar.update(len(rows))
    click.echo("Building entry indexes...")
    for index in indexes:
        index.create(db.session.connection())
    db.session.commit()


def _seed_dispatches_and_attempts(residents: int, entries: int, rng: Random) -> list[int]:
    """A dispatch on one entry in a hundred, one in a hundred of those still open; failed and
    passed verification attempts, with every hundredth failing resident locked (three
    failures an hour apart). Returns the locked residents' ids."""
    now = clock.now()
    teams = ("Repairs", "Environmental health", "Adult social care")
    dispatches = [
        (entry_id, teams[entry_id % 3], vocabulary.Urgency.URGENT.value, "Attend today",
         now - timedelta(minutes=entry_id % 100_000 + 60),
         None if entry_id % 10_000 == 1 else now - timedelta(minutes=entry_id % 100_000))
        for entry_id in range(1, entries + 1, 100)
    ]  # fmt: skip
    bulk.insert_rows(
        Dispatch.__table__,
        ("entry_id", "team", "priority", "instructions", "created_at", "closed_at"),
        dispatches,
    )
    db.session.commit()
    # Attempts hang off calls: one ended call carries them all, as far as the lists care.
    db.session.execute(
        Call.__table__.insert().values(
            id=1, started_at=now - timedelta(days=2), ended_at=now - timedelta(days=2)
        )
    )
    attempts, locked = [], []
    failing = rng.sample(range(1, residents + 1), max(residents // 100, 10))
    for n, resident_id in enumerate(failing):
        failures = 3 if n % 100 == 0 else 1
        if failures == 3:
            locked.append(resident_id)
        attempts.extend(
            (1, resident_id, "", "date-of-birth", vocabulary.VerificationResult.FAILED.value,
             now - timedelta(hours=k + 1))
            for k in range(failures)
        )  # fmt: skip
    attempts.extend(
        (1, resident_id, "date-of-birth,postcode", "", vocabulary.VerificationResult.VERIFIED.value,
         now - timedelta(hours=3))
        for resident_id in rng.sample(range(1, residents + 1), max(residents // 10, 10))
    )  # fmt: skip
    bulk.insert_rows(
        VerificationAttempt.__table__,
        ("call_id", "resident_id", "factors_matched", "factors_failed", "result", "created_at"),
        attempts,
    )
    db.session.commit()
    return locked


def _sequences_caught_up() -> None:
    """Rows were copied with their ids: PostgreSQL's sequences catch up before the app inserts."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("calls", "entries", "dispatches", "verification_attempts"):
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                f" (SELECT coalesce(max(id), 1) FROM {table}))"
            )
        )
    db.session.commit()


class _Statements:
    """The statements the app sends while `capturing` is on, with their parameters."""

    def __init__(self, engine) -> None:
        self.capturing = False
        self.seen: list[tuple[str, object]] = []
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self.capturing and statement.lstrip().upper().startswith("SELECT"):
            self.seen.append((statement, parameters))


def _plans(statements: list[tuple[str, object]]) -> tuple[list[dict], list[dict]]:
    """Each statement's plan, and those that read a large table without an index."""
    raw = db.engine.raw_connection()
    dialect = db.engine.dialect.name
    plans, full_scans = [], []
    try:
        cursor = raw.cursor()
        for statement, parameters in statements:
            verb = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
            cursor.execute(verb + statement, parameters)
            lines = [str(row[-1] if dialect == "sqlite" else row[0]) for row in cursor.fetchall()]
            plan = {"sql": " ".join(statement.split())[:300], "plan": lines}
            plans.append(plan)
            for line in lines:
                scan = re.search(r"\bSCAN (\w+)(?! USING)", line) or re.search(
                    r"Seq Scan on (\w+)", line
                )
                if scan and scan.group(1) in BIG_TABLES and "INDEX" not in line:
                    full_scans.append({"table": scan.group(1), **plan})
    finally:
        raw.rollback()
        raw.close()
    return plans, full_scans


def main() -> None:
    residents = int(os.environ.get("BENCH_ENTRIES_RESIDENTS", 1_000_000))
    entries = int(os.environ.get("BENCH_ENTRIES", 20_000_000))
    heavy_count = int(os.environ.get("BENCH_ENTRIES_HEAVY", 1000))
    n = int(os.environ.get("BENCH_REQUESTS", 300))
    out = Path(os.environ.get("BENCH_OUT", INSTANCE_DIR / "bench.json"))
    rng = Random(11)

    app = audit_bench._app(
        bench_url("BENCH_ENTRIES_DATABASE_URL", "bench_entries.sqlite"),
        secrets.token_urlsafe(48),
        chain=True,
    )
    with app.app_context():
        _fresh_database(app)
        started = time.perf_counter()
        insert_residents(residents, seed=2026, names="faker")
        heavy = rng.sample(range(1, residents + 1), heavy_count)
        _seed_entries(residents, entries, heavy, rng)
        locked = _seed_dispatches_and_attempts(residents, entries, rng)
        _sequences_caught_up()
        _analyse()
        seed_s = time.perf_counter() - started
        staff_service.save_staff_user(
            email="bench-supervisor@example.org", name="Bench Supervisor", password=PASSWORD,
            role=vocabulary.Role.SUPERVISOR, area_codes=[a.value for a in vocabulary.ServiceArea],
        )  # fmt: skip
        typical = db.session.scalar(
            select(Entry.resident_id)
            .where(Entry.resident_id.not_in(heavy))
            .group_by(Entry.resident_id)
            .having(func.count() >= 20)
            .limit(1)
        )
        dialect = db.engine.dialect.name

    client, token = audit_bench._sign_in(app, "bench-supervisor@example.org")
    typical_call = audit_bench._verified_call(app, client, token, typical)
    heavy_call = audit_bench._verified_call(app, client, token, heavy[0])
    htmx = {"HX-Request": "true"}
    pages = {
        "floor": ("/healthz", {}),
        "workspace": (typical_call, {}),
        "workspace_heavy": (heavy_call, {}),
        "record_panel_heavy": (heavy_call + "/record", htmx),
        "dispatches": ("/dispatches", {}),
        "locks": ("/locks", {}),
    }
    with app.app_context():
        capture = _Statements(db.engine)
    results, plans, full_scans = {}, {}, []
    for name, (url, headers) in pages.items():
        with app.app_context():
            capture.capturing, capture.seen = True, []
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code)
        with app.app_context():
            capture.capturing = False
            plans[name], scans = _plans(capture.seen)
        full_scans.extend({"page": name, **scan} for scan in scans)
        samples = []
        for _ in range(n):
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            response.get_data()
            samples.append(time.perf_counter() - started)
        results[name] = _percentiles(samples)
    floor = results["floor"]["p95_ms"]
    for figures in results.values():
        figures["p95_over_floor"] = round(figures["p95_ms"] / floor, 1)

    report = {
        "database": dialect,
        "residents": residents,
        "entries": entries,
        "heavy_residents": heavy_count,
        "locked_residents": len(locked),
        "seed_s": round(seed_s, 1),
        "ops": results,
        "indexed": not full_scans,
        "full_scans": full_scans,
        "plans": plans,
    }
    merged = json.loads(out.read_text()) if out.exists() else {}
    merged["entries"] = report
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(merged, indent=2) + "\n")
    print(f"\n{residents:,} residents, {entries:,} entries on {dialect}; seeded in {seed_s:.0f} s")
    print(f"{'page':<20}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'÷ floor':>9}")
    for name, figures in results.items():
        print(
            f"{name:<20}{figures['n']:>6}{figures['p50_ms']:>10.2f}{figures['p95_ms']:>10.2f}"
            f"{figures['p99_ms']:>10.2f}{figures['p95_over_floor']:>9.1f}"
        )
    if full_scans:
        print("Statements reading a large table without an index:")
        for scan in full_scans:
            print(f"  {scan['page']}: {scan['table']}: {' | '.join(scan['plan'])}")
    else:
        print("Every statement these pages run uses an index on the large tables.")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
