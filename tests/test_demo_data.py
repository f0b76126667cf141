from datetime import timedelta

import phonenumbers
from sqlalchemy import inspect, select

from app import clock
from app.demo import cli as demo_cli
from app.demo.scenarios import SCENARIOS
from app.extensions import db
from app.models import (
    Dispute,
    Entry,
    OutboxMessage,
    Permission,
    Resident,
    ResidentPhone,
    ResidentPhoneChange,
    StaffUser,
)
from app.references import normalise_reference
from app.rules import disputes as rules
from app.rules.vocabulary import DisputeStatus, EntryStatus, MessageKind, PermissionKind
from app.search.names import normalise_name
from app.services import disputes, duty_to_share, phones, verification
from app.services import permissions as permission_service
from config import ProductionConfig
from tests.conftest import _empty_all_tables
from tests.helpers import count_rows


def test_demo_data_adds_residents_staff_and_third_party_reports(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--residents", "300"])

    assert result.exit_code == 0, result.output
    assert count_rows(Resident) == 300 + len(SCENARIOS)
    assert count_rows(StaffUser) == 3
    assert count_rows(Entry) > 0
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
    assert len({r.reference for r in residents}) == len(residents) == 200 + len(SCENARIOS)
    for number in numbers:
        parsed = phonenumbers.parse(number, None)
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
    assert any(r.secret_word_hash for r in residents)


def test_demo_data_is_the_same_every_time_for_the_same_seed(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo-data", "--residents", "50", "--seed", "7"])
    first = db.session.scalars(select(Resident.surname).order_by(Resident.id)).all()
    _empty_all_tables()

    runner.invoke(args=["demo-data", "--residents", "50", "--seed", "7"])
    second = db.session.scalars(select(Resident.surname).order_by(Resident.id)).all()

    assert first == second


def test_demo_data_with_if_empty_leaves_existing_residents_alone(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo-data", "--residents", "20"])

    result = runner.invoke(args=["demo-data", "--residents", "20", "--if-empty"])

    assert "already" in result.output
    assert count_rows(Resident) == 20 + len(SCENARIOS)
    assert "Margaret Okafor" in result.output  # what to try is printed every time


def test_demo_data_is_refused_in_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_DATA_ALLOWED", ProductionConfig.DEMO_DATA_ALLOWED)

    result = app.test_cli_runner().invoke(args=["demo-data", "--residents", "5"])

    assert result.exit_code != 0
    assert "not allowed in production" in result.output
    assert count_rows(Resident) == 0


def _scenario_resident(forename: str) -> Resident:
    return db.session.scalar(select(Resident).where(Resident.forename == forename))


def test_demo_scenarios_have_representatives_of_every_kind_in_every_state(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--residents", "20"])

    assert result.exit_code == 0, result.output
    permissions = db.session.scalars(select(Permission)).all()
    assert {p.kind for p in permissions} == set(PermissionKind)
    assert any(p.revoked_at for p in permissions)
    assert any(p.matter_closed_at for p in permissions)
    assert any(p.expires_on for p in permissions if not p.revoked_at)


def test_every_demo_passcode_printed_verifies_its_representative(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--residents", "20"])

    for scenario in SCENARIOS:
        for wanted in scenario.permissions:
            permission = db.session.scalar(
                select(Permission).where(Permission.holder_name == wanted.holder)
            )
            assert f"passcode {wanted.passcode}" in result.output
            assert permission_service.check_representative_passcode(permission, wanted.passcode)
            assert not permission_service.check_representative_passcode(permission, "AAAA-2222")


def test_the_demo_has_a_locked_record_and_reports_from_unverified_callers(app):
    app.test_cli_runner().invoke(args=["demo-data", "--residents", "20"])

    assert verification.lock_state(_scenario_resident("Brian").id).locked
    assert not verification.lock_state(_scenario_resident("Margaret").id).locked
    reports = db.session.scalars(
        select(Entry).where(Entry.resident_id == _scenario_resident("Joan").id)
    ).all()
    assert len({entry.reporter_relationship for entry in reports}) >= 4
    assert not any(entry.reporter_verified for entry in reports)
    assert count_rows(OutboxMessage) >= 1  # residents told of reports made


def test_demo_data_prints_what_to_try_with_each_scenario(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--residents", "20"])

    margaret = _scenario_resident("Margaret")
    assert "Try this" in result.output
    for scenario in SCENARIOS:
        assert f"{scenario.person.forename} {scenario.person.surname}" in result.output
    assert margaret.reference[:4] in result.output


def test_the_demo_has_an_urgent_share_waiting_for_a_supervisor(app):
    app.test_cli_runner().invoke(args=["demo-data", "--residents", "20"])

    counts = duty_to_share.waiting_counts(clock.now())
    assert counts.waiting == 1
    assert counts.overdue == 0


def test_seeded_numbers_were_put_on_file_years_ago_and_one_was_changed_three_days_ago(app):
    app.test_cli_runner().invoke(args=["demo-data", "--residents", "30"])
    priya = _scenario_resident("Priya")
    now = clock.now()

    others = db.session.execute(
        select(ResidentPhone.number, ResidentPhone.added_at).where(
            ResidentPhone.resident_id != priya.id
        )
    ).all()
    [held] = phones.numbers_on_file(priya.id)
    [change] = db.session.scalars(select(ResidentPhoneChange)).all()
    told = db.session.scalars(
        select(OutboxMessage.to_number).where(OutboxMessage.kind == MessageKind.PHONE_CHANGED)
    ).all()

    assert len(others) > 30
    assert all(added_at <= now - timedelta(days=365) for _, added_at in others)
    assert held.ending == "712"
    assert abs(held.added_at - (now - timedelta(days=3))) < timedelta(minutes=5)
    assert "codes can go to it from" in held.held
    assert (change.old_number, change.new_number) == ("+447700900711", "+447700900712")
    assert told == ["+447700900711"]


def _resident_indexes() -> set[str]:
    inspector = inspect(db.engine)
    return {
        index["name"]
        for table in ("residents", "resident_phones")
        for index in inspector.get_indexes(table)
    }


def test_a_large_load_builds_its_indexes_after_and_keeps_them(app, monkeypatch):
    before = _resident_indexes()
    monkeypatch.setattr(demo_cli, "REBUILD_INDEXES_FROM", 10)
    monkeypatch.setattr(demo_cli, "BATCH", 10)

    result = app.test_cli_runner().invoke(args=["demo-data", "--residents", "30"])

    assert result.exit_code == 0, result.output
    assert "Building indexes" in result.output
    assert _resident_indexes() == before
    assert count_rows(Resident) == 30 + len(SCENARIOS)


def test_an_interrupted_load_still_leaves_every_index(app, monkeypatch):
    before = _resident_indexes()
    monkeypatch.setattr(demo_cli, "REBUILD_INDEXES_FROM", 10)
    monkeypatch.setattr(demo_cli, "BATCH", 10)
    calls, during = [], []

    def fails_on_the_second_batch(table, columns, rows, **kwargs):
        calls.append(table.name)
        if len(calls) > 2:
            during.append(_resident_indexes())
            raise KeyboardInterrupt

    monkeypatch.setattr(demo_cli.bulk, "insert_rows", fails_on_the_second_batch)

    app.test_cli_runner().invoke(args=["demo-data", "--residents", "30"])

    assert during and during[0] < before  # the load ran without them
    assert _resident_indexes() == before
