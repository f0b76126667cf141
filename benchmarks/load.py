"""Load: the app run as in production, worked by simulated call handlers (`make load`).

1. Seeds LOAD_RESIDENTS residents (default 100,000; LOAD_NAMES, default diverse) into the
   PostgreSQL database LOAD_DATABASE_URL (created if missing, its `public` schema dropped
   first), and one handler account for each simulated handler.
2. Starts, as in production (APP_ENV=production): gunicorn with its production settings
   (app/gunicorn_config.py; LOAD_WORKERS workers if set, WEB_THREADS passes through), a
   Redis of its own for the rate limits (on a free port, nothing kept on disk), and secrets
   made for this run only. Every simulated handler signs in from 127.0.0.1, so the sign-in
   limit per address is raised for the run (LOAD_SIGN_IN_LIMIT_PER_ADDRESS); the limit per
   account is as in production.
3. Times /healthz on the quiet server (the floor), then runs Locust, headless
   (benchmarks/locustfile.py), once for each number of handlers in LOAD_USERS (default 100;
   a list such as 25,50,100,150,200 steps up), starting LOAD_SPAWN_RATE handlers a second
   (default 10). Each step measures LOAD_SECONDS (default 60) from 10 seconds after the last
   handler signed in. The rate limits start afresh for each step.

Per endpoint it reports the request rate, p50/p95/p99 and errors, and per step the CPU a
request cost the app's processes and PostgreSQL's (steadier than times on a busy machine);
figures are printed and written to LOAD_OUT (default instance/load.json), beside the bench
figures.
"""

import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from random import Random

from sqlalchemy import make_url, select

from app import create_app, gunicorn_config
from app.demo.cli import insert_residents
from app.extensions import db
from app.models import Resident
from app.phone_numbers import for_display
from app.rules.vocabulary import Role, ServiceArea
from app.services import staff as staff_service
from benchmarks.search import _analyse, _fresh_database, misspelt_name, phones_of
from config import BASE_DIR, INSTANCE_DIR, Config, database_url
from deploy.cluster import create_database

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/load"
PASSWORD = secrets.token_urlsafe(16)  # the handlers' accounts last one run
CALLERS = 2000
TARGET_P95_MS = 50
SLOW_P95_MS = 100
# After the last handler has signed in: time for each server process to draw its first pages.
WARMUP_SECONDS = 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed(url: str, residents: int, names: str, handlers: int) -> dict:
    """A fresh database with `residents` residents and `handlers` handler accounts; who the
    handlers are and who calls them, for the locustfile."""

    class SeedConfig(Config):
        SECRET_KEY = secrets.token_urlsafe(48)
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(SeedConfig)
    rng = Random(11)
    with app.app_context():
        _fresh_database(app)
        started = time.perf_counter()
        insert_residents(residents, seed=2026, names=names)
        db.session.commit()
        _analyse()
        seed_s = time.perf_counter() - started
        ids = sorted(rng.sample(range(1, residents + 1), min(CALLERS, residents)))
        phones = phones_of(ids)
        callers = []
        for r in db.session.scalars(select(Resident).where(Resident.id.in_(ids))):
            if r.id not in phones:
                continue
            callers.append(
                {
                    "resident_id": r.id,
                    "name": f"{r.forename} {r.surname}",
                    "misspelt": misspelt_name(r.forename, r.surname, rng),
                    "phone": for_display(phones[r.id]),
                    "date_of_birth": f"{r.date_of_birth.day} {r.date_of_birth.month} "
                    f"{r.date_of_birth.year}",
                    "postcode": r.postcode.lower(),
                }
            )
        emails = [f"handler{n:04d}@load.example.org" for n in range(handlers)]
        for n, email in enumerate(emails):
            staff_service.save_staff_user(
                email=email, name=f"Load Handler {n}", password=PASSWORD,
                role=Role.HANDLER, area_codes=[a.value for a in ServiceArea],
            )  # fmt: skip
        db.session.commit()
        db.engine.dispose()
    return {"password": PASSWORD, "handlers": emails, "callers": callers, "seed_s": seed_s}


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the app stopped while starting (exit {process.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the app did not answer /healthz in time")


def _floor(url: str, n: int = 500) -> dict:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:  # noqa: S310
            response.read()
        samples.append((time.perf_counter() - started) * 1000)
    q = statistics.quantiles(sorted(samples), n=100, method="inclusive")
    return {"n": n, "p50_ms": round(q[49], 2), "p95_ms": round(q[94], 2), "p99_ms": round(q[98], 2)}


def _run_step(host: str, users: int, seconds: int, rate: float, env: dict) -> dict:
    """One Locust run: `users` handlers started at `rate` a second; once all have signed in
    and WARMUP_SECONDS more have passed, `seconds` measured (the locustfile then stops)."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "step.json"
        # Only a backstop: the locustfile stops Locust when the measured time is up.
        limit = WARMUP_SECONDS + seconds + users / rate + 300
        command = [
            sys.executable, "-m", "locust", "-f", str(BASE_DIR / "benchmarks" / "locustfile.py"),
            "--headless", "--host", host, "-u", str(users), "-r", str(rate),
            "-t", f"{limit:.0f}s", "--only-summary", "--stop-timeout", "10",
            "--loglevel", "WARNING",
        ]  # fmt: skip
        step_env = {
            **env,
            "LOAD_STEP_OUT": str(out),
            "LOAD_WARMUP_SECONDS": str(WARMUP_SECONDS),
            "LOAD_SECONDS": str(seconds),
        }
        subprocess.run(command, env=step_env, cwd=BASE_DIR, check=False)  # noqa: S603
        figures = json.loads(out.read_text())
    return {"users": users, **figures}


def _ms(figure: float | None) -> str:
    return f"{'-':>9}" if figure is None else f"{figure:>9.1f}"


def _print_step(step: dict) -> None:
    print(f"\n{step['users']} simulated handlers, {step['measured_s']} s measured")
    if "server_cpu_ms_per_request" in step:
        print(
            f"CPU per request: {step['server_cpu_ms_per_request']} ms the app's, "
            f"{step['database_cpu_ms_per_request']} ms PostgreSQL's"
        )
    print(f"{'endpoint':<36}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, figures in sorted(step["endpoints"].items(), key=lambda item: item[0] == "all"):
        print(
            f"{name:<36}{figures['rps']:>8.1f}{_ms(figures['p50_ms'])}"
            f"{_ms(figures['p95_ms'])}{_ms(figures['p99_ms'])}{figures['errors']:>8}"
        )


def main() -> None:
    url = database_url(os.environ.get("LOAD_DATABASE_URL")) or DEFAULT_URL
    residents = int(os.environ.get("LOAD_RESIDENTS", 100_000))
    names = os.environ.get("LOAD_NAMES", "diverse")
    users = [int(n) for n in os.environ.get("LOAD_USERS", "100").split(",")]
    seconds = int(os.environ.get("LOAD_SECONDS", 60))
    rate = float(os.environ.get("LOAD_SPAWN_RATE", 10))
    workers = int(os.environ.get("LOAD_WORKERS") or gunicorn_config.workers)
    out = Path(os.environ.get("LOAD_OUT", INSTANCE_DIR / "load.json"))

    create_database(url)
    people = _seed(url, residents, names, max(users))
    print(f"seeded {residents:,} residents ({names} names) in {people['seed_s']:.0f} s")
    # A file of this run's own (readable by its owner only), so two runs never mix accounts.
    handle, name = tempfile.mkstemp(prefix="load_people_", suffix=".json", dir=INSTANCE_DIR)
    people_file = Path(name)
    with os.fdopen(handle, "w") as file:
        json.dump(people, file)

    redis_port, app_port = _free_port(), _free_port()
    host = f"http://127.0.0.1:{app_port}"
    redis_command = ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no"]  # fmt: skip
    redis = subprocess.Popen(redis_command, stdout=subprocess.DEVNULL)  # noqa: S603
    secret = secrets.token_urlsafe(48)
    app_env = {
        **os.environ,
        "APP_ENV": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": secret,
        "AUDIT_CHAIN_KEY": secrets.token_urlsafe(48),
        # Production needs somewhere to keep the chain's head; the web processes never seal.
        "AUDIT_HEAD_FILE": str(INSTANCE_DIR / "load-audit-head.log"),
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{redis_port}/0",
        "SIGN_IN_LIMIT_PER_ADDRESS": os.environ.get(
            "LOAD_SIGN_IN_LIMIT_PER_ADDRESS", "10000 per 15 minutes"
        ),
        "WEB_CONCURRENCY": str(workers),
        # Production refuses an address on this machine; the run calls no webhook, and
        # texts knowingly go nowhere but the outbox.
        "PUBLIC_BASE_URL": "https://calls.load.example",
        "TWILIO_OFF": "1",
    }
    # gunicorn as production runs it (app/gunicorn_config.py), on this run's port.
    app = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "--config", "python:app.gunicorn_config",
         "--bind", f"127.0.0.1:{app_port}", "--log-level", "warning", "app:create_app()"],
        env=app_env, cwd=BASE_DIR,
    )  # fmt: skip
    # Sealers beside the load (benchmarks/sealer.py): LOAD_SEALERS "MODE:COUNT" processes.
    mode, _, count = os.environ.get("LOAD_SEALERS", "").partition(":")
    sealers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "benchmarks.sealer", "loop", mode], env=app_env, cwd=BASE_DIR
        )
        for _ in range(int(count or 0))
    ]
    steps = []
    try:
        _wait_until_up(host, app)
        floor = _floor(host)
        print(f"/healthz on the quiet server: p50 {floor['p50_ms']} ms, p95 {floor['p95_ms']} ms")
        locust_env = {
            **os.environ,
            "LOAD_PEOPLE": str(people_file),
            "LOAD_SERVER_PID": str(app.pid),
            "LOAD_DATABASE_NAME": make_url(url).database,
        }
        for n in users:
            subprocess.run(  # noqa: S603
                ["redis-cli", "-p", str(redis_port), "FLUSHALL"],  # noqa: S607
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            steps.append(_run_step(host, n, seconds, rate, locust_env))
            _print_step(steps[-1])
    finally:
        for sealer in sealers:
            sealer.terminate()
            sealer.wait(timeout=30)
        app.terminate()
        app.wait(timeout=30)
        redis.terminate()
        redis.wait(timeout=30)
        people_file.unlink(missing_ok=True)

    for step in steps:
        overall = step["endpoints"]["all"]
        step["p95_ms"] = overall["p95_ms"]
        step["errors"] = overall["errors"]
        step["p95_to_floor_p95"] = round(overall["p95_ms"] / floor["p95_ms"], 1)
    slow = next((s["users"] for s in steps if s["p95_ms"] > SLOW_P95_MS), None)
    report = {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "residents": residents,
        "names": names,
        "database": "postgresql",
        "gunicorn_workers": workers,
        "gunicorn_threads": getattr(gunicorn_config, "threads", 1),  # 1 in code older than threads
        "floor": floor,
        "steps": steps,
        "target": f"p95 < {TARGET_P95_MS} ms, no errors",
        "handlers_at_which_p95_passes_100_ms": slow,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print()
    for step in steps:
        met = step["p95_ms"] < TARGET_P95_MS and step["errors"] == 0
        print(
            f"{step['users']:>4} handlers: p95 {step['p95_ms']:.0f} ms "
            f"({step['p95_to_floor_p95']}x /healthz), {step['errors']} errors"
            f" - target {'met' if met else 'missed'}"
        )
    print(
        "p95 passes 100 ms at "
        + (f"{slow} handlers" if slow else f"none of the steps tried (up to {max(users)})")
    )
    print(f"written to {out}")


if __name__ == "__main__":
    main()
