import phonenumbers
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import Dispute, DisputeDecision, Entry, Resident, ResidentPhone, StaffUser
from app.references import normalise_reference
from app.rules import disputes as rules
from app.rules.vocabulary import DisputeStatus, EntryStatus
from app.search.names import normalise_name
from app.services import disputes
from config import ProductionConfig


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_data_adds_residents_staff_and_third_party_reports(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--residents", "300"])

    assert result.exit_code == 0, result.output
    assert _count(Resident) == 300
    assert _count(StaffUser) == 3
    assert _count(Entry) > 0
    assert "handler@example.org" in result.output
    third_party = db.session.scalars(
        select(Entry).where(Entry.reporter_relationship != "self")
    ).all()
    assert third_party and not any(entry.reporter_verified for entry in third_party)


def test_demo_data_fills_the_dispute_queue_and_gives_one_number_a_strike(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--residents", "300"])

    assert result.exit_code == 0, result.output
    all_disputes = db.session.scalars(select(Dispute).order_by(Dispute.id)).all()
    today = clock.today()
    states = [rules.deadline_state(d.status, d.due_on, today) for d in all_disputes]
    assert [d.status for d in all_disputes] == [DisputeStatus.OPEN] * 3 + [DisputeStatus.UPHELD]
    assert states[:3] == [rules.Deadline.ON_TIME, rules.Deadline.DUE_SOON, rules.Deadline.OVERDUE]
    assert [d.entry.status for d in all_disputes] == [EntryStatus.DISPUTED] * 3 + [
        EntryStatus.UPHELD
    ]
    assert disputes.hoax_strikes(all_disputes[3].entry.reporter_number) >= 1


def test_demo_residents_have_valid_references_numbers_and_search_keys(app):
    app.test_cli_runner().invoke(args=["demo-data", "--residents", "200"])

    residents = db.session.scalars(select(Resident)).all()
    numbers = db.session.scalars(select(ResidentPhone.number)).all()

    assert all(normalise_reference(r.reference) == r.reference for r in residents)
    assert all(r.surname_norm == normalise_name(r.surname) for r in residents)
    assert all(r.postcode_norm == r.postcode.replace(" ", "") for r in residents)
    assert len({r.reference for r in residents}) == 200
    for number in numbers:
        parsed = phonenumbers.parse(number, None)
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
    assert any(r.secret_word_hash for r in residents)


def test_demo_data_is_the_same_every_time_for_the_same_seed(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo-data", "--residents", "50", "--seed", "7"])
    first = db.session.scalars(select(Resident.surname).order_by(Resident.id)).all()
    db.session.execute(DisputeDecision.__table__.delete())
    db.session.execute(Dispute.__table__.delete())
    db.session.execute(ResidentPhone.__table__.delete())
    db.session.execute(Entry.__table__.delete())
    db.session.execute(Resident.__table__.delete())
    db.session.commit()

    runner.invoke(args=["demo-data", "--residents", "50", "--seed", "7"])
    second = db.session.scalars(select(Resident.surname).order_by(Resident.id)).all()

    assert first == second


def test_demo_data_with_if_empty_leaves_existing_residents_alone(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo-data", "--residents", "20"])

    result = runner.invoke(args=["demo-data", "--residents", "20", "--if-empty"])

    assert "already" in result.output
    assert _count(Resident) == 20


def test_demo_data_is_refused_in_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_DATA_ALLOWED", ProductionConfig.DEMO_DATA_ALLOWED)

    result = app.test_cli_runner().invoke(args=["demo-data", "--residents", "5"])

    assert result.exit_code != 0
    assert "not allowed in production" in result.output
    assert _count(Resident) == 0
