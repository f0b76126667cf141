"""The duty-to-share override, as plain values: what it adds to the disclosure gate, when, and
who may ask and decide."""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules import duty_to_share as rules
from app.rules.disclosure import (
    CallerOnCall,
    StaffAccess,
    VerifiedAs,
    entry_visible_on_call,
    may_disclose_area,
)
from app.rules.duty_to_share import CallNow, ShareRequestFacts
from app.rules.vocabulary import EntryStatus, LawfulBasis, ServiceArea, ShareRequestStatus
from tests.rules.data import permission_facts

TODAY = date(2026, 11, 25)
EVERY_AREA = frozenset(ServiceArea)
RESIDENT_ID = 1
CALLER = (
    "Someone else calling about the resident, PC Jones, Professional (GP, social worker, police)"
)
HOUSING = ServiceArea.HOUSING.value
CARE = ServiceArea.ADULT_SOCIAL_CARE.value
COUNCIL_TAX = ServiceArea.COUNCIL_TAX.value


def share(status=ShareRequestStatus.PENDING, urgent=True, approved=None, **overrides):
    values = {
        "status": status,
        "urgent": urgent,
        "basis": LawfulBasis.SAFEGUARDING,
        "resident_id": RESIDENT_ID,
        "caller": CALLER,
        "areas_requested": frozenset({HOUSING, CARE}),
        "areas_approved": approved,
    }
    return ShareRequestFacts(**(values | overrides))


OPEN_CALL = CallNow(is_open=True, resident_id=RESIDENT_ID, caller=CALLER)

# Each request with the areas it lets the handler discuss on its open call; by hand.
REQUESTS = {
    "none": (None, set()),
    "waiting-not-urgent": (share(urgent=False), set()),
    "waiting-urgent": (share(), {HOUSING, CARE}),
    "approved-as-asked": (
        share(ShareRequestStatus.APPROVED, urgent=False, approved=frozenset({HOUSING, CARE})),
        {HOUSING, CARE},
    ),
    "approved-narrowed": (
        share(ShareRequestStatus.APPROVED, urgent=True, approved=frozenset({HOUSING})),
        {HOUSING},
    ),
    "refused-urgent": (share(ShareRequestStatus.REFUSED), set()),
    "refused-not-urgent": (share(ShareRequestStatus.REFUSED, urgent=False), set()),
}
CALLS = {
    "open": OPEN_CALL,
    "ended": CallNow(is_open=False, resident_id=RESIDENT_ID, caller=CALLER),
    "moved-to-another-resident": CallNow(is_open=True, resident_id=2, caller=CALLER),
    "caller-changed": CallNow(is_open=True, resident_id=RESIDENT_ID, caller="The resident"),
}
GATES = {
    "not-verified": (VerifiedAs.NOBODY, None),
    "resident": (VerifiedAs.RESIDENT, None),
    "representative-for-council-tax": (
        VerifiedAs.REPRESENTATIVE,
        permission_facts(areas=frozenset({COUNCIL_TAX}), may_act=True),
    ),
}


def gate_areas(gate_name):
    verified_as, _ = GATES[gate_name]
    if verified_as is VerifiedAs.RESIDENT:
        return set(EVERY_AREA)
    if verified_as is VerifiedAs.REPRESENTATIVE:
        return {COUNCIL_TAX}
    return set()


MATRIX = list(itertools.product(GATES, REQUESTS, CALLS))


@pytest.mark.parametrize(
    ("gate", "request_name", "call"), MATRIX, ids=["-".join(r) for r in MATRIX]
)
def test_the_override_adds_only_its_areas_to_the_gate_and_only_on_its_call(
    gate, request_name, call
):
    verified_as, permission = GATES[gate]
    call_now = CALLS[call]
    caller = CallerOnCall(call_now.is_open, verified_as, permission, resident_locked=False)
    request, request_areas = REQUESTS[request_name]

    disclosure = rules.decide_disclosure_on_call(
        caller, TODAY, EVERY_AREA, [request] if request else [], call_now
    )

    override_areas = request_areas if call == "open" else set()
    expected = (gate_areas(gate) | override_areas) if call_now.is_open else set()
    assert {a for a in EVERY_AREA if may_disclose_area(disclosure, a)} == expected
    assert disclosure.allowed == bool(expected)
    adds = bool(override_areas) and gate != "resident"
    if adds:
        assert disclosure.duty_to_share == "Disclosed under duty to share: " + (
            "Safeguarding a child or an adult at risk"
        )
    else:
        assert disclosure.duty_to_share is None
    # The override never lets the handler act on the resident's behalf.
    assert disclosure.may_act == (call_now.is_open and gate != "not-verified")


STAFF = {
    "every-area": StaffAccess(EVERY_AREA, may_see_sensitive=False),
    "housing-only": StaffAccess(frozenset({HOUSING}), may_see_sensitive=False),
}
ENTRY_MATRIX = list(itertools.product(REQUESTS, STAFF, EVERY_AREA, [False, True]))


@pytest.mark.parametrize(
    ("request_name", "staff", "area", "sensitive"),
    ENTRY_MATRIX,
    ids=["-".join(map(str, r)) for r in ENTRY_MATRIX],
)
def test_an_entry_shows_under_the_override_only_in_its_areas_and_to_staff_who_may_see_it(
    request_name, staff, area, sensitive
):
    caller = CallerOnCall(True, VerifiedAs.NOBODY, None, resident_locked=False)
    request, request_areas = REQUESTS[request_name]
    disclosure = rules.decide_disclosure_on_call(
        caller, TODAY, EVERY_AREA, [request] if request else [], OPEN_CALL
    )

    shown = entry_visible_on_call(disclosure, STAFF[staff], area, sensitive, EntryStatus.ACTIVE)

    assert shown == (area in request_areas and area in STAFF[staff].areas and not sensitive)


def test_the_handler_is_told_the_basis_the_areas_and_that_approval_is_still_due():
    caller = CallerOnCall(True, VerifiedAs.NOBODY, None, resident_locked=False)

    disclosure = rules.decide_disclosure_on_call(
        caller, TODAY, EVERY_AREA, [share(basis=LawfulBasis.VITAL_INTERESTS)], OPEN_CALL
    )

    assert disclosure.reason == (
        "Disclosed under duty to share: Risk to life (vital interests). "
        "May discuss adult social care and housing; urgent, not yet approved by a supervisor"
    )


def test_two_requests_in_force_give_both_their_areas_and_both_bases():
    requests = [
        share(ShareRequestStatus.APPROVED, approved=frozenset({HOUSING})),
        share(
            ShareRequestStatus.APPROVED,
            basis=LawfulBasis.CRIME,
            areas_requested=frozenset({COUNCIL_TAX}),
            approved=frozenset({COUNCIL_TAX}),
        ),
    ]

    override = rules.decide_override(requests, OPEN_CALL, EVERY_AREA)

    assert override.areas == {HOUSING, COUNCIL_TAX}
    assert override.duty_to_share == (
        "Disclosed under duty to share: Safeguarding a child or an adult at risk; "
        "Prevention or detection of crime (police request)"
    )


def test_an_area_no_longer_in_use_is_not_shared():
    request = share(ShareRequestStatus.APPROVED, approved=frozenset({HOUSING}))

    assert rules.decide_override([request], OPEN_CALL, frozenset({CARE})) is None


REQUEST_REFUSALS = [
    (False, True, False, False, rules.NO_RESIDENT),
    (True, False, False, False, rules.NO_CALLER),
    (True, True, True, False, rules.ALREADY_VERIFIED),
    (True, True, False, True, rules.ALREADY_WAITING),
    (True, True, False, False, None),
]


@pytest.mark.parametrize(
    ("resident", "caller", "verified", "waiting", "refusal"),
    REQUEST_REFUSALS,
    ids=["no-resident", "no-caller", "verified-resident", "already-waiting", "may-ask"],
)
def test_who_may_ask_to_share(resident, caller, verified, waiting, refusal):
    assert (
        rules.refusal_to_request(
            resident_selected=resident,
            caller_recorded=caller,
            verified_as_resident=verified,
            has_waiting_request=waiting,
        )
        == refusal
    )


OFFERED = frozenset({HOUSING, CARE})
PROBLEMS = [
    (None, "Child at risk at the address", "", {HOUSING}, ("basis", rules.SELECT_BASIS)),
    (LawfulBasis.SAFEGUARDING, "Too short", "", {HOUSING}, ("reason", rules.ENTER_REASON)),
    (LawfulBasis.SAFEGUARDING, "x" * 1001, "", {HOUSING}, ("reason", rules.ENTER_REASON)),
    (LawfulBasis.CRIME, "Missing person enquiry", " ", {HOUSING}, ("officer", rules.ENTER_OFFICER)),
    (
        LawfulBasis.SAFEGUARDING,
        "Child at risk at the address",
        "",
        set(),
        ("areas", rules.SELECT_AREAS),
    ),
    (
        LawfulBasis.SAFEGUARDING,
        "Child at risk at the address",
        "",
        {HOUSING, "parking"},
        ("areas", rules.AREAS_NOT_OFFERED),
    ),
    (LawfulBasis.CRIME, "Missing person enquiry", "PC 123 Jones, Leics", {HOUSING}, None),
    (LawfulBasis.LEGAL_OBLIGATION, "Court order 2026/118", "", {HOUSING, CARE}, None),
]


@pytest.mark.parametrize(
    ("basis", "reason", "officer", "areas", "problem"),
    PROBLEMS,
    ids=[
        "no-basis",
        "reason-too-short",
        "reason-too-long",
        "police-without-officer",
        "no-areas",
        "area-not-offered",
        "police-with-officer",
        "court-order",
    ],
)
def test_what_a_request_must_say(basis, reason, officer, areas, problem):
    assert rules.request_problem(basis, reason, officer, frozenset(areas), OFFERED) == problem


DECIDE = [
    (ShareRequestStatus.PENDING, 5, 6, True, None),
    (ShareRequestStatus.PENDING, 6, 6, True, rules.OWN_REQUEST),
    (ShareRequestStatus.PENDING, 5, 6, False, rules.NOT_A_SUPERVISOR),
    (
        ShareRequestStatus.APPROVED,
        5,
        6,
        True,
        "This request has already been approved. Nothing was changed",
    ),
    (
        ShareRequestStatus.REFUSED,
        5,
        6,
        True,
        "This request has already been refused. Nothing was changed",
    ),
]


@pytest.mark.parametrize(
    ("status", "requested_by", "decider", "supervisor", "refusal"),
    DECIDE,
    ids=["may-decide", "own-request", "not-a-supervisor", "already-approved", "already-refused"],
)
def test_who_may_decide_a_request(status, requested_by, decider, supervisor, refusal):
    assert rules.refusal_to_decide(status, requested_by, decider, supervisor) == refusal


@pytest.mark.parametrize(
    ("urgent", "call_open", "refusal"),
    [
        (True, True, None),
        (True, False, None),
        (False, True, None),
        (False, False, rules.CALL_ENDED),
    ],
    ids=["urgent-call-open", "urgent-call-ended", "not-urgent-call-open", "not-urgent-call-ended"],
)
def test_a_request_not_urgent_lapses_with_its_call_an_urgent_one_is_still_decided(
    urgent, call_open, refusal
):
    decision = rules.refusal_to_decide(
        ShareRequestStatus.PENDING, 5, 6, True, urgent=urgent, call_open=call_open
    )

    assert decision == refusal
    assert rules.has_lapsed(ShareRequestStatus.PENDING, urgent, call_open) == (refusal is not None)


def test_a_decided_request_never_lapses():
    for status in (ShareRequestStatus.APPROVED, ShareRequestStatus.REFUSED):
        assert not rules.has_lapsed(status, urgent=False, call_open=False)


@pytest.mark.parametrize(
    ("chosen", "approved"),
    [
        ({HOUSING, CARE}, {HOUSING, CARE}),
        ({HOUSING}, {HOUSING}),
        (set(), None),
        ({HOUSING, COUNCIL_TAX}, None),
    ],
    ids=["as-asked", "narrowed", "none", "widened"],
)
def test_approval_may_narrow_the_areas_never_widen_them(chosen, approved):
    result = rules.approved_areas(frozenset({HOUSING, CARE}), frozenset(chosen))

    assert result == (frozenset(approved) if approved is not None else None)


ASKED = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "urgent", "after", "overdue"),
    [
        (ShareRequestStatus.PENDING, True, timedelta(hours=23, minutes=59), False),
        (ShareRequestStatus.PENDING, True, timedelta(hours=24), False),
        (ShareRequestStatus.PENDING, True, timedelta(hours=24, seconds=1), True),
        (ShareRequestStatus.PENDING, False, timedelta(hours=48), False),
        (ShareRequestStatus.APPROVED, True, timedelta(hours=48), False),
        (ShareRequestStatus.REFUSED, True, timedelta(hours=48), False),
    ],
    ids=[
        "urgent-within-24h",
        "urgent-at-exactly-24h",
        "urgent-just-past-24h",
        "not-urgent-never-overdue",
        "approved",
        "refused",
    ],
)
def test_an_urgent_request_is_overdue_only_once_past_24_hours_undecided(
    status, urgent, after, overdue
):
    assert rules.is_overdue(status, urgent, ASKED, ASKED + after) == overdue


@given(
    status=st.sampled_from(ShareRequestStatus),
    urgent=st.booleans(),
    requested=st.sets(st.sampled_from(sorted(EVERY_AREA)), min_size=1),
    approved=st.sets(st.sampled_from(sorted(EVERY_AREA))),
    is_open=st.booleans(),
)
def test_a_request_never_shares_outside_its_areas_nor_after_its_call(
    status, urgent, requested, approved, is_open
):
    request = share(
        status,
        urgent=urgent,
        areas_requested=frozenset(requested),
        approved=frozenset(approved & requested) if status is ShareRequestStatus.APPROVED else None,
    )
    call = CallNow(is_open=is_open, resident_id=RESIDENT_ID, caller=CALLER)

    areas = rules.areas_in_force(request, call)

    assert areas <= frozenset(requested)
    if not is_open or status is ShareRequestStatus.REFUSED:
        assert areas == frozenset()
