"""The supervisors' dashboard (issue 11 item 6): locks, disputes, risky numbers and
third-party reports, each from one grouped count; no rows are loaded to be counted."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, case, func, select

from app import clock
from app.charts import BarChart, ColumnChart, bar_chart, column_chart
from app.clock import UK
from app.extensions import db
from app.models import Dispute, Entry, StaffUser
from app.rules import disputes as dispute_rules
from app.rules.capabilities import Capability
from app.rules.vocabulary import DisputeStatus, Relationship
from app.services import authority_ends, cross_record, disputes, duty_to_share, verification
from app.services.cross_record import NumberToWatch
from app.services.duty_to_share import WaitingCounts
from app.services.verification import LockedResident

LOCKS_SHOWN = 10
NUMBERS_SHOWN = 20
WEEKS = 12
# How long open disputes have been open: each band from this many days.
AGE_BANDS = [
    (0, "Under a week"),
    (7, "1 to 2 weeks"),
    (14, "2 to 3 weeks"),
    (21, "3 to 4 weeks"),
    (28, "4 weeks or more"),
]


@dataclass(frozen=True)
class DeadlineCount:
    deadline: dispute_rules.Deadline
    label: str
    count: int


@dataclass(frozen=True)
class StruckNumber:
    number: str
    strikes: int


@dataclass(frozen=True)
class RelationshipWeeks:
    relationship: Relationship
    counts: list[int]  # one a week, oldest first
    chart: ColumnChart

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Dashboard:
    locked: list[LockedResident]
    locked_total: int
    # The service areas the dispute counts cover: a supervisor's own, as their disputes
    # queue shows them; None for every area (an administrator, who works no queue).
    dispute_areas: list[str] | None
    disputes_by_status: list[tuple[DisputeStatus, int]]
    open_by_deadline: list[DeadlineCount]
    disputes_chart: BarChart
    open_by_age: list[tuple[str, int]]
    age_chart: BarChart
    struck_numbers: list[StruckNumber]
    numbers_working_through_records: list[NumberToWatch]
    weeks: list[date]  # the Monday each week starts on, oldest first
    reports_by_relationship: list[RelationshipWeeks]  # only relationships with reports
    reports_chart: ColumnChart  # all third-party reports, a column a week
    # Duty-to-share requests waiting for a supervisor, and urgent ones past their 24 hours.
    duty_to_share: WaitingCounts
    # Residents' requests to end a legal authority, waiting for a supervisor.
    authority_ends_waiting: int

    @property
    def third_party_reports(self) -> int:
        return sum(row.total for row in self.reports_by_relationship)


DEADLINE_LABELS = {
    dispute_rules.Deadline.ON_TIME: "On time",
    dispute_rules.Deadline.DUE_SOON: "Due soon",
    dispute_rules.Deadline.OVERDUE: "Overdue",
}


def _disputes_counted(staff: StaffUser) -> tuple[Select, list[str] | None]:
    """The disputes the dashboard counts for this member of staff, and the names of the areas
    they are in: a supervisor's counts are of the disputes their queue shows (their service
    areas, sensitive ones only with the permission), so the two agree; an administrator, who
    has no queue, sees every area's."""
    if staff.can(Capability.DECIDE_DISPUTES):
        return disputes.disputes_seen_by(staff), sorted(area.name for area in staff.areas)
    return select(Dispute), None


def dashboard(now: datetime, staff: StaffUser) -> Dashboard:
    today = clock.day_of(now)
    locked, locked_total = verification.locked_residents(1, LOCKS_SHOWN, now)
    counted, dispute_areas = _disputes_counted(staff)
    by_deadline = _open_by_deadline(counted, today)
    by_age = _open_by_age(counted, now)
    weeks = week_starts(today)
    by_relationship = _third_party_reports(weeks)
    weekly_totals = [sum(row.counts[i] for row in by_relationship) for i in range(len(weeks))]
    return Dashboard(
        locked=locked,
        locked_total=locked_total,
        dispute_areas=dispute_areas,
        disputes_by_status=_disputes_by_status(counted),
        open_by_deadline=by_deadline,
        disputes_chart=bar_chart(
            "Open disputes by deadline", [(row.label, row.count) for row in by_deadline]
        ),
        open_by_age=by_age,
        age_chart=bar_chart("Open disputes by how long they have been open", by_age),
        struck_numbers=_struck_numbers(),
        numbers_working_through_records=cross_record.numbers_working_through_records(now),
        weeks=weeks,
        reports_by_relationship=by_relationship,
        reports_chart=column_chart(
            "Third-party reports a week",
            [
                (f"{week.day}/{week.month}", total)
                for week, total in zip(weeks, weekly_totals, strict=True)
            ],
        ),
        duty_to_share=duty_to_share.waiting_counts(now),
        authority_ends_waiting=authority_ends.waiting_count(),
    )


def _disputes_by_status(counted: Select) -> list[tuple[DisputeStatus, int]]:
    counts = dict(
        db.session.execute(
            counted.with_only_columns(Dispute.status, func.count()).group_by(Dispute.status)
        ).all()
    )
    return [(status, counts.get(status, 0)) for status in DisputeStatus]


def _open_by_deadline(counted: Select, today: date) -> list[DeadlineCount]:
    """Open disputes counted by due date in the database, then placed against the deadline
    by the rule, so the dashboard and the queue's tags agree."""
    rows = db.session.execute(
        counted.where(Dispute.status == DisputeStatus.OPEN)
        .with_only_columns(Dispute.due_on, func.count())
        .group_by(Dispute.due_on)
    ).all()
    counts = dict.fromkeys(dispute_rules.Deadline, 0)
    for due_on, count in rows:
        counts[dispute_rules.deadline_state(DisputeStatus.OPEN, due_on, today)] += count
    return [DeadlineCount(d, DEADLINE_LABELS[d], counts[d]) for d in dispute_rules.Deadline]


def _open_by_age(counted: Select, now: datetime) -> list[tuple[str, int]]:
    """Open disputes counted by how long they have been open, in one grouped count."""
    band_of = case(
        *[
            (Dispute.opened_at > now - timedelta(days=days), index - 1)
            for index, (days, _) in enumerate(AGE_BANDS)
            if index > 0
        ],
        else_=len(AGE_BANDS) - 1,
    )
    banded = (
        counted.where(Dispute.status == DisputeStatus.OPEN)
        .with_only_columns(band_of.label("band"))
        .subquery()
    )
    counts = dict(
        db.session.execute(select(banded.c.band, func.count()).group_by(banded.c.band)).all()
    )
    return [(label, counts.get(index, 0)) for index, (_, label) in enumerate(AGE_BANDS)]


def _struck_numbers() -> list[StruckNumber]:
    """Numbers with hoax strikes, the most first: reports from them upheld after a dispute."""
    strikes = func.count()
    rows = db.session.execute(
        select(Entry.reporter_number, strikes)
        .join(Dispute, Dispute.entry_id == Entry.id)
        .where(Dispute.status == DisputeStatus.UPHELD, Entry.reporter_number.is_not(None))
        .group_by(Entry.reporter_number)
        .order_by(strikes.desc(), Entry.reporter_number)
        .limit(NUMBERS_SHOWN)
    ).all()
    return [StruckNumber(number, count) for number, count in rows]


def week_starts(today: date, weeks: int = WEEKS) -> list[date]:
    """The Mondays (London dates) that start the last `weeks` weeks, this week last."""
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def _third_party_reports(weeks: list[date]) -> list[RelationshipWeeks]:
    """Reports made by someone other than the resident, by relationship and week: one grouped
    count, each entry placed in its week by comparing its time with the weeks' starts."""
    starts = [datetime.combine(week, time(0), UK) for week in weeks]
    week_of = case(
        *[(Entry.created_at >= start, index) for index, start in reversed(list(enumerate(starts)))],
        else_=-1,
    )
    placed = (
        select(Entry.reporter_relationship.label("relationship"), week_of.label("week"))
        .where(Entry.created_at >= starts[0], Entry.reporter_relationship != Relationship.SELF)
        .subquery()
    )
    rows = db.session.execute(
        select(placed.c.relationship, placed.c.week, func.count()).group_by(
            placed.c.relationship, placed.c.week
        )
    ).all()
    counts: dict[Relationship, list[int]] = {}
    for relationship, week, count in rows:
        if week >= 0:
            counts.setdefault(relationship, [0] * len(weeks))[week] += count
    labels = [f"{week.day}/{week.month}" for week in weeks]
    return [
        RelationshipWeeks(
            relationship,
            counts[relationship],
            column_chart(relationship.label, list(zip(labels, counts[relationship], strict=True))),
        )
        for relationship in Relationship
        if relationship in counts
    ]
