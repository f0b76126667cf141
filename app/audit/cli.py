"""`flask audit seal` and `flask audit verify`: the audit log's chain from the command line.

`seal` links the events written since it last ran into the chain and writes the new head
outside the database (the outbox worker does the same on every round, so the window in
which a new event is not yet sealed stays a few seconds wide). `verify` walks the chain from
its start and exits 1 naming the first broken event (an event without a MAC, or left unsealed
past `AUDIT_SEALING_GRACE_MINUTES`, is one), or a chain that no longer reaches the head in
`AUDIT_HEAD_FILE`; otherwise 0, saying how many events it checked.
"""

import sys

import click
from flask.cli import AppGroup

from app.services import audit

audit_cli = AppGroup("audit", help="Seal and verify the audit log.")


def _seal() -> int:
    try:
        return audit.seal_pending()
    except audit.AuditChainBroken as broken:
        raise click.ClickException(str(broken)) from broken


@audit_cli.command("seal")
def seal_command() -> None:
    """Link the events written since the last seal into the chain."""
    sealed = _seal()
    click.echo(f"Sealed {sealed} audit event{'' if sealed == 1 else 's'}.")


@audit_cli.command("verify")
@click.option("--seal", "seal_first", is_flag=True, help="Seal what is waiting first.")
def verify_command(seal_first: bool) -> None:
    """Check every event's MAC and the chain's seals, and that the chain reaches the head
    recorded outside the database; exit 1 at the first thing broken."""
    if seal_first:
        _seal()
    result = audit.verify()
    check, head = result.check, result.head
    if result.anchor_problem:
        click.echo(result.anchor_problem, err=True)
    if not check.intact:
        click.echo(
            f"Audit log broken at event {check.broken_id}: {check.problem}. "
            f"{check.checked} events checked.",
            err=True,
        )
    if head.problem:
        click.echo(f"Audit log's head: {head.problem}.", err=True)
    audit.record_command(
        "audit verify",
        outcome="done" if result.intact else "failed",
        checked=check.checked,
        unsealed=check.unsealed,
        broken_at=check.broken_id,
        head_reached=head.mark is not None and head.problem is None,
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
    if check.head_id is not None:
        click.echo(f"Last sealed event: {check.head_id}, seal {check.previous_seal}.")
    if head.mark is not None:
        click.echo(
            f"Checked against the head recorded outside the database: event "
            f"{head.mark.event_id}, sealed {head.mark.at:%Y-%m-%d %H:%M:%S} UTC."
        )
    if head.note:
        click.echo(head.note)
