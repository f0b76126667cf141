"""The supervisors' dashboard: grouped counts on a real database, the page, and who may see it."""

from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest

from app import clock
from app.charts import (
    CHARACTER_WIDTH,
    CHART_HEIGHT,
    LABEL_GAP,
    ROW_HEIGHT,
    TICK_WIDTHS,
    bar_chart,
    column_chart,
)
from app.extensions import db
from app.models import Dispute
from app.rules.vocabulary import DisputeStatus, Relationship, Role
from app.services import dashboard
from tests import factories
from tests.helpers import clock_stopped_at
from tests.services.test_cross_record import fail_on, residents

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday


_stopped_clock = clock_stopped_at(NOW)


def _upheld(resident, number=factories.HOAXER):
    dispute = factories.make_dispute(resident, factories.make_entry(resident, number=number))
    factories.decide_dispute(dispute, DisputeStatus.UPHELD)


def _due_on(dispute: Dispute, due_on: date) -> None:
    dispute.due_on = due_on
    db.session.commit()


def test_the_columns_scale_to_the_highest_and_never_hide_a_small_one():
    chart = column_chart("Reports", [("a", 0), ("b", 1), ("c", 500)])

    assert [column.height for column in chart.columns] == [0, 1, CHART_HEIGHT]
    assert chart.columns[0].y == chart.baseline
    assert chart.columns[2].y == chart.baseline - CHART_HEIGHT
    assert not chart.is_empty
    assert column_chart("Nothing", [("a", 0)]).is_empty


def test_bars_run_the_width_the_highest_full_and_a_small_one_still_seen():
    chart = bar_chart("Disputes", [("On time", 0), ("Due soon", 1), ("Overdue", 500)])

    assert [bar.width for bar in chart.bars] == [0, 1, 100]
    assert [bar.y for bar in chart.bars] == [0, ROW_HEIGHT, 2 * ROW_HEIGHT]
    assert chart.height == 3 * ROW_HEIGHT
    assert bar_chart("Nothing", [("a", 0)]).is_empty


def test_twelve_weeks_of_labels_thin_out_evenly_back_from_the_newest_as_the_chart_narrows():
    chart = column_chart("Weeks", [(f"{day}/11", day) for day in range(10, 22)])

    def shown_at(width: int) -> list[str]:
        return [c.label for c in chart.columns if c.shown_from <= width]

    assert shown_at(2000) == [c.label for c in chart.columns]
    assert shown_at(400) == ["11/11", "13/11", "15/11", "17/11", "19/11", "21/11"]
    assert shown_at(240) == ["13/11", "17/11", "21/11"]
    assert shown_at(0) == ["21/11"]
    for width in (0, 240, 400, 2000):  # every label shown has its room
        labels = [c for c in chart.columns if c.shown_from <= width]
        room = (labels[1].centre - labels[0].centre) * width / 100 if len(labels) > 1 else width
        assert width == 0 or room >= 5 * CHARACTER_WIDTH + LABEL_GAP


def test_every_width_a_chart_thins_at_has_its_rule_in_the_stylesheet(app):
    css = (Path(app.static_folder) / "css" / "app.css").read_text()

    for width in TICK_WIDTHS:
        assert f"@container app-chart (width < {width}px) {{\n  .app-chart--from-{width} {{" in css
    assert f".app-chart--from-{TICK_WIDTHS[-1] + 1} {{\n  display: none;" in css


def test_the_twelve_weeks_end_with_this_week_starting_on_monday():
    weeks = dashboard.week_starts(date(2026, 11, 25))

    assert len(weeks) == 12
    assert weeks[-1] == date(2026, 11, 23)
    assert weeks[0] == date(2026, 9, 7)


def test_an_empty_council_gives_zeros_and_empty_lists():
    board = dashboard.dashboard(clock.now(), factories.make_staff(Role.SUPERVISOR))

    assert board.locked == []
    assert board.disputes_by_status == [(status, 0) for status in DisputeStatus]
    assert [row.count for row in board.open_by_deadline] == [0, 0, 0]
    assert [count for _, count in board.open_by_age] == [0, 0, 0, 0, 0]
    assert board.struck_numbers == []
    assert board.numbers_working_through_records == []
    assert board.reports_by_relationship == []
    assert board.third_party_reports == 0


def test_open_disputes_are_placed_against_their_deadline_as_the_queue_tags_them(resident):
    on_time, due_soon, overdue = (factories.make_dispute(resident) for _ in range(3))
    _due_on(on_time, date(2026, 12, 20))
    _due_on(due_soon, date(2026, 12, 2))
    _due_on(overdue, date(2026, 11, 24))
    _upheld(resident)

    board = dashboard.dashboard(clock.now(), factories.make_staff(Role.SUPERVISOR))

    assert {row.label: row.count for row in board.open_by_deadline} == {
        "On time": 1,
        "Due soon": 1,
        "Overdue": 1,
    }
    assert dict(board.disputes_by_status) == {
        DisputeStatus.OPEN: 3,
        DisputeStatus.UPHELD: 1,
        DisputeStatus.NOT_UPHELD: 0,
    }


def test_open_disputes_are_counted_by_how_long_they_have_been_open(resident):
    for days in [0, 6, 8, 20, 27, 29, 45]:
        dispute = factories.make_dispute(resident)
        dispute.opened_at = NOW - timedelta(days=days, hours=1)
        db.session.commit()
    _upheld(resident)

    board = dashboard.dashboard(clock.now(), factories.make_staff(Role.SUPERVISOR))

    assert board.open_by_age == [
        ("Under a week", 2),
        ("1 to 2 weeks", 1),
        ("2 to 3 weeks", 1),
        ("3 to 4 weeks", 1),
        ("4 weeks or more", 2),
    ]


def test_numbers_with_strikes_come_most_strikes_first(resident):
    _upheld(resident)
    _upheld(resident)
    _upheld(resident, number="+447700900222")

    board = dashboard.dashboard(clock.now(), factories.make_staff(Role.SUPERVISOR))

    assert [(n.number, n.strikes) for n in board.struck_numbers] == [
        (factories.HOAXER, 2),
        ("+447700900222", 1),
    ]


def test_third_party_reports_are_counted_by_relationship_and_week(resident):
    this_week = NOW - timedelta(days=1)
    last_week = NOW - timedelta(days=8)
    too_old = NOW - timedelta(weeks=13)
    for at, relationship in [
        (this_week, Relationship.NEIGHBOUR),
        (this_week, Relationship.NEIGHBOUR),
        (last_week, Relationship.NEIGHBOUR),
        (last_week, Relationship.CHILD),
        (this_week, Relationship.SELF),
        (too_old, Relationship.NEIGHBOUR),
    ]:
        factories.make_entry(resident, reporter_relationship=relationship, created_at=at)

    board = dashboard.dashboard(clock.now(), factories.make_staff(Role.SUPERVISOR))

    rows = {row.relationship: row.counts for row in board.reports_by_relationship}
    assert set(rows) == {Relationship.CHILD, Relationship.NEIGHBOUR}
    assert rows[Relationship.NEIGHBOUR][-2:] == [1, 2]
    assert rows[Relationship.CHILD][-2:] == [1, 0]
    assert board.third_party_reports == 4
    assert [column.value for column in board.reports_chart.columns][-2:] == [2, 2]


def test_the_page_shows_locks_with_unlock_disputes_numbers_and_reports(
    signed_in_supervisor, resident
):
    for _ in range(3):
        fail_on(resident, number="+447700900555", hours_ago=0)
    for other in residents(3):
        fail_on(other)
    _upheld(resident)
    factories.make_dispute(resident)
    factories.make_entry(resident, created_at=NOW - timedelta(days=1))

    page = unescape(signed_in_supervisor.get("/dashboard").get_data(as_text=True))

    assert f"/locks/{resident.id}/unlock" in page
    assert "Disputes by status" in page
    assert "Open disputes by how long they have been open" in page
    assert "Numbers with hoax strikes" in page
    assert "07700 900666" in page  # working through records
    assert "Third-party reports by relationship and week" in page
    assert "<svg" in page
    assert 'style="' not in page


def test_the_page_says_so_when_there_is_nothing_to_show(signed_in_supervisor):
    page = unescape(signed_in_supervisor.get("/dashboard").get_data(as_text=True))

    assert "No records are locked." in page
    assert "No open disputes." in page
    assert "No number has a hoax strike." in page
    assert "No number has failed verification on several residents' records" in page
    assert "No third-party reports in the last 12 weeks." in page


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.HANDLER, 403), (Role.SUPERVISOR, 200), (Role.ADMIN, 200)],
    ids=["handler-refused", "supervisor", "admin"],
)
def test_only_supervisors_and_administrators_see_the_dashboard(signed_in_client, role, status):
    client = signed_in_client(role)

    response = client.get("/dashboard")

    assert response.status_code == status
    assert ("Dashboard" in response.get_data(as_text=True)) is (status == 200)


def test_an_administrator_sees_locked_records_but_no_link_to_unlock_or_to_disputes(
    signed_in_admin, resident
):
    for _ in range(3):
        fail_on(resident, number="+447700900555", hours_ago=0)
    factories.make_dispute(resident)

    page = unescape(signed_in_admin.get("/dashboard").get_data(as_text=True))

    assert "Records with phone verification locked" in page
    assert "/locks" not in page
    assert 'href="/disputes"' not in page
    assert "Disputes by status" in page


def test_signed_out_staff_are_sent_to_sign_in(client):
    response = client.get("/dashboard")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_supervisors_dispute_counts_are_of_their_own_queue_and_say_which_areas(
    signed_in_client, resident
):
    housing = factories.make_dispute(resident)  # make_entry's area: housing
    factories.make_dispute(resident, factories.make_entry(resident, area_code="waste"))
    factories.make_dispute(resident, factories.make_entry(resident, is_sensitive=True))
    supervisor = signed_in_client(Role.SUPERVISOR, area_codes=["housing"])

    page = unescape(supervisor.get("/dashboard").get_data(as_text=True))
    queue = unescape(supervisor.get("/disputes").get_data(as_text=True))

    board = dashboard.dashboard(clock.now(), supervisor.user)
    assert dict(board.disputes_by_status)[DisputeStatus.OPEN] == 1
    assert sum(row.count for row in board.open_by_deadline) == 1
    assert sum(count for _, count in board.open_by_age) == 1
    assert board.dispute_areas == ["Housing"]
    assert "Disputes in your service areas (Housing), counted as your disputes queue" in page
    assert "1 dispute" in queue and f"/disputes/{housing.id}" in queue


def test_an_administrator_counts_disputes_in_every_area_and_is_told_so(signed_in_admin, resident):
    factories.make_dispute(resident)
    factories.make_dispute(resident, factories.make_entry(resident, area_code="waste"))

    page = unescape(signed_in_admin.get("/dashboard").get_data(as_text=True))

    board = dashboard.dashboard(clock.now(), signed_in_admin.user)
    assert dict(board.disputes_by_status)[DisputeStatus.OPEN] == 2
    assert board.dispute_areas is None
    assert "Disputes in every service area." in page
