"""Periodic jobs that run once per period, however many schedulers ask
(docs/architecture.md, "Processes").

Each scheduler (`flask scheduler run`, one per host or several) asks for every job when its
period begins. `run_once` then:

1. on PostgreSQL, takes the job's advisory lock (`pg_try_advisory_lock`) on a connection of
   its own, held while the job runs: a scheduler that does not get it leaves the job to the
   one that did;
2. claims the job's period: a `job_runs` row, unique for the job and the period's start. A
   second claim of a period finds the row and runs nothing. A row left unfinished by a
   process that stopped mid-run is taken over by the next scheduler that gets the lock (on
   PostgreSQL the lock proves its runner is gone);
3. runs the job and writes how it ended.

On SQLite there is no advisory lock: run one scheduler (the unique row still stops a second
run of a period).
"""

import hashlib
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Heartbeat, JobRun

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
KEEP_RUNS = timedelta(days=30)


class Ran(StrEnum):
    DONE = "done"
    FAILED = "failed"
    # Another scheduler holds the job's lock, or already ran (or runs) this period.
    ELSEWHERE = "elsewhere"


@dataclass(frozen=True)
class Period:
    """A job's periods: every `every`, starting `offset` after midnight UTC."""

    every: timedelta
    offset: timedelta = timedelta(0)

    def start_of(self, moment: datetime) -> datetime:
        since = moment - EPOCH - self.offset
        return moment - since % self.every


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def lock_key(job: str) -> int:
    """The job's advisory lock: a signed 64-bit number from its name."""
    digest = hashlib.sha256(f"periodic:{job}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _claim(job: str, period_start: datetime, now: datetime, host: str, takeover: bool) -> bool:
    """Write the period's row; False when the period is someone else's (already run, or
    running where takeover is not allowed)."""
    db.session.add(JobRun(job=job, period_start=period_start, host=host, started_at=now))
    try:
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
    if not takeover:
        return False
    taken = db.session.execute(
        update(JobRun)
        .where(
            JobRun.job == job,
            JobRun.period_start == period_start,
            JobRun.finished_at.is_(None),
        )
        .values(host=host, started_at=now, attempts=JobRun.attempts + 1)
    ).rowcount
    db.session.commit()
    return bool(taken)


def _finish(job: str, period_start: datetime, outcome: Ran, detail: str | None, now) -> None:
    db.session.rollback()
    db.session.execute(
        update(JobRun)
        .where(JobRun.job == job, JobRun.period_start == period_start)
        .values(finished_at=now, outcome=str(outcome), detail=(detail or "")[:2000] or None)
    )
    db.session.commit()


def run_once(
    job: str,
    period: Period,
    work: Callable[[], str | None],
    *,
    clock: Callable[[], datetime],
    host: str | None = None,
) -> Ran:
    """Run `work` for the period `clock()` falls in, unless it ran or runs elsewhere. What
    `work` returns is kept as the run's detail; an exception fails the run (and is raised
    no further: the next period runs afresh)."""
    host = host or this_process()
    period_start = period.start_of(clock())
    postgresql = db.engine.dialect.name == "postgresql"
    holder = db.engine.connect() if postgresql else None
    try:
        if holder is not None:
            got = holder.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": lock_key(job)})
            holder.commit()
            if not got:
                return Ran.ELSEWHERE
        if not _claim(job, period_start, clock(), host, takeover=postgresql):
            return Ran.ELSEWHERE
        try:
            detail = work()
        except BaseException as error:
            if not isinstance(error, Exception | SystemExit):
                raise
            _finish(job, period_start, Ran.FAILED, f"{type(error).__name__}: {error}", clock())
            return Ran.FAILED
        _finish(job, period_start, Ran.DONE, detail, clock())
        return Ran.DONE
    finally:
        if holder is not None:
            holder.execute(text("SELECT pg_advisory_unlock_all()"))
            holder.commit()
            holder.close()


def forget_old_runs(now: datetime) -> int:
    """Remove the record of runs older than KEEP_RUNS."""
    removed = db.session.execute(
        delete(JobRun).where(JobRun.period_start < now - KEEP_RUNS)
    ).rowcount
    db.session.commit()
    return removed


def runs(job: str) -> list[JobRun]:
    return list(
        db.session.scalars(select(JobRun).where(JobRun.job == job).order_by("period_start"))
    )


# Heartbeats ---------------------------------------------------------------------------------


def beat(kind: str, now: datetime, process: str | None = None) -> None:
    """Say that this process of `kind` is alive at `now`: one row per process."""
    process = process or this_process()
    updated = db.session.execute(
        update(Heartbeat).where(Heartbeat.process == process).values(seen_at=now, kind=kind)
    ).rowcount
    if not updated:
        db.session.add(Heartbeat(process=process, kind=kind, seen_at=now))
    try:
        db.session.commit()
    except IntegrityError:  # two beats of one process at once: the other one wrote it
        db.session.rollback()


def last_seen(kind: str) -> datetime | None:
    return db.session.scalar(select(func.max(Heartbeat.seen_at)).where(Heartbeat.kind == kind))
