"""Benchmark: does the portal's sign-in answer in the same time whatever was typed?

Times `POST /portal` through the app in this process (Flask's test client), with Twilio
Verify and Lookup behind the fake HTTP client of tests/telephony/fake_twilio.py made to
answer slowly (BENCH_PORTAL_LATENCY_MS, default 200 ms a request), for three kinds of
attempt taken in turn: the right reference and date of birth, the right reference with a
wrong date, and a well-formed reference nobody has. BENCH_PORTAL_REQUESTS (default 200) of each.

The sign-in request only queues the code (app/services/portal.py) and the worker sends it,
so the three medians should be within a few milliseconds of each other; before that change
the first kind waited for Lookup and Verify inside the request. No worker runs here: what a
stranger can time is the request alone. Prints each kind's median and 90th percentile in ms
and the largest gap between medians, and provider requests made during the requests (0).

The database is BENCH_PORTAL_DATABASE_URL (emptied first), else a fresh SQLite file in
instance/.
"""

import os
import secrets
import statistics
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text

from config import INSTANCE_DIR, Config

BORN = "14/03/1948"


def _app(url: str):
    from app import create_app

    class BenchConfig(Config):
        SECRET_KEY = secrets.token_urlsafe(48)
        SQLALCHEMY_DATABASE_URI = url
        TWILIO_VERIFY_SERVICE_SID = "VA" + "0" * 32
        TWILIO_LOOKUP_ENABLED = True
        # Every attempt here comes from one address and two references.
        PORTAL_SIGN_IN_LIMIT_PER_REFERENCE = "1000000 per minute"
        PORTAL_SIGN_IN_LIMIT_PER_ADDRESS = "1000000 per minute"
        # Nor does the hourly limit of codes stop sending early: every match sends one.
        TEXT_CODE_POLICY = {**Config.TEXT_CODE_POLICY, "sends_per_hour": 1_000_000}

    return create_app(BenchConfig)


def _fresh_database() -> str:
    url = os.environ.get("BENCH_PORTAL_DATABASE_URL")
    if url:
        return url
    path = Path(INSTANCE_DIR) / "bench_portal.sqlite"
    path.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _csrf(client) -> str:
    page = client.get("/portal").get_data(as_text=True)
    marker = 'name="csrf-token" content="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def main() -> None:
    from app.extensions import db
    from app.references import new_reference
    from tests import factories
    from tests.telephony.fake_twilio import install_fake_twilio

    requests = int(os.environ.get("BENCH_PORTAL_REQUESTS", "200"))
    latency = int(os.environ.get("BENCH_PORTAL_LATENCY_MS", "200")) / 1000
    app = _app(_fresh_database())
    fake = install_fake_twilio(app)
    fake.delay = latency
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        reference = factories.make_resident().reference
    # Each request outside this context, as in production: a context of its own, so nothing
    # (the CSRF token Flask-WTF keeps in `g`) carries from one visitor to the next.
    kinds = {
        "right reference and date of birth": (reference, BORN),
        "right reference, wrong date of birth": (reference, "1/1/1950"),
        "unknown reference": (new_reference(), BORN),
    }
    clients = {kind: app.test_client() for kind in kinds}
    tokens = {kind: _csrf(client) for kind, client in clients.items()}
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    for round_ in range(requests + 5):  # the first five of each warm up, unmeasured
        for kind, (typed_reference, born) in kinds.items():
            data = {"reference": typed_reference, "date_of_birth": born, "csrf_token": tokens[kind]}
            started = time.perf_counter()
            response = clients[kind].post("/portal", data=data)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.headers.get("Location") == "/portal/code", response.status_code
            if round_ >= 5:
                timings[kind].append(elapsed)
    medians = {kind: statistics.median(values) for kind, values in timings.items()}
    print(f"{requests} sign-ins of each kind, provider answering in {latency * 1000:.0f} ms")
    for kind, values in timings.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"  {kind:40} median {medians[kind]:6.1f} ms   p90 {p90:6.1f} ms")
    print(f"  largest gap between medians: {max(medians.values()) - min(medians.values()):.1f} ms")
    print(f"  provider requests made during the sign-in requests: {len(fake.requests)}")


if __name__ == "__main__":
    main()
