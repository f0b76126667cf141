"""`flask calls close-overdue`: close calls left open past their maximum length.

Every page reads such a call as closed at once, without writing; a change asked on it closes
it in the database. This closes the ones nobody touches again, so reports of open calls stay
true. Run it from a scheduler, every few minutes.
"""

import click
from flask.cli import AppGroup

from app import clock
from app.services import audit, calls

calls_cli = AppGroup("calls", help="Look after calls.")


@calls_cli.command("close-overdue")
def close_overdue_command() -> None:
    """Close every call left open past CALL_MAX_MINUTES, saying why."""
    closed = calls.close_overdue_calls(clock.now())
    audit.record_command("calls close-overdue", closed=closed)
    click.echo(f"Closed {closed} call{'' if closed == 1 else 's'} left open too long.")
