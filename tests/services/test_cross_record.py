"""One number failing verification on several residents' records, on a real database."""

from datetime import timedelta

from app import clock
from app.demo import builders
from app.extensions import db
from app.rules.vocabulary import VerificationResult
from app.services import cross_record
from tests import factories

BLAGGER = "+447700900666"


def fail_on(resident, number=BLAGGER, hours_ago=1, result=VerificationResult.FAILED):
    """A call from `number` about `resident` whose check failed `hours_ago` hours ago."""
    at = clock.now() - timedelta(hours=hours_ago)
    call = builders.add_call(factories.make_staff(), resident, at=at, caller_number=number)
    builders.add_failed_check(call, resident, at, factors="date_of_birth", result=result)
    db.session.commit()
    return call


def residents(count):
    return [factories.make_resident(surname=f"Resident{n}") for n in range(count)]


def test_failures_on_three_residents_within_a_day_raise_the_warning():
    for resident in residents(3):
        fail_on(resident)

    assert cross_record.residents_failed(BLAGGER) == 3
    assert cross_record.cross_record_warning_for(BLAGGER) == (
        "This number failed verification on 3 different residents' records in the last 24 hours"
    )


def test_many_failures_on_one_resident_are_not_cross_record(resident):
    for _ in range(5):
        fail_on(resident)

    assert cross_record.residents_failed(BLAGGER) == 1
    assert cross_record.cross_record_warning_for(BLAGGER) is None


def test_failures_outside_the_window_and_other_results_do_not_count():
    old, verified, counted = residents(3)
    fail_on(old, hours_ago=25)
    fail_on(verified, result=VerificationResult.VERIFIED)
    fail_on(counted)

    assert cross_record.residents_failed(BLAGGER) == 1


def test_other_numbers_and_withheld_numbers_are_counted_apart():
    for resident in residents(3):
        fail_on(resident, number="+447700900777")

    assert cross_record.residents_failed(BLAGGER) == 0
    assert cross_record.residents_failed(None) == 0


def test_the_window_and_the_count_come_from_config(app):
    for hours_ago, resident in zip([1, 30], residents(2), strict=True):
        fail_on(resident, hours_ago=hours_ago)
    policy = app.config["CROSS_RECORD_POLICY"]
    app.config["CROSS_RECORD_POLICY"] = {"window": timedelta(hours=48), "residents": 2}
    try:
        warning = cross_record.cross_record_warning_for(BLAGGER)
    finally:
        app.config["CROSS_RECORD_POLICY"] = policy

    assert warning == (
        "This number failed verification on 2 different residents' records in the last 48 hours"
    )


def test_supervisors_see_every_number_working_through_records_most_records_first():
    people = residents(5)
    for resident in people[:3]:
        fail_on(resident)
    for resident in people:
        fail_on(resident, number="+447700900777")
    for resident in people[:2]:
        fail_on(resident, number="+447700900888")

    listed = cross_record.numbers_working_through_records()

    assert [(n.number, n.residents) for n in listed] == [
        ("+447700900777", 5),
        (BLAGGER, 3),
    ]
    assert listed[0].last_failed_at is not None
