"""What the processes beside the web app leave behind: each periodic job's run, once per
period, and when each worker was last seen."""

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class JobRun(db.Model):
    """One periodic job's run for one period (app/services/periodic.py). The unique
    constraint is what makes a job run once per period, however many schedulers ask."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period_start", name="uq_job_runs_job_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    host: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "done" or "failed"; None while it runs (or when the process running it stopped).
    outcome: Mapped[str | None] = mapped_column(String(10))
    # How many processes started it: more than one when a run was taken over.
    attempts: Mapped[int] = mapped_column(default=1)
    detail: Mapped[str | None] = mapped_column(Text)


class Heartbeat(db.Model):
    """A long-running process saying it is alive: `/readyz` wants a worker seen lately."""

    __tablename__ = "heartbeats"

    process: Mapped[str] = mapped_column(String(120), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
