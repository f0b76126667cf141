"""`flask calls close-overdue`: close calls left open past their maximum length.

Calls are also closed when anyone opens them after that; this closes the ones nobody opens
again, so reports of open calls stay true. Run it from a scheduler, every few minutes.
"""

import click
from flask.cli import AppGroup

from app.services import audit, calls

calls_cli = AppGroup("calls", help="Look after calls.")


@calls_cli.command("close-overdue")
def close_overdue_command() -> None:
    """Close every call left open past CALL_MAX_MINUTES, saying why."""
    closed = calls.close_overdue_calls()
    audit.record_command("calls close-overdue", closed=closed)
    click.echo(f"Closed {closed} call{'' if closed == 1 else 's'} left open too long.")
