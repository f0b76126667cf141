"""Periodic jobs run once per period, however many schedulers ask for them."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import JobRun
from app.scheduler import cli
from app.scheduler.cli import JOBS
from app.services import periodic
from app.services.periodic import Period, Ran

FIVE_MINUTES = Period(timedelta(minutes=5))
NOW = datetime(2026, 12, 7, 10, 7, 30, tzinfo=UTC)


def _at(moment: datetime):
    return lambda: moment


def test_a_period_starts_on_its_boundary():
    nightly = Period(timedelta(days=1), timedelta(hours=2))

    assert FIVE_MINUTES.start_of(NOW) == datetime(2026, 12, 7, 10, 5, tzinfo=UTC)
    assert nightly.start_of(NOW) == datetime(2026, 12, 7, 2, tzinfo=UTC)
    assert nightly.start_of(datetime(2026, 12, 7, 1, 59, tzinfo=UTC)) == datetime(
        2026, 12, 6, 2, tzinfo=UTC
    )


def test_a_second_scheduler_asking_in_the_same_period_runs_nothing(app):
    ran: list[str] = []

    first = periodic.run_once("job", FIVE_MINUTES, lambda: ran.append("a"), clock=_at(NOW))
    second = periodic.run_once(
        "job", FIVE_MINUTES, lambda: ran.append("b"), clock=_at(NOW + timedelta(minutes=2)),
        host="other-host:1",
    )  # fmt: skip
    next_period = periodic.run_once(
        "job", FIVE_MINUTES, lambda: ran.append("c"), clock=_at(NOW + timedelta(minutes=3))
    )

    assert (first, second, next_period) == (Ran.DONE, Ran.ELSEWHERE, Ran.DONE)
    assert ran == ["a", "c"]
    runs = periodic.runs("job")
    assert [(r.period_start.minute, r.outcome) for r in runs] == [(5, "done"), (10, "done")]


def test_a_failed_run_is_recorded_and_the_next_period_runs_afresh(app):
    def broken() -> None:
        raise RuntimeError("database went away")

    failed = periodic.run_once("job", FIVE_MINUTES, broken, clock=_at(NOW))
    again = periodic.run_once("job", FIVE_MINUTES, lambda: "ok", clock=_at(NOW))
    later = periodic.run_once(
        "job", FIVE_MINUTES, lambda: "ok", clock=_at(NOW + timedelta(minutes=5))
    )

    assert (failed, again, later) == (Ran.FAILED, Ran.ELSEWHERE, Ran.DONE)
    [first, second] = periodic.runs("job")
    assert first.outcome == "failed"
    assert first.detail == "RuntimeError: database went away"
    assert second.detail == "ok"


def test_two_schedulers_taking_one_job_at_once_run_it_once(app: Flask):
    """Two schedulers (threads with connections of their own, as two hosts would have) ask
    for the same job in the same period at the same moment."""
    both_asking = threading.Barrier(2, timeout=10)
    ran: list[str] = []
    outcomes: list[Ran] = []
    errors: list[Exception] = []

    def work(host: str):
        def job() -> None:
            ran.append(host)
            threading.Event().wait(0.3)  # long enough for the other to ask meanwhile

        return job

    def scheduler(host: str) -> None:
        try:
            with app.app_context():
                both_asking.wait()
                outcomes.append(
                    periodic.run_once("job", FIVE_MINUTES, work(host), clock=_at(NOW), host=host)
                )
                db.session.remove()
        except Exception as error:  # handed to the test
            errors.append(error)

    threads = [threading.Thread(target=scheduler, args=(f"host-{n}:1",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert errors == []
    assert len(ran) == 1
    assert sorted(outcomes) == sorted([Ran.DONE, Ran.ELSEWHERE])
    assert len(periodic.runs("job")) == 1


def test_a_run_left_unfinished_by_a_stopped_process_is_taken_over(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("only the advisory lock shows that a run's process has stopped")
    db.session.add(
        JobRun(job="job", period_start=FIVE_MINUTES.start_of(NOW), host="gone:1", started_at=NOW)
    )
    db.session.commit()

    ran = periodic.run_once("job", FIVE_MINUTES, lambda: "finished", clock=_at(NOW))

    assert ran is Ran.DONE
    run = db.session.scalar(select(JobRun))
    assert (run.attempts, run.outcome, run.detail) == (2, "done", "finished")


def test_the_scheduler_runs_the_four_jobs_that_were_left_to_cron():
    assert set(JOBS) == {"close-overdue", "audit-seal", "retention-purge", "audit-verify"}
    assert JOBS["close-overdue"].period.every == timedelta(minutes=5)
    assert JOBS["audit-seal"].period.every == timedelta(minutes=1)


def test_run_job_closes_overdue_calls_once_per_period(app):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["scheduler", "run-job", "close-overdue"])
    second = runner.invoke(args=["scheduler", "run-job", "close-overdue"])

    assert first.output == "close-overdue: done\n"
    assert second.output == "close-overdue: elsewhere\n"
    [run] = periodic.runs("close-overdue")
    assert run.detail == "closed 0"


def test_a_worker_round_says_the_worker_is_alive(app):
    assert periodic.last_seen("worker") is None

    app.test_cli_runner().invoke(args=["outbox", "work", "--once"])

    assert periodic.last_seen("worker") is not None


def test_a_scheduler_starting_runs_a_nightly_job_whose_period_nobody_ran(app, monkeypatch):
    """Every scheduler was down at 02:00: the one that starts at 10:07 runs that night's
    job then, once, and still fires the job at the next 02:00, not 24 hours after 10:07."""
    ran = threading.Event()
    nightly = cli.Job("nightly", Period(timedelta(days=1), timedelta(hours=2)), ran.set)
    monkeypatch.setattr(cli, "JOBS", {"nightly": nightly})
    clock.set_now(NOW)
    scheduler = BackgroundScheduler(timezone="UTC")
    cli.add_jobs(scheduler, app, datetime.now(UTC))
    scheduler.start()
    try:
        assert ran.wait(10), "the job did not run when the scheduler started"
        periodically = scheduler.get_job("nightly").next_run_time
    finally:
        scheduler.shutdown()

    [run] = periodic.runs("nightly")
    assert (run.period_start, run.outcome) == (datetime(2026, 12, 7, 2, tzinfo=UTC), "done")
    assert (periodically.hour, periodically.minute, periodically.second) == (2, 0, 0)
    again = cli.run_job(app, nightly)
    assert again is Ran.ELSEWHERE
