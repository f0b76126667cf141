import itertools
from datetime import date, datetime

import pytest

from app.rules.disclosure import (
    UNVERIFIED_LABEL,
    CallerOnCall,
    Disclosure,
    EntryStatus,
    StaffAccess,
    VerifiedAs,
    decide_disclosure,
    dispatch_on_hold,
    disputed_notice,
    entry_banner,
    entry_label,
    entry_shown_outside_call,
    entry_visible_on_call,
    entry_withheld_as_disputed,
    may_disclose_area,
    reported_by_on_call,
    shown_in_routine_view,
    staff_may_see_entry,
)
from app.rules.vocabulary import PermissionKind, Relationship, ServiceArea
from tests.rules.data import permission_facts

TODAY = date(2026, 11, 25)
PARKING = "parking"  # an area an administrator added
EVERY_AREA = frozenset({*ServiceArea, PARKING})
EVERYTHING = "every-area"


# Each permission with what a verified representative holding it may hear about on TODAY,
# whether they may act, and the words the handler sees; worked out by hand.
PERMISSIONS = {
    "no-permission": (
        None,
        set(),
        False,
        "Do not disclose: no permission chosen for this representative",
    ),
    "lpa-for-council-tax": (
        permission_facts(
            kind=PermissionKind.LPA_PROPERTY_FINANCIAL,
            areas=frozenset({"council-tax"}),
            expires_on=date(2027, 3, 1),
        ),
        {"council-tax"},
        True,
        "May discuss council tax only: Lasting Power of Attorney (property and financial), "
        "expires 1 March 2027",
    ),
    "written-consent-for-everything": (
        permission_facts(),
        EVERYTHING,
        True,
        "May discuss all council services: Written consent, no expiry date",
    ),
    "verbal-disclosure-only": (
        permission_facts(
            kind=PermissionKind.VERBAL,
            areas=frozenset({"housing", "benefits"}),
            may_act=False,
            expires_on=date(2027, 3, 1),
        ),
        {"housing", "benefits"},
        False,
        "May discuss benefits and housing: Verbal consent, expires 1 March 2027; "
        "disclosure only, no changes on the resident's behalf",
    ),
    "lpa-for-health-and-welfare": (
        permission_facts(kind=PermissionKind.LPA_HEALTH_WELFARE),
        {"adult-social-care"},
        True,
        "May discuss adult social care only: Lasting Power of Attorney (health and welfare), "
        "no expiry date",
    ),
    "lpa-for-care-recorded-for-council-tax": (
        permission_facts(kind=PermissionKind.LPA_HEALTH_WELFARE, areas=frozenset({"council-tax"})),
        set(),
        False,
        "Do not disclose: permission covers no council services "
        "(Lasting Power of Attorney (health and welfare))",
    ),
    "revoked": (
        permission_facts(revoked_at=datetime(2026, 11, 25, 10, 5)),
        set(),
        False,
        "Do not disclose: permission revoked on 25 November 2026",
    ),
    "expired": (
        permission_facts(expires_on=date(2026, 11, 1)),
        set(),
        False,
        "Do not disclose: permission expired on 1 November 2026",
    ),
    "not-started": (
        permission_facts(starts_on=date(2026, 12, 1)),
        set(),
        False,
        "Do not disclose: permission starts on 1 December 2026",
    ),
    "matter-closed": (
        permission_facts(matter_closed=True),
        set(),
        False,
        "Do not disclose: permission ended when its matter was closed",
    ),
}

STAFF = {
    "every-area-and-sensitive": StaffAccess(EVERY_AREA, may_see_sensitive=True),
    "every-area-not-sensitive": StaffAccess(EVERY_AREA, may_see_sensitive=False),
    "council-tax-and-care-sensitive": StaffAccess(
        frozenset({"council-tax", "adult-social-care"}), may_see_sensitive=True
    ),
}
CALLS = {"call-open": True, "call-ended": False}
LOCKS = {"unlocked": False, "locked": True}


def expected_on_call(verified_as, permission_name, lock_name, call_name):
    """(areas the caller may hear about, may act, reason), from the rules in words."""
    _, rep_areas, rep_may_act, rep_reason = PERMISSIONS[permission_name]
    if not CALLS[call_name]:
        return set(), False, "Do not disclose: call has ended"
    if verified_as == VerifiedAs.RESIDENT:
        return EVERYTHING, True, "May discuss all council services: caller verified as the resident"
    if verified_as == VerifiedAs.REPRESENTATIVE:
        return rep_areas, rep_may_act, rep_reason
    if LOCKS[lock_name]:
        return set(), False, "Do not disclose: phone verification is locked"
    return set(), False, "Do not disclose: caller not verified"


CALLER_MATRIX = list(itertools.product(VerifiedAs, PERMISSIONS, LOCKS, CALLS))


@pytest.mark.parametrize(
    ("verified_as", "permission", "lock", "call"),
    CALLER_MATRIX,
    ids=["-".join(row) for row in CALLER_MATRIX],
)
def test_the_gate_tells_the_handler_what_they_may_discuss_and_why(
    verified_as, permission, lock, call
):
    caller = CallerOnCall(CALLS[call], verified_as, PERMISSIONS[permission][0], LOCKS[lock])

    disclosure = decide_disclosure(caller, TODAY, EVERY_AREA)

    areas, may_act, reason = expected_on_call(verified_as, permission, lock, call)
    assert disclosure.reason == reason
    assert disclosure.allowed == bool(areas)
    assert disclosure.may_act == may_act
    assert disclosure.all_areas == (areas == EVERYTHING)
    allowed_areas = EVERY_AREA if areas == EVERYTHING else areas
    assert {area for area in EVERY_AREA if may_disclose_area(disclosure, area)} == allowed_areas
    assert disclosure.areas == (allowed_areas if disclosure.allowed else frozenset())


# Issue 4, item 7: caller type x verification state x lock state x service area x sensitivity,
# with the member of staff's own access and the entry's dispute status.
ENTRY_MATRIX = list(itertools.product(VerifiedAs, PERMISSIONS, LOCKS, CALLS, STAFF, EntryStatus))


@pytest.mark.parametrize(
    ("verified_as", "permission", "lock", "call", "staff", "status"),
    ENTRY_MATRIX,
    ids=["-".join(row) for row in ENTRY_MATRIX],
)
def test_an_entry_shows_on_a_call_only_when_caller_and_staff_may_both_see_it(
    verified_as, permission, lock, call, staff, status
):
    caller = CallerOnCall(CALLS[call], verified_as, PERMISSIONS[permission][0], LOCKS[lock])
    access = STAFF[staff]
    disclosure = decide_disclosure(caller, TODAY, EVERY_AREA)
    entries = list(itertools.product(EVERY_AREA, [False, True]))

    shown = {
        (area, sensitive)
        for area, sensitive in entries
        if entry_visible_on_call(disclosure, access, area, sensitive, status)
    }

    caller_areas, _, _ = expected_on_call(verified_as, permission, lock, call)
    expected = {
        (area, sensitive)
        for area, sensitive in entries
        if (caller_areas == EVERYTHING or area in caller_areas)
        and area in access.areas
        and (access.may_see_sensitive or not sensitive)
        and status == EntryStatus.ACTIVE
    }
    assert shown == expected


def test_a_revoked_permission_stops_disclosure_mid_call():
    permission = permission_facts(kind=PermissionKind.LPA_PROPERTY_FINANCIAL)
    before = CallerOnCall(True, VerifiedAs.REPRESENTATIVE, permission, resident_locked=False)
    revoked = permission_facts(
        kind=PermissionKind.LPA_PROPERTY_FINANCIAL, revoked_at=datetime(2026, 11, 25, 14, 2)
    )
    after = CallerOnCall(True, VerifiedAs.REPRESENTATIVE, revoked, resident_locked=False)

    first_click = decide_disclosure(before, TODAY, EVERY_AREA)
    next_click = decide_disclosure(after, TODAY, EVERY_AREA)

    assert may_disclose_area(first_click, "council-tax")
    assert not may_disclose_area(next_click, "council-tax")
    assert next_click.reason == "Do not disclose: permission revoked on 25 November 2026"


def test_a_permission_expiring_tomorrow_still_discloses_today_but_not_tomorrow():
    permission = permission_facts(expires_on=date(2026, 11, 26))
    caller = CallerOnCall(True, VerifiedAs.REPRESENTATIVE, permission, resident_locked=False)

    today = decide_disclosure(caller, TODAY, EVERY_AREA)
    tomorrow = decide_disclosure(caller, date(2026, 11, 26), EVERY_AREA)

    assert today.allowed
    assert not tomorrow.allowed
    assert tomorrow.reason == "Do not disclose: permission expired on 26 November 2026"


def test_a_representative_hears_only_about_areas_the_council_still_has():
    permission = permission_facts(areas=frozenset({"council-tax", "pest-control"}))
    caller = CallerOnCall(True, VerifiedAs.REPRESENTATIVE, permission, resident_locked=False)

    disclosure = decide_disclosure(caller, TODAY, EVERY_AREA)

    assert disclosure.areas == {"council-tax"}
    assert disclosure.reason.startswith("May discuss council tax only: ")


def test_a_lock_does_not_take_back_a_verification_made_before_it():
    caller = CallerOnCall(True, VerifiedAs.RESIDENT, None, resident_locked=True)

    disclosure = decide_disclosure(caller, TODAY, EVERY_AREA)

    assert disclosure.allowed


def test_a_resident_may_hear_about_an_area_added_after_the_call_began():
    caller = CallerOnCall(True, VerifiedAs.RESIDENT, None, resident_locked=False)

    disclosure = decide_disclosure(caller, TODAY, EVERY_AREA)

    assert may_disclose_area(disclosure, "street-lighting")


def test_a_refusal_never_allows_an_area_even_if_one_is_listed():
    refusal = Disclosure(allowed=False, reason="Do not disclose: caller not verified")
    tampered = Disclosure(False, "x", frozenset({"housing"}), may_act=True, all_areas=True)

    assert not may_disclose_area(refusal, "housing")
    assert not may_disclose_area(tampered, "housing")


@pytest.mark.parametrize(
    ("areas", "may_see_sensitive", "entry_area", "sensitive", "expected"),
    [
        ({"housing"}, False, "housing", False, True),
        ({"housing"}, False, "housing", True, False),
        ({"housing"}, True, "housing", True, True),
        ({"housing"}, True, "council-tax", False, False),
        (set(), True, "housing", False, False),
    ],
    ids=[
        "own-area-ordinary-entry",
        "own-area-sensitive-entry-without-permission",
        "own-area-sensitive-entry-with-permission",
        "another-area-even-with-sensitive-permission",
        "no-areas-at-all",
    ],
)
def test_staff_see_only_what_their_job_needs(
    areas, may_see_sensitive, entry_area, sensitive, expected
):
    staff = StaffAccess(frozenset(areas), may_see_sensitive)

    assert staff_may_see_entry(staff, entry_area, sensitive) is expected


@pytest.mark.parametrize(
    ("status", "routine", "banner", "on_hold"),
    [
        (EntryStatus.ACTIVE, True, None, False),
        (
            EntryStatus.DISPUTED,
            False,
            "Disputed by the resident and being investigated: do not rely on it",
            True,
        ),
        (
            EntryStatus.UPHELD,
            False,
            "Found incorrect after a dispute: kept for audit only",
            False,
        ),
    ],
    ids=["active", "disputed", "upheld"],
)
def test_disputed_entries_carry_a_banner_and_leave_routine_views_as_upheld_ones_do(
    status, routine, banner, on_hold
):
    assert shown_in_routine_view(status) is routine
    assert entry_banner(status) == banner
    assert dispatch_on_hold(status) is on_hold


@pytest.mark.parametrize(
    ("count", "notice"),
    [
        (0, None),
        (1, "1 entry is disputed and being investigated"),
        (2, "2 entries are disputed and being investigated"),
    ],
    ids=["none", "one", "several"],
)
def test_a_routine_view_counts_the_disputed_entries_it_leaves_out(count, notice):
    assert disputed_notice(count) == notice


@pytest.mark.parametrize(
    ("may_otherwise_see", "status", "counted"),
    [
        (True, EntryStatus.ACTIVE, False),
        (True, EntryStatus.DISPUTED, True),
        (True, EntryStatus.UPHELD, False),
        (False, EntryStatus.ACTIVE, False),
        (False, EntryStatus.DISPUTED, False),
        (False, EntryStatus.UPHELD, False),
    ],
    ids=[
        "seen-active-is-shown-not-counted",
        "seen-disputed-is-counted",
        "seen-upheld-is-not-mentioned",
        "unseen-active",
        "unseen-disputed-is-not-mentioned",
        "unseen-upheld",
    ],
)
def test_only_a_disputed_entry_that_could_otherwise_be_seen_is_counted_as_disputed(
    may_otherwise_see, status, counted
):
    assert entry_withheld_as_disputed(may_otherwise_see, status) is counted


REPORTERS = list(itertools.product(Relationship, ["unverified", "verified"]))


@pytest.mark.parametrize(
    ("relationship", "verification"), REPORTERS, ids=[f"{r}-{v}" for r, v in REPORTERS]
)
def test_every_unverified_report_is_labelled_whoever_made_it(relationship, verification):
    verified = verification == "verified"

    label = entry_label(relationship, verified)

    assert label == (None if verified else UNVERIFIED_LABEL)
    assert UNVERIFIED_LABEL == "Reported in good faith, not verified"


REPORTED_BY = {
    Relationship.SPOUSE_PARTNER: "Reported by a spouse or partner",
    Relationship.PARENT: "Reported by a parent",
    Relationship.CHILD: "Reported by a son or daughter",
    Relationship.OTHER_FAMILY: "Reported by a family member",
    Relationship.CARER: "Reported by a carer",
    Relationship.NEIGHBOUR: "Reported by a neighbour",
    Relationship.FRIEND: "Reported by a friend",
    Relationship.LANDLORD: "Reported by a landlord",
    Relationship.PROFESSIONAL: "Reported by a professional (GP, social worker, police)",
    Relationship.COUNCILLOR_MP: "Reported by a councillor or MP",
    Relationship.OTHER: "Reported by someone else",
    Relationship.NOT_GIVEN: "Reported by a caller who did not say who they were",
}


@pytest.mark.parametrize(
    ("relationship", "verification"), REPORTERS, ids=[f"{r}-{v}" for r, v in REPORTERS]
)
def test_a_caller_hears_who_reported_an_entry_by_relationship_only(relationship, verification):
    verified = verification == "verified"

    said = reported_by_on_call(relationship, verified)

    if relationship is Relationship.SELF:
        assert said == (
            "Reported by the resident"
            if verified
            else "Reported by someone who said they were the resident"
        )
    else:
        assert said == REPORTED_BY[relationship]


@pytest.mark.parametrize(
    ("areas", "may_see_sensitive", "entry_area", "sensitive", "status", "shown"),
    [
        ({"housing"}, False, "housing", False, EntryStatus.ACTIVE, True),
        ({"housing"}, False, "housing", False, EntryStatus.DISPUTED, False),
        ({"housing"}, False, "housing", False, EntryStatus.UPHELD, False),
        ({"housing"}, False, "benefits", False, EntryStatus.ACTIVE, False),
        ({"housing"}, False, "housing", True, EntryStatus.ACTIVE, False),
        ({"housing"}, True, "housing", True, EntryStatus.ACTIVE, True),
        ({"housing"}, True, "housing", True, EntryStatus.UPHELD, False),
    ],
    ids=[
        "own-area-active",
        "own-area-disputed-is-left-out-while-investigated",
        "own-area-found-incorrect-stays-out",
        "another-area",
        "sensitive-without-the-permission",
        "sensitive-with-the-permission",
        "sensitive-found-incorrect-stays-out",
    ],
)
def test_outside_a_call_only_need_to_know_and_disputes_limit_entries(
    areas, may_see_sensitive, entry_area, sensitive, status, shown
):
    staff = StaffAccess(areas=frozenset(areas), may_see_sensitive=may_see_sensitive)

    assert entry_shown_outside_call(staff, entry_area, sensitive, status) is shown
