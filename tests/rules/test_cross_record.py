from datetime import UTC, datetime, timedelta

import pytest

from app.rules.cross_record import (
    CrossRecordPolicy,
    cross_record_warning,
    is_working_through_records,
    records_to_flag,
    window_start,
)

DEFAULT = CrossRecordPolicy(window=timedelta(hours=24), residents=3)


@pytest.mark.parametrize(
    ("residents_failed", "residents", "flagged"),
    [
        (0, 3, False),
        (1, 3, False),
        (2, 3, False),
        (3, 3, True),
        (7, 3, True),
        (1, 1, False),
        (2, 1, True),
        (2, 2, True),
    ],
    ids=[
        "no-failures",
        "one-record",
        "two-records-below-the-default",
        "at-the-default",
        "well-over",
        "one-record-is-never-cross-record-whatever-the-setting",
        "a-setting-below-two-counts-from-two",
        "a-lower-setting",
    ],
)
def test_a_number_is_flagged_from_the_configured_count_of_different_records(
    residents_failed, residents, flagged
):
    policy = CrossRecordPolicy(window=timedelta(hours=24), residents=residents)

    assert is_working_through_records(residents_failed, policy) is flagged
    assert (residents_failed >= records_to_flag(policy)) is flagged
    assert (cross_record_warning(residents_failed, policy) is not None) is flagged


@pytest.mark.parametrize(
    ("residents_failed", "hours", "warning"),
    [
        (2, 24, None),
        (
            3,
            24,
            "This number failed verification on 3 different residents' records in the last "
            "24 hours",
        ),
        (
            4,
            1,
            "This number failed verification on 4 different residents' records in the last hour",
        ),
    ],
    ids=["below", "default-window", "one-hour-window"],
)
def test_the_warning_says_how_many_records_and_over_what_window(residents_failed, hours, warning):
    policy = CrossRecordPolicy(window=timedelta(hours=hours), residents=3)

    assert cross_record_warning(residents_failed, policy) == warning


def test_the_window_counts_back_from_now():
    now = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)

    assert window_start(now, DEFAULT) == datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
