"""Chaos (`make chaos`): the simulated handlers of `make load` work through HAProxy for
CHAOS_SECONDS (default 300) while one web host is killed and restarted and one outbox
worker is killed in the middle of a batch. Then it counts what was lost.

The cluster is `make cluster`'s (deploy/cluster.py) with a second scheduler (as on a second
host), started here process by process so that some can be killed (SIGKILL, the whole
process group: in-flight requests on that host fail). CHAOS_USERS handlers (default 20) over
CHAOS_RESIDENTS residents (default 20,000) in CHAOS_DATABASE_URL (default .../chaos, its
schema dropped first). Texts are queued throughout (as reports, locks and decisions queue
them) and go to the console backend, whose log line per send is counted.

Printed and written to CHAOS_OUT (default instance/chaos.json): requests failed; calls lost
(a call the app said it started that is not in the database); texts lost (not sent by the
end) and sent twice (two send lines for one message); whether `flask audit verify` passes at
the end; and each periodic job's periods, run exactly once each.
"""

import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from app import clock, create_app
from app.extensions import db
from app.models import Call, JobRun, OutboxMessage, Resident
from app.rules.vocabulary import MessageKind, MessageStatus
from app.services import outbox
from benchmarks.load import _run_step, _seed
from config import INSTANCE_DIR, Config, database_url
from deploy.cluster import ROOT, Layout, create_database

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/chaos"
SENT_LINE = re.compile(r"console SMS (\d+) to number")
TEXTS_EVERY = 2.0
BURST = 150
LEASE_SECONDS = 30
SPAWN_RATE = 5
WARMUP = 10  # benchmarks/load.py's, before measuring starts
SUMMARY = (
    "requests", "requests_failed", "calls_lost", "texts_queued", "texts_lost",
    "texts_sent_twice", "audit_chain_verified", "every_job_ran_once_per_period",
)  # fmt: skip


class Process:
    """One process of the cluster, in a process group of its own, its output in a file."""

    def __init__(self, name: str, command: str, env: dict, logs: Path):
        self.name, self.command, self.env = name, command, env
        self.log = logs / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as out:
            self.popen = subprocess.Popen(  # noqa: S603
                shlex.split(self.command), env=self.env, cwd=ROOT, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def kill(self) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer in time")


class Texter(threading.Thread):
    """Queues texts to residents while the run lasts, a few every TEXTS_EVERY seconds, and a
    burst on request (for the worker to be killed in the middle of)."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app = app
        self.stopping = threading.Event()
        self.queued = 0

    def queue(self, count: int) -> None:
        with self.app.app_context():
            resident = db.session.scalar(select(Resident).order_by(Resident.id).limit(1))
            for n in range(count):
                outbox.queue_message_to(
                    f"+4477009{n % 1000:05d}", MessageKind.REPORT_MADE, resident,
                    "Chaos run: a text that must arrive exactly once.",
                )  # fmt: skip
            db.session.commit()
            self.queued += count

    def run(self) -> None:
        while not self.stopping.wait(TEXTS_EVERY):
            self.queue(3)


def _job_periods(app, since: datetime, until: datetime) -> dict:
    """For each job: its periods that began within the run, and how each was run."""
    from app.scheduler.cli import JOBS

    found = {}
    with app.app_context():
        for name, job in JOBS.items():
            runs = db.session.scalars(
                select(JobRun).where(
                    JobRun.job == name, JobRun.period_start >= since, JobRun.period_start < until
                )
            ).all()
            # A job runs as its period begins: every period that began during the run.
            expected = []
            start = job.period.start_of(since)
            if start < since:
                start += job.period.every
            while start < until:
                expected.append(start)
                start += job.period.every
            by_period = {run.period_start: run for run in runs}
            found[name] = {
                "periods": len(expected),
                "ran_once": sum(
                    1 for p in expected if p in by_period and by_period[p].outcome == "done"
                ),
                "missed": [p.isoformat() for p in expected if p not in by_period],
                "failed": [r.period_start.isoformat() for r in runs if r.outcome == "failed"],
                "taken_over": sum(1 for r in runs if r.attempts > 1),
            }
    return found


def main() -> None:
    seconds = int(os.environ.get("CHAOS_SECONDS", 300))
    users = int(os.environ.get("CHAOS_USERS", 20))
    residents = int(os.environ.get("CHAOS_RESIDENTS", 20_000))
    url = database_url(os.environ.get("CHAOS_DATABASE_URL")) or DEFAULT_URL
    port = int(os.environ.get("CHAOS_PORT", 18180))
    out = Path(os.environ.get("CHAOS_OUT", INSTANCE_DIR / "chaos.json"))
    directory = INSTANCE_DIR / "chaos"
    shutil.rmtree(directory, ignore_errors=True)
    (directory / "logs").mkdir(parents=True)

    create_database(url)
    people = _seed(url, residents, "diverse", users)
    print(f"seeded {residents:,} residents and {users} handlers")
    people_file = directory / "people.json"
    people_file.write_text(json.dumps(people))

    layout = Layout(directory, url, port, workers=2, schedulers=2)
    env = {
        **os.environ,
        **layout.environment(),
        "SIGN_IN_LIMIT_PER_ADDRESS": "10000 per 15 minutes",
        "LOG_FORMAT": "json",
        # The killed worker's messages come back to the others after this (10 minutes in
        # production), so the run can see every one of them sent.
        "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    processes = {
        name: Process(name, command, env, directory / "logs")
        for name, command in layout.processes().items()
    }

    class ChaosConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = env["SECRET_KEY"]

    app = create_app(ChaosConfig)
    texter = Texter(app)
    events: list[str] = []

    def note(what: str) -> None:
        events.append(f"{time.monotonic() - began:6.1f} s: {what}")
        print(events[-1], flush=True)

    began = time.monotonic()
    run_from = clock.now()
    step: dict = {}
    try:
        for process in processes.values():
            process.start()
        _wait_for(f"{layout.address}/healthz")
        for web_port in layout.web_ports:
            _wait_for(f"http://127.0.0.1:{web_port}/healthz")
        note("cluster up")
        # The periodic jobs are counted from here: a period that began while the
        # schedulers were still starting had nobody to run it.
        run_from = clock.now()
        locust_env = {**os.environ, "LOAD_PEOPLE": str(people_file)}
        # The handlers go to HAProxy by its address, as benchmarks/load.py does.
        balancer = f"http://127.0.0.1:{layout.port}"
        load = threading.Thread(
            target=lambda: step.update(_run_step(balancer, users, seconds, SPAWN_RATE, locust_env))
        )
        load.start()
        texter.start()
        # The measured time starts once every handler has signed in, and WARMUP after.
        measured_from = time.monotonic() + users / SPAWN_RATE + WARMUP + 5

        def at(fraction: float) -> None:
            time.sleep(max(0.0, measured_from + fraction * seconds - time.monotonic()))

        at(0.3)
        processes["web1"].kill()
        note("web1 killed (SIGKILL, with its requests in flight)")
        time.sleep(min(15, seconds * 0.1))
        processes["web1"].start()
        note("web1 restarted")
        at(0.55)
        texter.queue(BURST)
        note(f"{BURST} texts queued at once")
        time.sleep(0.4)
        processes["worker1"].kill()
        note("worker1 killed (SIGKILL, in the middle of the batch)")
        time.sleep(5)
        processes["worker1"].start()
        note("worker1 restarted")
        load.join()
        texter.stopping.set()
        texter.join()
        note("load finished; waiting for the outbox to empty and one more sealing round")
        drain_until = time.monotonic() + LEASE_SECONDS + 60
        with app.app_context():
            while time.monotonic() < drain_until:
                waiting = db.session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status == MessageStatus.PENDING)
                )
                db.session.commit()
                if not waiting:
                    break
                time.sleep(1)
        # The next whole minute's sealing round, and a little more.
        time.sleep(62 - datetime.now(UTC).second)
        run_until = clock.now()
    finally:
        for process in processes.values():
            process.stop()
        note("cluster stopped")

    verify = subprocess.run(
        [sys.executable, "-m", "flask", "audit", "verify", "--seal"], env=env, cwd=ROOT,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    sends: dict[int, int] = {}
    for log in (directory / "logs").glob("worker*.log"):
        for match in SENT_LINE.finditer(log.read_text()):
            sends[int(match.group(1))] = sends.get(int(match.group(1)), 0) + 1
    with app.app_context():
        messages = db.session.execute(select(OutboxMessage.id, OutboxMessage.status)).all()
        calls_in_database = db.session.scalar(select(func.count()).select_from(Call))
    unsent = [m.id for m in messages if m.status != MessageStatus.SENT]
    twice = sorted(i for i, n in sends.items() if n > 1)
    jobs = _job_periods(app, run_from, run_until)
    overall = step.get("endpoints", {}).get("all", {})
    report = {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "seconds": seconds,
        "handlers": users,
        "residents": residents,
        "cluster": "HAProxy, 2 web hosts (gunicorn, 2 workers each), 2 outbox workers, "
        "2 schedulers, PostgreSQL, Redis",
        "events": events,
        "requests": overall.get("requests"),
        "requests_failed": overall.get("errors"),
        "p95_ms": overall.get("p95_ms"),
        "calls_started": step.get("calls_started"),
        "calls_in_database": calls_in_database,
        "calls_lost": max(0, (step.get("calls_started") or 0) - (calls_in_database or 0)),
        "texts_queued": len(messages),
        "texts_lost": len(unsent),
        "texts_sent_twice": len(twice),
        "texts_sent_twice_ids": twice[:20],
        "audit_chain_verified": verify.returncode == 0,
        "audit_verify_output": verify.stdout.strip().splitlines()[:3]
        + verify.stderr.strip().splitlines()[-3:],
        "periodic_jobs": jobs,
        "every_job_ran_once_per_period": all(
            j["ran_once"] == j["periods"] and not j["failed"] for j in jobs.values()
        ),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print()
    for name in SUMMARY:
        print(f"{name.replace('_', ' '):<32}{report[name]}")
    for name, job in jobs.items():
        print(f"  {name:<18} {job['ran_once']}/{job['periods']} periods run once")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
