"""`flask demo-data`: demo staff accounts and residents for trying the service."""

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from itertools import islice
from random import Random

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, insert, select, text

from app.demo import scenarios
from app.demo.builders import put_on_file_at
from app.demo.residents import DEMO_SECRET_WORDS, demo_residents
from app.extensions import db
from app.models import Dispute, DisputeDecision, Entry, Resident, ResidentPhone
from app.models.types import utcnow
from app.passwords import hash_secret
from app.rules import disputes as dispute_rules
from app.rules import two_factor as two_factor_rules
from app.rules.vocabulary import (
    DisputeChannel,
    DisputeReason,
    DisputeStatus,
    EntryCategory,
    EntryStatus,
    Relationship,
    Role,
    ServiceArea,
    Urgency,
)
from app.services import audit, bulk
from app.services import staff as staff_service
from app.services.name_index import index_names

BATCH = 20_000
REBUILD_INDEXES_FROM = 100_000  # residents: fewer go in as fast with the indexes kept
DEMO_STAFF = [
    ("handler@example.org", "Harriet Handler", Role.HANDLER, "handler-demo-password", False),
    ("supervisor@example.org", "Sam Supervisor", Role.SUPERVISOR, "supervisor-demo-password", True),
    ("admin@example.org", "Ada Administrator", Role.ADMIN, "admin-demo-password", False),
]
DEMO_REPORTS = [
    (Relationship.NEIGHBOUR, False, ServiceArea.HOUSING, EntryCategory.REPAIR, Urgency.URGENT,
     "Water coming through the ceiling of the flat below."),
    (Relationship.CHILD, False, ServiceArea.ADULT_SOCIAL_CARE, EntryCategory.WELFARE_CONCERN,
     Urgency.ROUTINE, "Mother has had a fall and is struggling with stairs."),
    (Relationship.LANDLORD, False, ServiceArea.COUNCIL_TAX, EntryCategory.CHANGE_OF_CIRCUMSTANCES,
     Urgency.ROUTINE, "Tenant moved out at the end of last month."),
    (Relationship.SELF, True, ServiceArea.WASTE, EntryCategory.REPAIR, Urgency.ROUTINE,
     "Bin not collected for two weeks."),
    (Relationship.PROFESSIONAL, False, ServiceArea.BENEFITS, EntryCategory.ENQUIRY,
     Urgency.ROUTINE, "GP surgery asked about housing benefit forms."),
]  # fmt: skip
# A few disputes, so the queue and the dashboard have something in them: how many days ago
# each was opened, and its outcome (None: still open).
DEMO_DISPUTES = [
    (3, DisputeReason.DID_NOT_ASK, None, "I never asked anyone to call about this."),
    (26, DisputeReason.INFORMATION_WRONG, None, "My mother has not had a fall."),
    (40, DisputeReason.HOAX, None, "Nobody lives below me: this never happened."),
    (20, DisputeReason.HOAX, DisputeStatus.UPHELD, "I was away that week; this was a hoax."),
]


def _ensure_demo_staff() -> None:
    all_areas = [area.value for area in ServiceArea]
    for email, name, role, password, sensitive in DEMO_STAFF:
        if staff_service.fetch_staff_by_email(email) is None:
            staff_service.save_staff_user(
                email=email,
                name=name,
                password=password,
                role=role,
                area_codes=all_areas,
                may_see_sensitive=sensitive,
            )
    _enrol_demo_staff()


def _enrol_demo_staff() -> None:
    """Demo supervisors and administrators are enrolled in two-factor sign-in already, with
    a key of their own: `flask staff demo-code EMAIL` prints the code their app would show."""
    for email, _, _, _, _ in DEMO_STAFF:
        user = staff_service.fetch_staff_by_email(email)
        if user and staff_service.two_factor_required(user) and not user.two_factor_enrolled:
            user.two_factor_secret = two_factor_rules.new_secret()
            user.two_factor_enrolled_at = utcnow()
    db.session.commit()


RESIDENT_COLUMNS = (
    "id", "reference", "forename", "middle_names", "surname", "forename_norm", "surname_norm",
    "date_of_birth", "address_line_1", "address_line_2", "town", "postcode", "postcode_norm",
    "email", "secret_word_hash", "created_at",
)  # fmt: skip
PHONE_COLUMNS = ("resident_id", "number", "label", "added_at")


@contextmanager
def _indexes_built_after(tables, enabled: bool) -> Iterator[None]:
    """Into empty tables, a large load goes faster with the secondary indexes built once at
    the end, from all the data, than kept up row by row. They are built again however the
    load ends, an interruption included, so the schema is never left without them."""
    indexes = [i for t in tables for i in t.indexes if not i.unique] if enabled else []
    for index in indexes:
        index.drop(db.session.connection())
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()
        if indexes:
            click.echo("Building indexes...")
        for index in indexes:
            index.create(db.session.connection(), checkfirst=True)
        db.session.commit()


def _secret_hashes_started() -> Callable[[], dict[str, str]]:
    """Hash the demo's secret words in the background (argon2 is slow on purpose, and runs
    outside the GIL), while the first names are drawn; the result waits for them."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def hashed(word: str) -> str:
        with app.app_context():
            return hash_secret(word)

    pool = ThreadPoolExecutor(max_workers=2)
    futures = {word: pool.submit(hashed, word) for word in DEMO_SECRET_WORDS}
    pool.shutdown(wait=False)  # the threads finish their hashes; nothing waits for them here
    hashes: dict[str, str] = {}

    def waited() -> dict[str, str]:
        if not hashes:
            hashes.update((word, future.result()) for word, future in futures.items())
        return hashes

    return waited


def insert_residents(count: int, seed: int, names: str) -> int:
    """Add `count` demo residents in batches, with their phone numbers, and index their names.

    Rows go in as plain tuples (COPY on PostgreSQL), ids are given here rather than returned
    by the database, indexes are built after a large load into empty tables, and the name
    index is written once at the end, for the distinct names only.
    """
    secret_hashes = _secret_hashes_started()
    people = demo_residents(count, seed=seed, names=names)
    next_id = (db.session.scalar(select(func.max(Resident.id))) or 0) + 1
    names_seen: set[tuple[str, str]] = set()
    residents, phones = Resident.__table__, ResidentPhone.__table__
    fresh = next_id == 1 and count >= REBUILD_INDEXES_FROM
    inserted = 0
    with (
        _indexes_built_after((residents, phones), fresh),
        click.progressbar(length=count, label="Residents") as bar,
    ):
        while batch := list(islice(people, BATCH)):
            hashes, now = secret_hashes(), utcnow()
            rows, phone_rows = [], []
            for resident_id, person in enumerate(batch, start=next_id):
                row = person.row
                rows.append(
                    (resident_id, *(row[c] for c in RESIDENT_COLUMNS[1:-2]),
                     hashes.get(person.secret_word), now)
                )  # fmt: skip
                phone_rows.extend(
                    (resident_id, n, label, put_on_file_at(n, now)) for n, label in person.phones
                )
                names_seen.add((row["forename_norm"], row["surname_norm"]))
            next_id += len(batch)
            bulk.insert_rows(residents, RESIDENT_COLUMNS, rows)
            bulk.insert_rows(phones, PHONE_COLUMNS, phone_rows)
            db.session.commit()
            inserted += len(batch)
            bar.update(len(batch))
    click.echo("Indexing names...")
    index_names(sorted(names_seen))
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        _after_copy(("residents", "resident_phones"))
    return inserted


def _after_copy(tables: tuple[str, ...]) -> None:
    """Rows copied with their ids: the sequences catch up before anything else inserts, and
    the planner learns the tables' new sizes."""
    for table in tables:
        catch_up = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"  # noqa: E501, S608 (our own table names)
        db.session.execute(text(catch_up))
    db.session.commit()
    db.session.execute(text(f"ANALYZE {', '.join(tables)}, name_terms, name_keys"))
    db.session.commit()


def _insert_reports(seed: int, limit: int) -> None:
    rng = Random(seed)
    resident_ids = db.session.scalars(select(Resident.id).order_by(Resident.id).limit(limit)).all()
    now = utcnow()
    rows = []
    for resident_id in resident_ids[:: max(1, len(resident_ids) // 50)]:
        relationship, verified, area, category, urgency, summary = rng.choice(DEMO_REPORTS)
        rows.append(
            {
                "resident_id": resident_id,
                "area_code": area.value,
                "category": category,
                "summary": summary,
                "urgency": urgency,
                "reporter_name": None if relationship is Relationship.SELF else "Demo caller",
                "reporter_number": f"+4477009001{rng.randrange(100):02d}",
                "reporter_relationship": relationship,
                "reporter_verified": verified,
                "created_at": now - timedelta(days=rng.randrange(1, 200)),
            }
        )
    if rows:
        db.session.execute(insert(Entry), rows)
        db.session.commit()


def _insert_disputes() -> None:
    """Open disputes (on time, due soon, overdue) and one upheld, whose reporting number so
    has a hoax strike, on third-party entries still in use."""
    entries = db.session.scalars(
        select(Entry)
        .where(
            Entry.reporter_relationship != Relationship.SELF,
            Entry.status == EntryStatus.ACTIVE,
            Entry.reporter_number.is_not(None),
        )
        .order_by(Entry.id)
        .limit(len(DEMO_DISPUTES))
    ).all()
    supervisor = staff_service.fetch_staff_by_email("supervisor@example.org")
    now = utcnow()
    for entry, (days_ago, reason, outcome, statement) in zip(entries, DEMO_DISPUTES, strict=False):
        opened_at = now - timedelta(days=days_ago)
        dispute = Dispute(
            entry_id=entry.id,
            resident_id=entry.resident_id,
            reason=reason,
            statement=statement,
            opened_via=DisputeChannel.PORTAL,
            opened_at=opened_at,
            due_on=dispute_rules.response_due_on(opened_at),
            status=DisputeStatus.OPEN,
            decisions_made=0,
        )
        db.session.add(dispute)
        entry.status = dispute_rules.entry_status_when_opened()
        if outcome is not None:
            db.session.flush()
            effect = dispute_rules.decision_effect(outcome, entry.reporter_number)
            dispute.status = effect.dispute_status
            dispute.decisions_made = 1
            entry.status = effect.entry_status
            db.session.add(
                DisputeDecision(
                    dispute_id=dispute.id,
                    outcome=outcome,
                    reasons="The resident was away that week; the neighbours confirm it.",
                    decided_by_id=supervisor.id,
                    decided_at=opened_at + timedelta(days=5),
                )
            )
    db.session.commit()


@click.command("demo-data")
@click.option("--residents", "count", default=2000, show_default=True, help="Residents to add.")
@click.option("--seed", default=2026, show_default=True, help="Seed, for the same data each time.")
@click.option(
    "--names",
    type=click.Choice(["faker", "diverse"]),
    default="faker",
    show_default=True,
    help="Faker's en_GB names, or a population with a realistic spread of surnames.",
)
@click.option("--if-empty", is_flag=True, help="Do nothing if there are residents already.")
@with_appcontext
def demo_data_command(count: int, seed: int, names: str, if_empty: bool) -> None:
    """Add demo staff accounts and residents (never in production)."""
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException("Demo data is not allowed in production.")
    _ensure_demo_staff()
    existing = db.session.scalar(select(func.count()).select_from(Resident)) or 0
    if if_empty and existing:
        click.echo(f"{existing} residents already; no demo data added.")
    else:
        started = time.perf_counter()
        added = insert_residents(count, seed, names)
        _insert_reports(seed, limit=2000)
        _insert_disputes()
        scenarios.add_scenarios(
            staff_service.fetch_staff_by_email("supervisor@example.org"),
            staff_service.fetch_staff_by_email("handler@example.org"),
            Random(f"scenarios {seed}"),
        )
        click.echo(f"Added {added} residents in {time.perf_counter() - started:.1f} s.")
        audit.record_command("demo-data", residents=added)
    click.echo(f"\nDemo sign-ins (at {current_app.config['LOCAL_ADDRESS']}/login):")
    for email, _, role, password, _ in DEMO_STAFF:
        click.echo(f"  {role.label:<14} {email:<26} {password}")
    click.echo(
        "Supervisors and administrators also give a code from an authenticator app; for the "
        "demo accounts, print it from this checkout with:\n"
        "  make demo-code EMAIL=supervisor@example.org\n"
        "  (or: APP_ENV=development .venv/bin/flask staff demo-code supervisor@example.org)"
    )
    click.echo("\nTry this (sign in as the call handler, then Calls > Start a call):")
    for line in scenarios.try_this():
        click.echo(f"  {line}")
