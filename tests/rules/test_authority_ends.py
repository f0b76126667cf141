"""Rule 4: a legal authority is not the council's to end with a tap. Which permissions the
resident ends at once, which go to a supervisor, and what a supervisor's decision needs."""

from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules import authority_ends as rules
from app.rules.authority_ends import Checks
from app.rules.outbox import authority_end_decided_text
from app.rules.vocabulary import AuthorityEndStatus, PermissionKind

LPA_PF = PermissionKind.LPA_PROPERTY_FINANCIAL
LPA_HW = PermissionKind.LPA_HEALTH_WELFARE
AUTHORITIES = [LPA_PF, LPA_HW, PermissionKind.DEPUTYSHIP, PermissionKind.DWP_APPOINTEE]
WAITING, ENDED, KEPT = AuthorityEndStatus.WAITING, AuthorityEndStatus.ENDED, AuthorityEndStatus.KEPT
ALL_CHECKS = Checks(spoke_alone=True, told_holder=True, told_issuer=True)
EVERY_CHECKLIST = [Checks(*ticks) for ticks in product([True, False], repeat=3)]


@pytest.mark.parametrize(
    ("kind", "authority", "body"),
    [
        (PermissionKind.VERBAL, False, None),
        (PermissionKind.WRITTEN, False, None),
        (LPA_PF, True, "the Office of the Public Guardian"),
        (LPA_HW, True, "the Office of the Public Guardian"),
        (PermissionKind.DEPUTYSHIP, True, "the Court of Protection"),
        (PermissionKind.DWP_APPOINTEE, True, "the Department for Work and Pensions (DWP)"),
    ],
    ids=str,
)
def test_a_legal_authority_is_made_under_the_law_and_names_who_issued_it(kind, authority, body):
    assert rules.is_legal_authority(kind) is authority
    assert rules.issuing_body(kind) == body
    assert rules.issuer_name(kind) == (body.removeprefix("the ") if body else None)


def test_every_kind_of_permission_is_either_consent_or_a_legal_authority():
    consent = {kind for kind in PermissionKind if not rules.is_legal_authority(kind)}

    assert consent == {PermissionKind.VERBAL, PermissionKind.WRITTEN}
    assert set(AUTHORITIES) == rules.LEGAL_AUTHORITIES


@pytest.mark.parametrize("kind", list(PermissionKind), ids=str)
def test_the_resident_takes_away_only_consent_they_gave(kind):
    expected = rules.NOT_ENDED_WITH_A_TAP if kind in AUTHORITIES else None

    assert rules.refusal_to_take_away(kind) == expected


@pytest.mark.parametrize(
    ("kind", "has_ended"), list(product(PermissionKind, [False, True])), ids=str
)
def test_the_resident_asks_us_to_end_only_a_legal_authority_still_standing(kind, has_ended):
    if kind not in AUTHORITIES:
        expected = rules.NOT_A_LEGAL_AUTHORITY
    else:
        expected = rules.ALREADY_ENDED if has_ended else None

    assert rules.refusal_to_ask(kind, has_ended) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("", None),
        ("Please ring after 6pm", None),
        ("x" * 1000, None),
        ("  " + "x" * 1000 + "\n", None),
        ("x" * 1001, "What you tell us must be 1,000 characters or fewer"),
    ],
    ids=["nothing", "a-note", "exactly-the-limit", "the-limit-with-spaces", "one-over"],
)
def test_what_the_resident_tells_us_is_optional_and_bounded(note, expected):
    assert rules.note_problem(note) == expected


def _decide(status=WAITING, outcome=ENDED, checks=ALL_CHECKS, reason="Checked", kind=LPA_PF, **kw):
    return rules.refusal_to_decide(
        status, outcome, checks, reason, kind, is_supervisor=kw.get("is_supervisor", True)
    )


@pytest.mark.parametrize(
    ("status", "outcome", "checks", "kind"),
    list(product(AuthorityEndStatus, [ENDED, KEPT, None], EVERY_CHECKLIST, AUTHORITIES)),
    ids=str,
)
def test_only_a_supervisor_decides(status, outcome, checks, kind):
    refused = _decide(status, outcome, checks, kind=kind, is_supervisor=False)

    assert refused == (None, rules.ONLY_SUPERVISORS)


@pytest.mark.parametrize(
    ("status", "outcome", "checks"),
    list(product([ENDED, KEPT], [ENDED, KEPT, None], EVERY_CHECKLIST)),
    ids=str,
)
def test_a_request_is_decided_once(status, outcome, checks):
    assert _decide(status, outcome, checks) == (None, rules.ALREADY_DECIDED)


@pytest.mark.parametrize("outcome", [None, WAITING], ids=["none", "waiting"])
def test_a_decision_ends_the_permission_or_keeps_it(outcome):
    assert _decide(outcome=outcome) == ("outcome", rules.SELECT_OUTCOME)


@pytest.mark.parametrize(
    ("outcome", "checks", "reason", "expected"),
    [
        (outcome, checks, reason, expected)
        for outcome, checks in product([ENDED, KEPT], EVERY_CHECKLIST)
        for reason, expected in [
            ("", ("reason", rules.ENTER_REASON)),
            (" \n ", ("reason", rules.ENTER_REASON)),
            ("x" * 1001, ("reason", rules.REASON_TOO_LONG)),
        ]
    ],
    ids=str,
)
def test_either_outcome_needs_a_reason(outcome, checks, reason, expected):
    assert _decide(outcome=outcome, checks=checks, reason=reason) == expected


@pytest.mark.parametrize(("checks", "kind"), list(product(EVERY_CHECKLIST, AUTHORITIES)), ids=str)
def test_keeping_the_permission_needs_only_the_reason(checks, kind):
    assert _decide(outcome=KEPT, checks=checks, kind=kind) is None


@pytest.mark.parametrize("kind", AUTHORITIES, ids=str)
@pytest.mark.parametrize(
    ("spoke_alone", "told_holder", "told_issuer", "expected"),
    [
        (True, True, True, None),
        (False, True, True, rules.CHECK_SPOKE_ALONE),
        (False, False, False, rules.CHECK_SPOKE_ALONE),
        (False, False, True, rules.CHECK_SPOKE_ALONE),
        (False, True, False, rules.CHECK_SPOKE_ALONE),
        (True, False, True, rules.CHECK_TOLD_HOLDER),
        (True, False, False, rules.CHECK_TOLD_HOLDER),
        (True, True, False, "Tell {body} before ending the permission"),
    ],
    ids=[
        "all-done",
        "not-spoken-to-alone",
        "nothing-done",
        "only-the-issuer-told",
        "not-alone-but-both-told",
        "holder-not-told",
        "only-spoken-to",
        "issuer-not-told",
    ],
)
def test_ending_the_permission_needs_every_check_the_coercion_check_first(
    kind, spoke_alone, told_holder, told_issuer, expected
):
    checks = Checks(spoke_alone, told_holder, told_issuer)

    refused = _decide(outcome=ENDED, checks=checks, kind=kind)

    if expected is None:
        assert refused is None
    else:
        assert refused == ("checks", expected.format(body=rules.issuing_body(kind)))


def test_the_issuer_to_tell_is_named_in_the_refusal():
    refused = _decide(checks=Checks(True, True, False), kind=PermissionKind.DEPUTYSHIP)

    assert refused == ("checks", "Tell the Court of Protection before ending the permission")


def test_the_history_says_the_supervisor_ended_it_on_the_residents_request():
    assert rules.ended_reason(12, "  Spoke to her alone  ") == (
        "Ended by a supervisor on the resident's request 12: Spoke to her alone"
    )


@pytest.mark.parametrize(
    ("outcome", "says"),
    [(ENDED, "and ended it"), (KEPT, "It stays in place for now")],
    ids=["ended", "kept"],
)
def test_the_resident_is_told_the_outcome_and_nothing_else(outcome, says):
    text = authority_end_decided_text(
        outcome, "Leicester City Council", "https://council.example/portal", "0116 454 1000"
    )

    assert text.startswith("Leicester City Council: we have looked at your request")
    assert says in text
    assert text.endswith("contact us: 0116 454 1000")
    assert "Attorney" not in text and "DWP" not in text


def test_waiting_is_not_an_outcome_to_tell():
    with pytest.raises(ValueError):
        authority_end_decided_text(WAITING, "Council", "https://x", "0116")


# Properties.


@given(
    st.sampled_from(list(AuthorityEndStatus)),
    st.sampled_from([ENDED, KEPT, None, WAITING]),
    st.sampled_from(EVERY_CHECKLIST),
    st.text(max_size=1100),
    st.sampled_from(AUTHORITIES),
    st.booleans(),
)
def test_a_permission_is_never_ended_without_every_check_by_a_supervisor_on_a_waiting_request(
    status, outcome, checks, reason, kind, is_supervisor
):
    refused = rules.refusal_to_decide(
        status, outcome, checks, reason, kind, is_supervisor=is_supervisor
    )

    if refused is None and outcome is ENDED:
        assert is_supervisor and status is WAITING
        assert checks == ALL_CHECKS
        assert 0 < len(reason.strip()) <= rules.REASON_MAX_LENGTH
    if status is not WAITING:
        assert refused is not None
