"""`flask outbox work`: send the messages waiting in the outbox, and the portal's codes.

Run one beside the app, always: messages wait in the outbox until a worker sends them, and a
resident signing in to the portal waits for the code a worker sends (app/services/
portal_codes.py), so each round sends both.
`--once` sends what is due now and stops (for a scheduler or a check by hand); without it the
worker keeps polling until it is stopped with SIGTERM or Ctrl-C, finishing the batch in hand
(at most a few messages).
On PostgreSQL any number of workers may run at once; on SQLite run one. Each round says the
worker is alive (the `heartbeats` table, which `/readyz` reads). The audit log is sealed by
the scheduler (`flask scheduler run`), not here.
"""

import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from app import clock
from app.cli import setting_option
from app.extensions import db
from app.services import outbox, periodic, portal_codes

outbox_cli = AppGroup("outbox", help="Send messages to residents.")


def _summary(done: outbox.WorkDone) -> str:
    return f"Sent {done.sent}, to retry later {done.retrying}, failed {done.failed}."


@outbox_cli.command("work")
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
@setting_option(
    "--poll-seconds",
    click.FloatRange(min=0.1),
    "How long to wait when nothing is due (OUTBOX_POLL_SECONDS, default 5).",
)
def work_command(once: bool, poll_seconds: float | None) -> None:
    """Send messages from the outbox, retrying those the provider could not take."""
    if once:
        click.echo(_summary(outbox.send_all_due()))
        click.echo(_codes_summary(_send_codes()))
        _beat()
        return
    poll = poll_seconds or current_app.config["OUTBOX_POLL_SECONDS"]
    stop = threading.Event()

    def request_stop(signum, frame) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    click.echo(f"Outbox worker started; polling every {poll:g}s. Stop it with Ctrl-C.")
    total = outbox.WorkDone()
    while not stop.is_set():
        try:
            done = outbox.send_due()
        except Exception:
            # The database went away for a moment: the claimed messages come back when their
            # lease runs out, so wait and carry on rather than stop sending altogether.
            current_app.logger.exception("outbox worker: batch failed; trying again")
            db.session.rollback()
            stop.wait(poll)
            continue
        total.add(done)
        codes = _send_codes()
        _beat()
        if done.claimed:
            click.echo(_summary(done))
        if codes.taken:
            click.echo(_codes_summary(codes))
        if not done.claimed and not codes.taken:
            stop.wait(poll)
    click.echo(f"Outbox worker stopped. {_summary(total)}")


def _codes_summary(done: portal_codes.CodesDone) -> str:
    return f"Portal codes sent {done.sent}, not sent {done.not_sent}."


def _send_codes() -> portal_codes.CodesDone:
    """Send the codes portal sign-ins queued, each round, so a code goes within seconds."""
    try:
        return portal_codes.send_queued_codes()
    except Exception:
        # As for a batch of messages: what was taken stays taken, nothing is sent twice.
        current_app.logger.exception("outbox worker: sending portal codes failed; next round")
        db.session.rollback()
        return portal_codes.CodesDone()


def _beat() -> None:
    """Say the worker is alive; a database that is away for a moment is the next round's."""
    try:
        periodic.beat("worker", clock.now())
    except Exception:
        current_app.logger.exception("outbox worker: could not write its heartbeat")
        db.session.rollback()
