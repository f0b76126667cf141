"""`flask retention purge`: remove what the retention schedule says is due.

`--dry-run` prints how many of each kind are due and changes nothing. A real run removes them
a batch at a time (RETENTION_BATCH_SIZE, or `--batch-size`), each batch its own transaction,
with a progress bar per kind; it records the counts (never the data) in the audit log as
"retention.purged". Interrupted, it keeps the batches it finished and records those; run it
again to finish. Run it from a scheduler, nightly. On PostgreSQL it runs as the role that owns
the tables (the owner's DATABASE_URL): only the owner may purge audit events, and it refuses
to start as any other role.
"""

import click
from flask.cli import AppGroup

from app import clock
from app.cli import setting_option
from app.rules.vocabulary import RetainedKind
from app.services import audit, retention

retention_cli = AppGroup("retention", help="Keep records no longer than the schedule says.")


def _count_line(count: int, kind: RetainedKind) -> str:
    return f"{kind.label}: {count}"


@retention_cli.command("purge")
@setting_option(
    "--batch-size",
    click.IntRange(min=1),
    "Rows removed in each transaction (default: RETENTION_BATCH_SIZE).",
)
@click.option("--dry-run", is_flag=True, help="Print how many of each kind are due; remove none.")
def purge_command(dry_run: bool, batch_size: int | None) -> None:
    """Remove calls, entries, verification attempts, messages and audit events kept past
    their retention period, except under a legal hold or an open dispute."""
    try:
        retention.schedule()
    except ValueError as problem:
        raise click.ClickException(f"RETENTION_SCHEDULE_DAYS: {problem}") from problem
    now = clock.now()
    size = batch_size or retention.batch_size()
    if dry_run:
        click.echo(f"Due for removal on {clock.local(now):%d %B %Y %H:%M} (nothing removed):")
        for kind in retention.ORDER:
            click.echo(_count_line(retention.count_due(kind, now, size), kind))
        if retention.audit_cutoff(now) is None:
            click.echo("Audit events are kept while any legal hold is in force.")
        return

    try:
        audit.check_may_purge()
    except audit.AuditPurgeRefused as refused:
        raise click.ClickException(str(refused)) from refused
    removed = {kind: 0 for kind in RetainedKind}
    completed = False
    try:
        for kind in retention.ROW_KINDS:
            _purge_rows(kind, now, size, removed)
        _purge_audit_events(now, size, removed)
        completed = True
    finally:
        retention.record_purge(removed, completed=completed)
        for kind in retention.ORDER:
            click.echo(f"Removed {_count_line(removed[kind], kind).lower()}")


def _purge_rows(kind: RetainedKind, now, size: int, removed: dict[RetainedKind, int]) -> None:
    """Remove the kind's due rows a batch at a time, counting each batch in `removed` as it
    commits, so an interrupted run still records what it removed."""
    after_id = 0
    length = retention.candidates_count(kind, now)
    with click.progressbar(length=length, label=f"{kind.label:<22}") as bar:
        while True:
            batch = retention.purge_batch(kind, now, after_id, size)
            removed[kind] += batch.removed
            bar.update(batch.examined)
            if batch.next_after is None:
                return
            after_id = batch.next_after


def _purge_audit_events(now, size: int, removed: dict[RetainedKind, int]) -> None:
    kind = RetainedKind.AUDIT_EVENTS
    if retention.audit_cutoff(now) is None:
        click.echo("Audit events are kept while any legal hold is in force.")
        return
    length = retention.audit_events_due(now)
    with click.progressbar(length=length, label=f"{kind.label:<22}") as bar:

        def progress(removed_so_far: int) -> None:
            # The audit trail reports its running total after each batch it commits.
            bar.update(removed_so_far - removed[kind])
            removed[kind] = removed_so_far

        removed[kind] = retention.purge_audit_events(now, size, progress=progress)
