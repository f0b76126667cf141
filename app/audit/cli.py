"""`flask audit seal` and `flask audit verify`: the audit log's chain from the command line.

`seal` links the events written since it last ran into the chain (the outbox worker does the
same on every round, so the window in which a new event is not yet sealed stays a few
seconds wide). `verify` walks the chain from its start and exits 1 naming the first broken
event, or 0 saying how many it checked; events not sealed yet are counted apart.
"""

import sys

import click
from flask.cli import AppGroup

from app import clock
from app.rules.audit_chain import SEALING_OVERDUE
from app.services import audit

audit_cli = AppGroup("audit", help="Seal and verify the audit log.")


@audit_cli.command("seal")
def seal_command() -> None:
    """Link the events written since the last seal into the chain."""
    sealed = audit.seal_pending()
    click.echo(f"Sealed {sealed} audit event{'' if sealed == 1 else 's'}.")


@audit_cli.command("verify")
@click.option("--seal", "seal_first", is_flag=True, help="Seal what is waiting first.")
def verify_command(seal_first: bool) -> None:
    """Check every event's MAC and the chain's seals; exit 1 at the first broken event."""
    if seal_first:
        audit.seal_pending()
    result = audit.verify()
    check = result.check
    if result.anchor_problem:
        click.echo(result.anchor_problem, err=True)
    if not check.intact:
        click.echo(
            f"Audit log broken at event {check.broken_id}: {check.problem}. "
            f"{check.checked} events checked before it.",
            err=True,
        )
    audit.record_command(
        "audit verify",
        outcome="done" if result.intact else "failed",
        checked=check.checked,
        unsealed=check.unsealed,
        broken_at=check.broken_id,
    )
    if not result.intact:
        sys.exit(1)
    rate = check.checked / result.seconds if result.seconds else 0
    click.echo(
        f"Audit log intact: {check.checked} events checked "
        f"({check.sealed} sealed, {check.unsealed} not sealed yet) in {result.seconds:.2f}s"
        + (f", {rate:,.0f} a second" if check.checked else "")
        + "."
    )
    waited = clock.now() - check.oldest_unsealed_at if check.oldest_unsealed_at else None
    if waited is not None and waited > SEALING_OVERDUE:
        click.echo(
            f"The oldest event not sealed yet has waited {int(waited.total_seconds() // 60)} "
            "minutes: is `flask outbox work` (or a scheduled `flask audit seal`) running?"
        )
    if check.head_id is not None:
        click.echo(f"Last sealed event: {check.head_id}, seal {check.previous_seal}.")
    if check.before_chain:
        click.echo(f"{check.before_chain} older events were written before the chain began.")
