"""Benchmark: what the audit log's chain costs, writing and verifying.

1. Writes: the call workspace (the call page with a verified resident selected), its record
   panel (which audits what it discloses) and a search on the call (audited too), timed
   through the app's real routes in process as a signed-in handler, with the chain on and
   with it off (`AUDIT_CHAIN_ENABLED = False`, a setting only this benchmark uses: no MAC is
   made). The two apps share one database and take turns request by request, so the
   machine's load falls on both alike. Also the bare cost of one `audit.record` with and
   without its MAC.
2. Verifying: BENCH_AUDIT_EVENTS events (default 100,000) written with their MACs, sealed
   (timed: `flask audit seal`'s work), then verified (timed: `flask audit verify`'s work);
   the time per million events is scaled from that run, linearly (verify reads each event
   once, in id order, in batches).

The database is BENCH_AUDIT_DATABASE_URL, else BENCH_DATABASE_URL, else
instance/bench_audit.sqlite; it is emptied first. BENCH_AUDIT_RESIDENTS residents (default
10,000) are seeded. Figures are merged into BENCH_OUT (default instance/bench.json) under
"audit" and printed.
"""

import json
import os
import re
import secrets
import statistics
import time
from pathlib import Path

from sqlalchemy import func, select

from app import clock, create_app
from app.demo.cli import insert_residents
from app.extensions import db
from app.models import AuditEvent, Call, Resident, StaffUser
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import CallerType, Role, ServiceArea
from app.services import audit, call_state
from app.services import staff as staff_service
from benchmarks.search import _fresh_database, _percentiles, bench_url
from config import INSTANCE_DIR, Config

PASSWORD = "bench-password-not-secret"  # noqa: S105
TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


def _app(url: str, secret: str, chain: bool):
    class BenchConfig(Config):
        SECRET_KEY = secret  # both apps read each other's sessions
        SQLALCHEMY_DATABASE_URI = url
        ARGON2_PROFILE = "cheapest"
        AUDIT_CHAIN_ENABLED = chain
        # The benchmark only reads workspace pages; two-factor sign-in is not what it times.
        TWO_FACTOR_ROLES = frozenset()
        # The call stays open and its caller verified however long the run takes.
        VERIFICATION_IDLE_MINUTES = 10**6
        CALL_MAX_MINUTES = 10**6

    return create_app(BenchConfig)


def _sign_in(app, email: str):
    """A test client signed in as `email`, and its CSRF token."""
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, "bench handler could not sign in"
    return client, TOKEN.search(client.get("/calls").get_data(as_text=True)).group(1)


def _verified_call(app, client, token: str, resident_id: int) -> str:
    """A call started by the signed-in client, its caller verified as the resident."""
    response = client.post("/calls", data={"caller_number": "07700900999", "csrf_token": token})
    call_url = response.headers["Location"]
    with app.app_context():
        call = db.session.get(Call, int(call_url.rsplit("/", 1)[1]))
        call.resident_id = resident_id
        call.caller_type = CallerType.RESIDENT
        call_state.record_verification(call, VerifiedAs.RESIDENT, clock.now())
        call.last_activity_at = clock.now()
        db.session.commit()
    return call_url


def _signed_in_call(app, email: str, resident_id: int):
    client, token = _sign_in(app, email)
    return client, _verified_call(app, client, token, resident_id), token


def _timed(client, method: str, url: str, **kwargs) -> float:
    started = time.perf_counter()
    response = client.open(url, method=method, **kwargs)
    response.get_data()
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code, response.location)
    return elapsed


def _writes(url: str, n: int, residents: int) -> dict:
    secret = secrets.token_urlsafe(48)
    apps = {"chain": _app(url, secret, True), "no_chain": _app(url, secret, False)}
    with apps["chain"].app_context():
        _fresh_database(apps["chain"])
        insert_residents(residents, seed=2026, names="faker")
        db.session.commit()
        for name in apps:  # one each: signing in ends the account's other sessions
            staff_service.save_staff_user(
                email=f"{name}@example.org", name=f"Bench Handler {name}", password=PASSWORD,
                role=Role.HANDLER, area_codes=[a.value for a in ServiceArea],
            )  # fmt: skip
        resident = db.session.scalar(select(Resident).order_by(Resident.id).limit(1))
        resident_id, postcode = resident.id, resident.postcode
    sessions = {
        name: _signed_in_call(app, f"{name}@example.org", resident_id) for name, app in apps.items()
    }
    samples: dict[str, dict[str, list[float]]] = {
        name: {"workspace": [], "record_panel": [], "search": []} for name in apps
    }
    for client, call_url, _token in sessions.values():  # warm up
        for _ in range(20):
            _timed(client, "GET", call_url)
    # One request each way in turn, so the machine's load falls on both alike.
    for _ in range(n):
        for name, (client, call_url, token) in sessions.items():
            samples[name]["workspace"].append(_timed(client, "GET", call_url))
            samples[name]["record_panel"].append(
                _timed(client, "GET", call_url + "/record", headers={"HX-Request": "true"})
            )
            samples[name]["search"].append(
                _timed(
                    client, "POST", call_url + "/search",
                    data={"q": postcode, "csrf_token": token},
                    headers={"HX-Request": "true"},
                )
            )  # fmt: skip

    per_request = {}
    with apps["chain"].app_context():
        for name in apps:
            written = db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .join(StaffUser, StaffUser.id == AuditEvent.staff_id)
                .where(StaffUser.email == f"{name}@example.org")
            )
            requests = sum(len(times) for times in samples[name].values())
            per_request[name] = round(written / requests, 2)

    record_cost = {}
    for name, app in apps.items():
        with app.app_context():
            times = []
            for i in range(n):
                started = time.perf_counter()
                audit.record("bench.event", resident_id=resident_id, n=i)
                times.append(time.perf_counter() - started)
            db.session.rollback()
            record_cost[name] = round(statistics.median(times) * 1e6, 1)

    figures = {
        name: {op: _percentiles(s) for op, s in ops.items()} for name, ops in samples.items()
    }
    return {
        "workspace_p95_ms": {name: figures[name]["workspace"]["p95_ms"] for name in apps},
        "record_panel_p95_ms": {name: figures[name]["record_panel"]["p95_ms"] for name in apps},
        "search_p95_ms": {name: figures[name]["search"]["p95_ms"] for name in apps},
        "ops": figures,
        "record_median_us": record_cost,
        # Events each timed request wrote (sign-in and call start included, so a little over).
        "audit_events_per_request": per_request,
        "requests_each": n,
        "residents": residents,
    }


def _verify(url: str, events: int) -> dict:
    app = _app(url, secrets.token_urlsafe(48), True)
    with app.app_context():
        _fresh_database(app)
        started = time.perf_counter()
        for i in range(events):
            audit.record(
                "bench.event", resident_id=None, purpose="Resident asked about rent", n=i,
                matched=["date-of-birth", "postcode"],
            )  # fmt: skip
            if i % 1000 == 999:
                db.session.commit()
        db.session.commit()
        write_s = time.perf_counter() - started
        started = time.perf_counter()
        sealed = audit.seal_pending(batch_size=5000)
        seal_s = time.perf_counter() - started
        db.session.remove()
        cpu = time.process_time()
        result = audit.verify()
        verify_cpu_s = time.process_time() - cpu
        assert result.intact, result.check.problem
        assert result.check.checked == events
        stored = db.session.scalar(select(func.count()).select_from(AuditEvent))
    per_million = result.seconds * 1_000_000 / events
    return {
        "events": stored,
        "sealed": sealed,
        "write_events_per_s": round(events / write_s),
        "seal_s": round(seal_s, 2),
        "verify_s": round(result.seconds, 2),
        "verify_s_per_million_events": round(per_million, 1),
        # CPU time of this process alone: what the figure would be on an idle machine, less
        # the database's own time (in process for SQLite, so included there).
        "verify_cpu_s_per_million_events": round(verify_cpu_s * 1_000_000 / events, 1),
        "seal_s_per_million_events": round(seal_s * 1_000_000 / events, 1),
        "scaled_from": events,
    }


def main() -> None:
    url = bench_url("BENCH_AUDIT_DATABASE_URL", "bench_audit.sqlite")
    n = int(os.environ.get("BENCH_AUDIT_REQUESTS", 500))
    residents = int(os.environ.get("BENCH_AUDIT_RESIDENTS", 10_000))
    events = int(os.environ.get("BENCH_AUDIT_EVENTS", 100_000))
    out = Path(os.environ.get("BENCH_OUT", INSTANCE_DIR / "bench.json"))

    writes = _writes(url, n, residents)
    verifying = _verify(url, events)
    dialect = url.split(":", 1)[0]
    report = json.loads(out.read_text()) if out.exists() else {}
    report["audit"] = {"database": dialect, "writes": writes, "verify": verifying}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")

    print(f"\nAudit chain on {dialect}, {residents:,} residents, {n} requests each way")
    print(f"{'':<28}{'chain p95 ms':>14}{'no chain p95 ms':>17}")
    for label, key in (
        ("call workspace", "workspace_p95_ms"),
        ("record panel (audited)", "record_panel_p95_ms"),
        ("search on a call (audited)", "search_p95_ms"),
    ):
        print(f"{label:<28}{writes[key]['chain']:>14.2f}{writes[key]['no_chain']:>17.2f}")
    cost = writes["record_median_us"]
    print(f"{'audit.record, median us':<28}{cost['chain']:>14.1f}{cost['no_chain']:>17.1f}")
    print(
        f"\n{verifying['events']:,} events: written at {verifying['write_events_per_s']:,}/s, "
        f"sealed in {verifying['seal_s']} s, verified in {verifying['verify_s']} s: "
        f"{verifying['verify_s_per_million_events']} s per million events "
        f"(scaled from {verifying['scaled_from']:,}; "
        f"{verifying['verify_cpu_s_per_million_events']} s of CPU)"
    )


if __name__ == "__main__":
    main()
