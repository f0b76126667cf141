import itertools
from datetime import date, datetime, timedelta

import pytest

from app.rules.disclosure import CallerOnCall, VerifiedAs, decide_disclosure, may_disclose_area
from app.rules.permissions import (
    PermissionState,
    covers,
    default_verbal_expiry,
    describe_scope,
    effective_areas,
    permission_state,
)
from app.rules.vocabulary import PermissionKind, ServiceArea
from tests.rules.data import permission_facts

TODAY = date(2026, 11, 25)
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)
LAST_YEAR = date(2025, 11, 25)
THIS_MORNING = datetime(2026, 11, 25, 9, 30)
# Administrators may add service areas; rules must treat them like the seeded ones.
PARKING = "parking"
EVERY_AREA = frozenset({*ServiceArea, PARKING})


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, PermissionState.ACTIVE),
        ({"starts_on": TODAY}, PermissionState.ACTIVE),
        ({"starts_on": TOMORROW}, PermissionState.NOT_STARTED),
        ({"expires_on": TOMORROW}, PermissionState.ACTIVE),
        ({"expires_on": TODAY}, PermissionState.EXPIRED),
        ({"expires_on": YESTERDAY}, PermissionState.EXPIRED),
        ({"revoked_at": THIS_MORNING}, PermissionState.REVOKED),
        ({"revoked_at": THIS_MORNING, "expires_on": YESTERDAY}, PermissionState.REVOKED),
        ({"revoked_at": THIS_MORNING, "matter_closed": True}, PermissionState.REVOKED),
        ({"matter_closed": True}, PermissionState.MATTER_CLOSED),
        ({"matter_closed": True, "expires_on": YESTERDAY}, PermissionState.MATTER_CLOSED),
        ({"starts_on": TOMORROW, "expires_on": TODAY}, PermissionState.EXPIRED),
    ],
    ids=[
        "started-last-year-no-expiry-is-active",
        "starting-today-is-active",
        "starting-tomorrow-has-not-started",
        "expiring-tomorrow-is-still-active",
        "expiring-today-has-expired",
        "expired-yesterday-has-expired",
        "revoked-this-morning-is-revoked",
        "revocation-outranks-expiry",
        "revocation-outranks-a-closed-matter",
        "closed-matter-ends-an-issue-limited-consent",
        "closed-matter-outranks-expiry",
        "expiry-outranks-not-started",
    ],
)
def test_permission_state_follows_dates_revocation_and_matter(overrides, expected):
    permission = permission_facts(**overrides)

    state = permission_state(permission, TODAY)

    assert state is expected


@pytest.mark.parametrize(
    ("kind", "areas", "expected"),
    [
        (PermissionKind.LPA_PROPERTY_FINANCIAL, None, {"council-tax", "benefits", "housing"}),
        (
            PermissionKind.LPA_PROPERTY_FINANCIAL,
            {"council-tax", "adult-social-care"},
            {"council-tax"},
        ),
        (PermissionKind.LPA_HEALTH_WELFARE, None, {"adult-social-care"}),
        (PermissionKind.LPA_HEALTH_WELFARE, {"council-tax"}, set()),
        (PermissionKind.DWP_APPOINTEE, None, {"benefits", "council-tax"}),
        (PermissionKind.DWP_APPOINTEE, {"housing", "benefits"}, {"benefits"}),
        (PermissionKind.DEPUTYSHIP, {"housing", PARKING}, {"housing", PARKING}),
        (PermissionKind.VERBAL, {"waste"}, {"waste"}),
        (PermissionKind.WRITTEN, {PARKING}, {PARKING}),
    ],
    ids=[
        "lpa-property-and-financial-reaches-money-topics",
        "lpa-property-and-financial-never-reaches-care-even-if-recorded",
        "lpa-health-and-welfare-reaches-care-topics",
        "lpa-health-and-welfare-never-reaches-council-tax",
        "dwp-appointee-reaches-benefits-and-council-tax",
        "dwp-appointee-never-reaches-a-tenancy",
        "deputyship-reaches-what-the-order-names",
        "verbal-consent-reaches-what-was-said",
        "written-consent-reaches-an-area-added-by-an-administrator",
    ],
)
def test_a_permission_reaches_its_scope_cut_down_to_its_kind(kind, areas, expected):
    permission = permission_facts(kind=kind, areas=None if areas is None else frozenset(areas))

    reached = {area for area in EVERY_AREA if covers(permission, area)}

    assert reached == expected


def test_consent_with_no_recorded_limit_reaches_every_area_including_new_ones():
    permission = permission_facts(kind=PermissionKind.VERBAL, areas=None)

    assert effective_areas(permission) is None
    assert covers(permission, "an-area-added-next-year")


@pytest.mark.parametrize(
    ("kind", "areas", "expected"),
    [
        (PermissionKind.WRITTEN, {"council-tax"}, "council tax only"),
        (PermissionKind.WRITTEN, {"housing", "council-tax"}, "council tax and housing"),
        (
            PermissionKind.WRITTEN,
            {"housing", "council-tax", "waste"},
            "council tax, housing and waste and recycling",
        ),
        (PermissionKind.WRITTEN, None, "all council services"),
        (PermissionKind.WRITTEN, {"street-lighting"}, "street lighting only"),
        (PermissionKind.LPA_HEALTH_WELFARE, None, "adult social care only"),
        (PermissionKind.LPA_HEALTH_WELFARE, {"council-tax"}, "no council services"),
    ],
    ids=[
        "one-area",
        "two-areas",
        "three-areas",
        "all-areas",
        "an-area-an-administrator-added",
        "an-lpa-for-health-and-welfare",
        "a-scope-the-kind-cannot-reach",
    ],
)
def test_describe_scope_says_which_areas_in_plain_words(kind, areas, expected):
    permission = permission_facts(kind=kind, areas=None if areas is None else frozenset(areas))

    assert describe_scope(permission) == expected


@pytest.mark.parametrize(
    ("granted_on", "months", "expected"),
    [
        (date(2026, 3, 1), 12, date(2027, 3, 1)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 12, 15), 6, date(2027, 6, 15)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 3, 31), 12, date(2027, 3, 31)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
    ],
    ids=[
        "a-year",
        "leap-day",
        "across-a-year-end",
        "short-month",
        "six-months",
        "a-thirty-day-month",
        "a-thirty-first-kept",
        "into-a-leap-february",
    ],
)
def test_verbal_consent_lapses_after_the_configured_months(granted_on, months, expected):
    assert default_verbal_expiry(granted_on, months) == expected


# Issue 5, item 5: kind x scope x status x expiry x topic. The oracle below restates the rules
# in plain words rather than calling the code under test.
MONEY = {"council-tax", "benefits", "housing"}
CARE = {"adult-social-care"}
KIND_LIMIT = {
    PermissionKind.VERBAL: set(EVERY_AREA),
    PermissionKind.WRITTEN: set(EVERY_AREA),
    PermissionKind.LPA_PROPERTY_FINANCIAL: MONEY,
    PermissionKind.LPA_HEALTH_WELFARE: CARE,
    PermissionKind.DEPUTYSHIP: set(EVERY_AREA),
    PermissionKind.DWP_APPOINTEE: {"benefits", "council-tax"},
}
SCOPES = {
    "all": None,
    "council-tax": {"council-tax"},
    "care": {"adult-social-care"},
    "housing-and-benefits": {"housing", "benefits"},
    "waste-and-parking": {"waste", PARKING},
}
STARTS = {"started-last-year": LAST_YEAR, "starts-today": TODAY, "starts-tomorrow": TOMORROW}
EXPIRIES = {
    "no-expiry": None,
    "expired-yesterday": YESTERDAY,
    "expires-today": TODAY,
    "expires-tomorrow": TOMORROW,
}
REVOCATIONS = {"not-revoked": None, "revoked-this-morning": THIS_MORNING}
MATTERS = {"matter-open": False, "matter-closed": True}
ACTING = {"may-act": True, "disclosure-only": False}

PERMISSION_MATRIX = list(
    itertools.product(PermissionKind, SCOPES, STARTS, EXPIRIES, REVOCATIONS, MATTERS, ACTING)
)


def expected_areas(kind, scope_name, start_name, expiry_name, revocation_name, matter_name):
    starts_on, expires_on = STARTS[start_name], EXPIRIES[expiry_name]
    in_force = (
        REVOCATIONS[revocation_name] is None
        and not MATTERS[matter_name]
        and starts_on <= TODAY
        and (expires_on is None or expires_on > TODAY)
    )
    if not in_force:
        return set()
    recorded = set(EVERY_AREA) if SCOPES[scope_name] is None else SCOPES[scope_name]
    return recorded & KIND_LIMIT[kind]


@pytest.mark.parametrize(
    ("kind", "scope", "start", "expiry", "revocation", "matter", "acting"),
    PERMISSION_MATRIX,
    ids=["-".join(row) for row in PERMISSION_MATRIX],
)
def test_a_representative_hears_only_about_an_active_permissions_scope(
    kind, scope, start, expiry, revocation, matter, acting
):
    permission = permission_facts(
        kind=kind,
        areas=None if SCOPES[scope] is None else frozenset(SCOPES[scope]),
        may_act=ACTING[acting],
        starts_on=STARTS[start],
        expires_on=EXPIRIES[expiry],
        revoked_at=REVOCATIONS[revocation],
        matter_closed=MATTERS[matter],
    )
    caller = CallerOnCall(
        call_open=True,
        verified_as=VerifiedAs.REPRESENTATIVE,
        permission=permission,
        resident_locked=False,
    )

    disclosure = decide_disclosure(caller, TODAY, EVERY_AREA)

    expected = expected_areas(kind, scope, start, expiry, revocation, matter)
    assert {area for area in EVERY_AREA if may_disclose_area(disclosure, area)} == expected
    assert disclosure.allowed == bool(expected)
    assert disclosure.may_act == (bool(expected) and ACTING[acting])
    prefix = "May discuss " if expected else "Do not disclose: "
    assert disclosure.reason.startswith(prefix)
