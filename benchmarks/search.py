"""Benchmark: finding a record and opening the call workspace at council scale.

Seeds BENCH_RESIDENTS residents (default 1,000,000) into a fresh database
(SQLite under instance/, or BENCH_DATABASE_URL), then times requests through
the app's real routes, in process, as a signed-in handler:

  floor          GET /healthz (the app's minimal endpoint), requested just before every
                 request below; each operation's ratio is to the floor measured beside it
  phone          search by a phone number on file, typed in national format
  reference      search by a public reference, typed with hyphens
  postcode       search by a postcode, typed in lower case without a space
  name_exact     search by "forename surname"
  name_misspelt  search by a misspelt "forename surname" (generated variants)
  workspace      the call page of a resident calling about themselves, verified: what a
                 handler sees through most of a call (the report, permission, sharing
                 and end-of-call forms, and the record)
  screen_pop     one poll of the waiting calls list, with 20 calls waiting (16 with a
                 resident's number on file, 4 withheld), drawn in full each time

recall_at_5 is the share of misspelt queries whose resident (or a namesake
with exactly the same name) is among the first five results. BENCH_NAMES=diverse
seeds a population with a realistic spread of surnames. BENCH_REUSE=1 times the
residents an earlier run seeded into the same database instead of seeding afresh.
Figures go to BENCH_OUT (default instance/bench.json) and to the terminal.
"""

import json
import os
import re
import secrets
import statistics
import time
from pathlib import Path
from random import Random

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app import create_app
from app.demo.cli import insert_residents
from app.demo.names import misspell
from app.extensions import db
from app.models import Call, Resident, ResidentPhone, StaffUser
from app.models.types import utcnow
from app.phone_numbers import for_display
from app.references import format_reference
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import CallerType, Role, ServiceArea
from app.services import inbound_calls
from app.services import staff as staff_service
from app.services.call_state import record_verification
from config import INSTANCE_DIR, Config, database_url

RESULT_ID = re.compile(r'name="resident_id" value="(\d+)"')
PASSWORD = "bench-password-not-secret"  # noqa: S105
BENCH_EMAIL = "bench@example.org"
WAITING_CALLS = 20


def bench_url(own: str | None = None, sqlite_file: str = "bench.sqlite") -> str:
    """A benchmark's database: its own variable `own` if set, else BENCH_DATABASE_URL, else a
    SQLite file under instance/."""
    return (
        (database_url(os.environ.get(own)) if own else None)
        or database_url(os.environ.get("BENCH_DATABASE_URL"))
        or f"sqlite:///{INSTANCE_DIR / sqlite_file}"
    )


def _config() -> type[Config]:
    url = bench_url()

    class BenchConfig(Config):
        SECRET_KEY = secrets.token_urlsafe(48)  # sessions last one run
        SQLALCHEMY_DATABASE_URI = url
        ARGON2_PROFILE = "cheapest"

    return BenchConfig


def _fresh_database(app) -> None:
    from flask_migrate import upgrade

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        db.engine.dispose()
        path = Path(db.engine.url.database)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    upgrade()


def misspelt_name(forename: str, surname: str, rng: Random) -> str:
    """ "forename surname" as a handler might mistype it: the surname, the forename or both."""
    choice = rng.random()
    if choice < 0.4:
        surname = misspell(surname, rng)
    elif choice < 0.7:
        forename = misspell(forename, rng, forename=True)
    else:
        surname = misspell(surname, rng)
        forename = misspell(forename, rng, forename=True)
    return f"{forename} {surname}"


def phones_of(resident_ids: list[int]) -> dict[int, str]:
    """A phone number on file for each of these residents that has one."""
    stmt = select(ResidentPhone.resident_id, ResidentPhone.number).where(
        ResidentPhone.resident_id.in_(resident_ids)
    )
    return dict(db.session.execute(stmt).all())


def _analyse() -> None:
    if db.engine.dialect.name == "postgresql":
        # As after any bulk load: statistics, and the visibility map that lets the
        # covering name indexes answer without visiting the table.
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE")
            )
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _seeded(count: int) -> bool:
    """An earlier run's residents are there to time again (BENCH_REUSE=1)."""
    try:
        return db.session.scalar(select(func.count()).select_from(Resident)) == count
    except DBAPIError:
        db.session.rollback()
        return False


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "n": len(ordered),
        "p50_ms": round(q[49] * 1000, 3),
        "p95_ms": round(q[94] * 1000, 3),
        "p99_ms": round(q[98] * 1000, 3),
    }


def _time(
    client, url: str, queries: list[str], headers: dict, token: str | None = None
) -> tuple[list[float], list[str], list[float]]:
    """Time a GET per None in `queries`, and a search (posted, as the page does) per query,
    each just after a GET of /healthz, timed too: the floor the operation is compared with
    is measured beside it, so a machine whose speed drifts during the run (a shared one)
    does not skew the ratio."""
    samples, bodies, floor = [], [], []
    for query in queries:
        started = time.perf_counter()
        client.get("/healthz").get_data()
        floor.append(time.perf_counter() - started)
        started = time.perf_counter()
        if query is None:
            response = client.get(url, headers=headers)
        else:
            response = client.post(url, data={"q": query, "csrf_token": token}, headers=headers)
        body = response.get_data(as_text=True)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, query, response.status_code)
        bodies.append(body)
    return samples, bodies, floor


def _beside_floor(samples: list[float], floor: list[float]) -> dict:
    figures, floor_figures = _percentiles(samples), _percentiles(floor)
    return {
        **figures,
        "floor_p95_ms": floor_figures["p95_ms"],
        "p95_vs_floor": round(figures["p95_ms"] / floor_figures["p95_ms"], 1),
    }


def main() -> None:
    count = int(os.environ.get("BENCH_RESIDENTS", 1_000_000))
    names = os.environ.get("BENCH_NAMES", "faker")
    n = int(os.environ.get("BENCH_REQUESTS", 1000))
    out = Path(os.environ.get("BENCH_OUT", INSTANCE_DIR / "bench.json"))
    rng = Random(7)

    app = create_app(_config())
    with app.app_context():
        reuse = os.environ.get("BENCH_REUSE") == "1" and _seeded(count)
        seed_s = None
        if not reuse:
            _fresh_database(app)
            started = time.perf_counter()
            insert_residents(count, seed=2026, names=names)
            seed_s = time.perf_counter() - started
            db.session.commit()
            _analyse()
        total = db.session.scalar(select(func.count()).select_from(Resident))
        sample_ids = sorted(rng.sample(range(1, total + 1), n))
        residents = db.session.scalars(select(Resident).where(Resident.id.in_(sample_ids))).all()
        phones = phones_of(sample_ids)
        if not db.session.scalar(select(StaffUser.id).where(StaffUser.email == BENCH_EMAIL)):
            staff_service.save_staff_user(
                email=BENCH_EMAIL, name="Bench Handler", password=PASSWORD,
                role=Role.HANDLER, area_codes=[a.value for a in ServiceArea],
            )  # fmt: skip
        queries = {
            "phone": [for_display(phones[r.id]) for r in residents],
            "reference": [format_reference(r.reference).lower() for r in residents],
            "postcode": [r.postcode.replace(" ", "").lower() for r in residents],
            "name_exact": [f"{r.forename} {r.surname}" for r in residents],
            "name_misspelt": [],
        }
        targets = []
        for r in residents:
            queries["name_misspelt"].append(misspelt_name(r.forename, r.surname, rng))
            targets.append((r.id, r.forename_norm, r.surname_norm))

    client = app.test_client()
    token_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', token_page).group(1)
    response = client.post(
        "/login", data={"email": BENCH_EMAIL, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, "bench handler could not sign in"
    token = re.search(
        r'name="csrf-token" content="([^"]+)"', client.get("/calls").get_data(as_text=True)
    ).group(1)
    response = client.post("/calls", data={"caller_number": "07700900999", "csrf_token": token})
    call_url = response.headers["Location"]
    htmx = {"HX-Request": "true"}

    results: dict[str, dict] = {}
    floors: list[float] = []
    # The floor alone, one request after another, for comparison: the floor beside each
    # operation is a little higher, as each /healthz follows a heavier request.
    started = time.perf_counter()
    alone = []
    for _ in range(n):
        client.get("/healthz").get_data()
        alone.append(time.perf_counter() - started)
        started = time.perf_counter()
    recall = None
    for op, op_queries in queries.items():
        samples, bodies, floor = _time(client, call_url + "/search", op_queries, htmx, token)
        results[op] = _beside_floor(samples, floor)
        floors += floor
        if op == "name_misspelt":
            with app.app_context():
                hits = 0
                for (target_id, forename, surname), body in zip(targets, bodies, strict=True):
                    top = [int(i) for i in RESULT_ID.findall(body)[:5]]
                    if target_id in top:
                        hits += 1
                        continue
                    namesakes = db.session.scalar(
                        select(func.count()).select_from(Resident).where(
                            Resident.id.in_(top), Resident.forename_norm == forename,
                            Resident.surname_norm == surname,
                        )
                    )  # fmt: skip
                    hits += bool(namesakes)
                recall = round(hits / len(targets), 4)

    with app.app_context():
        call_id = int(call_url.rsplit("/", 1)[1])
        call = db.session.get(Call, call_id)
        call.resident_id = residents[0].id
        call.caller_type = CallerType.RESIDENT
        record_verification(call, VerifiedAs.RESIDENT, utcnow())
        db.session.commit()
    samples, bodies, floor = _time(client, call_url, [None] * n, {})
    assert '<section id="report"' in bodies[-1], "the call page is not at the report step"
    results["workspace"] = _beside_floor(samples, floor)
    floors += floor

    with app.app_context():
        for i in range(WAITING_CALLS):
            number = phones[residents[i + 1].id] if i < WAITING_CALLS - 4 else None
            inbound_calls.record_inbound_call(f"CA{i:032x}", number)
    samples, bodies, floor = _time(client, "/calls/waiting", [None] * n, htmx)
    assert bodies[-1].count("Take call<") == WAITING_CALLS, "the waiting calls are not all shown"
    results["screen_pop"] = _beside_floor(samples, floor)
    floors += floor
    results = {"floor_alone": _percentiles(alone), "floor": _percentiles(floors), **results}

    with app.app_context():
        dialect = db.engine.dialect.name
    report = {
        "residents": count,
        "database": dialect,
        "names": names,
        "seed_s": round(seed_s, 1) if seed_s is not None else None,
        "ops": results,
        "recall_at_5": recall,
        "screen_pop_poll_p95_ms": results["screen_pop"]["p95_ms"],
        "screen_pop_waiting_calls": WAITING_CALLS,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    seeded = f"seeded in {seed_s:.1f} s" if seed_s is not None else "seeded by an earlier run"
    print(f"\n{count:,} residents ({names} names) on {dialect}; {seeded}")
    print(
        f"{'operation':<15}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}"
        f"{'floor p95':>11}{'p95 ÷ floor':>13}"
    )
    for op, figures in results.items():
        beside = (
            f"{figures['floor_p95_ms']:>11.2f}{figures['p95_vs_floor']:>12.1f}×"
            if "floor_p95_ms" in figures
            else ""
        )
        print(
            f"{op:<15}{figures['n']:>6}{figures['p50_ms']:>10.2f}"
            f"{figures['p95_ms']:>10.2f}{figures['p99_ms']:>10.2f}{beside}"
        )
    print(f"recall@5 (misspelt names): {recall}")
    print(
        f"screen-pop poll p95 with {WAITING_CALLS} waiting calls: "
        f"{results['screen_pop']['p95_ms']:.2f} ms"
    )
    print(f"written to {out}")


if __name__ == "__main__":
    main()
