"""What a team is shown of a dispatch: every combination of area, sensitivity, the sensitive-data
permission and where the report stands."""

from itertools import product

import pytest

from app.rules.disclosure import StaffAccess
from app.rules.dispatches import (
    CORRECTED,
    NOTHING,
    ON_HOLD,
    SENSITIVE_REPORT,
    DispatchShown,
    dispatch_shown,
)
from app.rules.vocabulary import EntryStatus

HOUSING = "housing"
ACTIVE, DISPUTED, UPHELD = EntryStatus.ACTIVE, EntryStatus.DISPUTED, EntryStatus.UPHELD


def _staff(in_area: bool, may_see_sensitive: bool) -> StaffAccess:
    areas = frozenset({HOUSING} if in_area else {"waste"})
    return StaffAccess(areas=areas, may_see_sensitive=may_see_sensitive)


def _expected(in_area: bool, sensitive: bool, may_see_sensitive: bool, status) -> DispatchShown:
    if not in_area:
        return NOTHING
    if status is DISPUTED:
        return DispatchShown(True, False, False, False, False, ON_HOLD)
    if status is UPHELD:
        return DispatchShown(True, False, False, False, False, CORRECTED)
    report = may_see_sensitive or not sensitive
    return DispatchShown(True, True, True, True, report, None if report else SENSITIVE_REPORT)


CASES = list(product([True, False], [True, False], [True, False], list(EntryStatus)))


@pytest.mark.parametrize(
    ("in_area", "sensitive", "may_see_sensitive", "status"),
    CASES,
    ids=[
        f"{'in' if a else 'out-of'}-area-{'sensitive' if s else 'plain'}-"
        f"{'with' if p else 'without'}-permission-{st.value}"
        for a, s, p, st in CASES
    ],
)
def test_what_a_team_is_shown_of_a_dispatch(in_area, sensitive, may_see_sensitive, status):
    shown = dispatch_shown(_staff(in_area, may_see_sensitive), HOUSING, sensitive, status)

    assert shown == _expected(in_area, sensitive, may_see_sensitive, status)


@pytest.mark.parametrize("case", CASES)
def test_what_is_not_acted_on_shows_nothing_of_the_record(case):
    in_area, sensitive, may_see_sensitive, status = case

    shown = dispatch_shown(_staff(in_area, may_see_sensitive), HOUSING, sensitive, status)

    if not shown.may_act:
        assert not (shown.address or shown.instructions or shown.report or shown.shows_record)
    if shown.report:
        assert shown.address and (may_see_sensitive or not sensitive)
    assert shown.shows_record == (shown.address or shown.report)
