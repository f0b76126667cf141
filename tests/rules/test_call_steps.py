from itertools import product

import pytest

from app.rules.call_steps import (
    CallProgress,
    CallSteps,
    Step,
    call_steps,
    parse_step,
    verification_applies,
)
from app.rules.vocabulary import CallerType

RESIDENT = CallerType.RESIDENT
REPRESENTATIVE = CallerType.REPRESENTATIVE
THIRD_PARTY = CallerType.THIRD_PARTY


def _every_progress():
    for has_resident, caller, verified, as_resident, locked in product(
        (False, True), CallerType, (False, True), (False, True), (False, True)
    ):
        if as_resident and not (verified and caller is RESIDENT):
            continue
        if verified and not verification_applies(caller):
            continue
        yield CallProgress(has_resident, caller, verified, as_resident, locked)


EVERY_CASE = [
    (progress, asked)
    for progress in _every_progress()
    for asked in (None, Step.CALLER, Step.VERIFY, Step.REPORT)
]


def test_a_new_call_finds_the_record_first():
    assert call_steps(CallProgress(has_resident=False)) == CallSteps((), (Step.FIND, Step.END))


def test_asking_for_any_step_before_the_record_is_found_still_finds_it():
    for asked in Step:
        assert call_steps(CallProgress(has_resident=False), asked).current is Step.FIND


def test_with_the_record_found_the_handler_says_who_is_calling():
    steps = call_steps(CallProgress(has_resident=True))

    assert steps == CallSteps((Step.FIND,), (Step.CALLER, Step.END))


def test_the_resident_is_verified_next():
    steps = call_steps(CallProgress(True, RESIDENT))

    assert steps == CallSteps((Step.FIND, Step.CALLER), (Step.VERIFY, Step.END))


def test_a_representative_is_verified_next_too():
    assert call_steps(CallProgress(True, REPRESENTATIVE)).current is Step.VERIFY


def test_a_report_can_be_logged_before_saying_who_is_calling():
    steps = call_steps(CallProgress(True), Step.REPORT)

    assert steps == CallSteps((Step.FIND,), (Step.REPORT, Step.END))


def test_a_neighbour_is_never_shown_verification():
    steps = call_steps(CallProgress(True, THIRD_PARTY))

    assert steps == CallSteps((Step.FIND, Step.CALLER), (Step.REPORT, Step.SHARE, Step.END))
    assert not steps.shows(Step.VERIFY)
    assert not call_steps(CallProgress(True, THIRD_PARTY), Step.VERIFY).shows(Step.VERIFY)


def test_a_verified_resident_may_report_give_permission_change_numbers_share_or_end():
    steps = call_steps(CallProgress(True, RESIDENT, verified=True, verified_as_resident=True))

    assert steps == CallSteps(
        (Step.FIND, Step.CALLER, Step.VERIFY),
        (Step.REPORT, Step.CONSENT, Step.PHONES, Step.SHARE, Step.END),
    )


def test_a_verified_representative_is_not_offered_the_residents_permission_form():
    steps = call_steps(CallProgress(True, REPRESENTATIVE, verified=True))

    assert steps.done == (Step.FIND, Step.CALLER, Step.VERIFY)
    assert steps.open == (Step.REPORT, Step.SHARE, Step.END)


def test_a_locked_record_skips_verification_to_the_report():
    steps = call_steps(CallProgress(True, RESIDENT, locked=True))

    assert steps.current is Step.REPORT
    assert Step.VERIFY in steps.done
    assert call_steps(CallProgress(True, RESIDENT, locked=True), Step.VERIFY).current is (
        Step.REPORT
    )


def test_a_report_can_come_before_verification_and_verification_can_be_taken_up_again():
    unverified = CallProgress(True, RESIDENT)

    assert call_steps(unverified, Step.REPORT).current is Step.REPORT
    assert call_steps(unverified, Step.REPORT).shows(Step.VERIFY)  # summarised, changeable
    assert call_steps(unverified, Step.VERIFY).current is Step.VERIFY
    assert call_steps(unverified).current is Step.VERIFY


def test_who_is_calling_can_be_changed_at_any_point_once_the_record_is_found():
    verified = CallProgress(True, RESIDENT, verified=True, verified_as_resident=True)

    steps = call_steps(verified, Step.CALLER)

    assert steps == CallSteps((Step.FIND,), (Step.CALLER, Step.END))


@pytest.mark.parametrize(("progress", "asked"), EVERY_CASE)
def test_every_state_has_one_current_step_and_the_end_of_the_call(progress, asked):
    steps = call_steps(progress, asked)

    assert steps.open[-1] is Step.END
    assert steps.current is not Step.END
    assert not set(steps.done) & set(steps.open)
    assert len(set(steps.done + steps.open)) == len(steps.done + steps.open)
    order = list(Step)
    shown = steps.done + steps.open
    assert sorted(shown, key=order.index) == list(shown), "steps out of order"


@pytest.mark.parametrize(("progress", "asked"), EVERY_CASE)
def test_steps_that_do_not_apply_are_never_shown(progress, asked):
    steps = call_steps(progress, asked)

    if not verification_applies(progress.caller_type):
        assert not steps.shows(Step.VERIFY)
    if not progress.verified_as_resident:
        assert not steps.shows(Step.CONSENT)
        assert not steps.shows(Step.PHONES)
    if not progress.has_resident:
        assert steps.open == (Step.FIND, Step.END)
    if progress.caller_type is CallerType.UNKNOWN and progress.has_resident:
        assert steps.current is (Step.REPORT if asked is Step.REPORT else Step.CALLER)
        assert not steps.shows(Step.SHARE)


@pytest.mark.parametrize(("progress", "asked"), EVERY_CASE)
def test_the_report_is_open_once_the_caller_is_known_unless_they_are_being_verified(
    progress, asked
):
    steps = call_steps(progress, asked)

    if steps.current in (Step.FIND, Step.CALLER, Step.VERIFY):
        assert not steps.shows(Step.REPORT)
    else:
        assert steps.current is Step.REPORT


def test_steps_are_numbered_as_shown():
    neighbour = call_steps(CallProgress(True, THIRD_PARTY))
    resident = call_steps(CallProgress(True, RESIDENT, verified=True, verified_as_resident=True))

    assert [neighbour.number(step) for step in (Step.FIND, Step.CALLER, Step.REPORT)] == [1, 2, 3]
    assert neighbour.number(Step.SHARE) == 4
    assert [resident.number(step) for step in (Step.VERIFY, Step.REPORT, Step.CONSENT)] == [3, 4, 5]
    assert resident.number(Step.PHONES) == 6
    assert resident.number(Step.SHARE) == 7


def test_only_the_steps_that_can_be_asked_for_are_read_from_a_link():
    assert parse_step("caller") is Step.CALLER
    assert parse_step("verify") is Step.VERIFY
    assert parse_step("report") is Step.REPORT
    for value in (None, "", "end", "find", "consent", "phones", "duty-to-share", "CALLER", "../x"):
        assert parse_step(value) is None


def test_a_step_posted_back_is_shown_before_the_end_when_the_call_moved_on():
    verified = CallProgress(True, RESIDENT, verified=True, verified_as_resident=True)
    lapsed = CallProgress(True, RESIDENT)

    # A change of numbers posted after the verification lapsed: shown, to say why not.
    steps = call_steps(lapsed, posted=Step.PHONES)

    assert steps == CallSteps((Step.FIND, Step.CALLER), (Step.VERIFY, Step.PHONES, Step.END))
    assert call_steps(verified, posted=Step.PHONES) == call_steps(verified)


def test_a_step_posted_back_is_asked_for_when_nothing_else_is():
    assert call_steps(CallProgress(True, RESIDENT), posted=Step.REPORT).current is Step.REPORT
    asked = call_steps(CallProgress(True, RESIDENT), Step.CALLER, posted=Step.REPORT)
    assert asked.open == (Step.CALLER, Step.REPORT, Step.END)


def test_a_step_posted_back_that_is_done_is_not_opened_again():
    verified = CallProgress(True, RESIDENT, verified=True, verified_as_resident=True)

    steps = call_steps(verified, posted=Step.VERIFY)

    assert Step.VERIFY in steps.done
    assert Step.VERIFY not in steps.open


@pytest.mark.parametrize(("progress", "asked"), EVERY_CASE)
@pytest.mark.parametrize("posted", list(Step), ids=str)
def test_a_step_posted_back_is_always_shown_and_the_end_stays_last(progress, asked, posted):
    steps = call_steps(progress, asked, posted)

    assert steps.shows(posted)
    assert steps.open[-1] is Step.END
    assert len(set(steps.open)) == len(steps.open)
