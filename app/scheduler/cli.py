"""`flask scheduler run`: the periodic jobs, each once per period however many hosts run it.

| job | period | what it runs |
|---|---|---|
| `close-overdue` | 5 minutes | `flask calls close-overdue` |
| `audit-seal` | 1 minute | `flask audit seal` (the only sealer: the outbox workers never seal) |
| `retention-purge` | nightly, 02:00 UTC | `flask retention purge` (as RETENTION_DATABASE_URL) |
| `audit-verify` | nightly, 03:00 UTC | `flask audit verify`, which records what it found |

Run one on each host that should be able to run them: each job takes a PostgreSQL advisory
lock and claims its period in `job_runs` (app/services/periodic.py), so a period's job runs
once wherever it runs; a scheduler that stops mid-job leaves the period to the next one that
asks, and a scheduler starting runs each job for the period under way if nobody has. `flask
scheduler run-job NAME` runs one job now, for its current period, the same way.
"""

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import click
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import AppGroup

from app import clock
from app.services import audit, calls, periodic

scheduler_cli = AppGroup("scheduler", help="Run the periodic jobs.")


def _close_overdue() -> str:
    closed = calls.close_overdue_calls(clock.now())
    audit.record_command("calls close-overdue", closed=closed)
    return f"closed {closed}"


def _seal() -> str:
    return f"sealed {audit.seal_pending()}"


def _flask_command(*args: str, database_url: str | None = None) -> str:
    """Run `flask ARGS` in a process of its own (its output goes to the scheduler's log);
    a non-zero exit fails the job."""
    env = dict(os.environ)
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run(  # noqa: S603 - our own command, no shell
        [sys.executable, "-m", "flask", *args], env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    output = (done.stdout + done.stderr).strip()
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} exited {done.returncode}: {output[-1000:]}")
    return output[-1000:]


def _purge() -> str:
    periodic.forget_old_runs(clock.now())
    return _flask_command(
        "retention", "purge", database_url=os.environ.get("RETENTION_DATABASE_URL")
    )


def _verify() -> str:
    return _flask_command("audit", "verify")


@dataclass(frozen=True)
class Job:
    name: str
    period: periodic.Period
    work: Callable[[], str | None]


JOBS = {
    job.name: job
    for job in (
        Job("close-overdue", periodic.Period(timedelta(minutes=5)), _close_overdue),
        Job("audit-seal", periodic.Period(timedelta(minutes=1)), _seal),
        Job("retention-purge", periodic.Period(timedelta(days=1), timedelta(hours=2)), _purge),
        Job("audit-verify", periodic.Period(timedelta(days=1), timedelta(hours=3)), _verify),
    )
}


def run_job(app: Flask, job: Job) -> periodic.Ran:
    """Run `job` for the current period in an app context of its own; say how it went."""
    with app.app_context():
        ran = periodic.run_once(job.name, job.period, job.work, clock=clock.now)
        level = "error" if ran is periodic.Ran.FAILED else "info"
        getattr(app.logger, level)("scheduler: %s %s", job.name, ran.value)
        return ran


def add_jobs(scheduler: BaseScheduler, app: Flask, now: datetime) -> None:
    """Give `scheduler` every job at the start of each of its periods, and once at `now`.

    The run at `now` is for the period under way: a period whose job never ran because no
    scheduler was running when it began (a nightly purge at 02:00 while every host was down)
    runs when a scheduler starts again, and one that ran elsewhere runs nothing
    (`periodic.run_once`). APScheduler alone would wait for the next period. It is a job of
    its own, so the periodic one keeps firing on the periods' boundaries."""
    for job in JOBS.values():
        every = IntervalTrigger(
            seconds=job.period.every.total_seconds(),
            start_date=periodic.EPOCH + job.period.offset,
            timezone="UTC",
        )
        scheduler.add_job(
            run_job, every, args=(app, job), id=job.name, max_instances=1, coalesce=True,
            misfire_grace_time=int(job.period.every.total_seconds()),
        )  # fmt: skip
        scheduler.add_job(
            run_job, DateTrigger(now, timezone="UTC"), args=(app, job),
            id=f"{job.name}:on-start", misfire_grace_time=None,
        )  # fmt: skip


@scheduler_cli.command("run")
def run_command() -> None:
    """Run every job now for its current period, then at the start of each of its periods,
    until stopped (SIGTERM, Ctrl-C)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # Each run is logged below, once; APScheduler's own lines say the same at length.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = BlockingScheduler(timezone="UTC")
    add_jobs(scheduler, app, datetime.now(UTC))

    def stop(signum, frame) -> None:
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"Scheduler started: {', '.join(JOBS)}. Stop it with Ctrl-C.")
    scheduler.start()
    click.echo("Scheduler stopped.")


@scheduler_cli.command("run-job")
@click.argument("name", type=click.Choice(list(JOBS)))
def run_job_command(name: str) -> None:
    """Run one job now, for its current period, unless it ran or runs elsewhere."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    ran = run_job(app, JOBS[name])
    click.echo(f"{name}: {ran.value}")
    if ran is periodic.Ran.FAILED:
        sys.exit(1)
