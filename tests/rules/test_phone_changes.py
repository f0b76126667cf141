"""Numbers on file: what a change does, whom it tells, who may make it, and the hold on codes."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules import phone_changes as rules
from app.rules.phone_changes import (
    ChangeAsked,
    NumberOnFile,
    PhoneChange,
    PhoneChangeKind,
    PhoneLabel,
    Refusal,
    decide_change,
)
from app.rules.text_codes import LineFacts, TextCodePolicy, codes_allowed_from, hold_reason
from app.rules.vocabulary import Factor, Role

NOW = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
YEARS_AGO = datetime(2019, 5, 1, 9, 0, tzinfo=UTC)
MOBILE, HOME, WORK = PhoneLabel.MOBILE, PhoneLabel.HOME, PhoneLabel.WORK
OLD_MOBILE = NumberOnFile(1, "+447700900123", "mobile", YEARS_AGO)
SECOND_MOBILE = NumberOnFile(2, "+447700900124", "mobile", YEARS_AGO)
LANDLINE = NumberOnFile(3, "+441164960123", "home", None)
ON_FILE = (OLD_MOBILE, SECOND_MOBILE, LANDLINE)
NEW = "+447700900999"
V = "7"  # the version of the numbers the forms below were shown with


def decide(asked: ChangeAsked, on_file=ON_FILE, version: str = V):
    return decide_change(on_file, asked, NOW, version)


def ask(phone_id=None, number=None, label=None, remove=False, seen=V) -> ChangeAsked:
    return ChangeAsked(phone_id, number, label, remove, seen)


# --- what a change does ----------------------------------------------------------------------

CHANGES = {
    "add-a-mobile": (
        ask(number=NEW, label=MOBILE),
        PhoneChange(
            PhoneChangeKind.ADDED, None, None, None, NEW, "mobile", NOW,
            (OLD_MOBILE.number, SECOND_MOBILE.number),
        ),
    ),
    "add-a-work-number": (
        ask(number=NEW, label=WORK),
        PhoneChange(
            PhoneChangeKind.ADDED, None, None, None, NEW, "work", NOW,
            (OLD_MOBILE.number, SECOND_MOBILE.number),
        ),
    ),
    "change-a-mobile": (
        ask(1, NEW, MOBILE),
        PhoneChange(
            PhoneChangeKind.CHANGED, 1, OLD_MOBILE.number, "mobile", NEW, "mobile", NOW,
            (OLD_MOBILE.number, SECOND_MOBILE.number),
        ),
    ),
    "change-the-landline-tells-it-and-the-mobiles": (
        ask(3, NEW, MOBILE),
        PhoneChange(
            PhoneChangeKind.CHANGED, 3, LANDLINE.number, "home", NEW, "mobile", NOW,
            (LANDLINE.number, OLD_MOBILE.number, SECOND_MOBILE.number),
        ),
    ),
    "change-the-number-keeping-its-kind": (
        ask(2, NEW, None),
        PhoneChange(
            PhoneChangeKind.CHANGED, 2, SECOND_MOBILE.number, "mobile", NEW, "mobile", NOW,
            (SECOND_MOBILE.number, OLD_MOBILE.number),
        ),
    ),
    "relabel-keeps-its-date-and-tells-nobody": (
        ask(1, None, WORK),
        PhoneChange(
            PhoneChangeKind.RELABELLED, 1, OLD_MOBILE.number, "mobile", OLD_MOBILE.number,
            "work", YEARS_AGO, (),
        ),
    ),
    "relabel-typing-the-same-number": (
        ask(3, LANDLINE.number, WORK),
        PhoneChange(
            PhoneChangeKind.RELABELLED, 3, LANDLINE.number, "home", LANDLINE.number, "work",
            None, (),
        ),
    ),
    "remove-a-mobile": (
        ask(2, remove=True),
        PhoneChange(
            PhoneChangeKind.REMOVED, 2, SECOND_MOBILE.number, "mobile", None, None, None,
            (SECOND_MOBILE.number, OLD_MOBILE.number),
        ),
    ),
    "remove-the-landline": (
        ask(3, remove=True),
        PhoneChange(
            PhoneChangeKind.REMOVED, 3, LANDLINE.number, "home", None, None, None,
            (LANDLINE.number, OLD_MOBILE.number, SECOND_MOBILE.number),
        ),
    ),
}  # fmt: skip


@pytest.mark.parametrize(("asked", "change"), CHANGES.values(), ids=CHANGES.keys())
def test_a_change_does_what_was_asked_and_tells_the_numbers_the_resident_had(asked, change):
    assert decide(asked) == change


REFUSALS = {
    "a-form-shown-before-the-last-change": (ask(number=NEW, label=MOBILE, seen="6"), None),
    "a-form-with-no-version": (ask(1, NEW, MOBILE, seen=""), None),
    "add-without-a-number": (ask(label=MOBILE), "number"),
    "add-without-a-kind": (ask(number=NEW), "label"),
    "add-a-number-on-file": (ask(number=SECOND_MOBILE.number, label=WORK), "number"),
    "remove-without-choosing": (ask(remove=True), "phone"),
    "change-a-number-not-on-file": (ask(99, NEW, MOBILE), "phone"),
    "remove-a-number-not-on-file": (ask(99, remove=True), "phone"),
    "change-to-another-number-on-file": (ask(1, SECOND_MOBILE.number, MOBILE), "number"),
    "change-to-the-same-number-and-kind": (ask(1, OLD_MOBILE.number, MOBILE), "number"),
    "change-nothing": (ask(1), "number"),
}


@pytest.mark.parametrize(("asked", "field"), REFUSALS.values(), ids=REFUSALS.keys())
def test_a_change_that_cannot_be_made_is_refused_next_to_its_field(asked, field):
    decided = decide(asked)

    assert isinstance(decided, Refusal)
    assert decided.field == field
    if asked.seen != V:
        assert decided.message == rules.NUMBERS_CHANGED


def test_adding_the_first_number_tells_nobody():
    decided = decide(ask(number=NEW, label=MOBILE), on_file=())

    assert decided.kind is PhoneChangeKind.ADDED
    assert decided.tell == ()


def test_the_new_number_is_never_told():
    for asked, _ in CHANGES.values():
        decided = decide(asked)
        assert decided.new_number not in decided.tell


# --- the hold: a number put on file is held from codes the full period, every time -------------

POLICY = TextCodePolicy()  # 7 days


def _apply(on_file: list[NumberOnFile], change: PhoneChange, next_id: int) -> list[NumberOnFile]:
    """The numbers on file after `change`, as the service writes them."""
    kept = [n for n in on_file if n.phone_id != change.phone_id]
    if change.kind is PhoneChangeKind.RELABELLED:
        old = next(n for n in on_file if n.phone_id == change.phone_id)
        return [*kept, NumberOnFile(old.phone_id, old.number, change.new_label, old.added_at)]
    if change.new_number is None:
        return kept
    return [*kept, NumberOnFile(next_id, change.new_number, change.new_label, change.new_added_at)]


NUMBERS = st.sampled_from(["+447700900111", "+447700900222", "+447700900333"])
STEP = st.tuples(
    st.sampled_from(["add", "change", "relabel", "remove"]),
    st.integers(min_value=0, max_value=5),  # which number on file
    NUMBERS,
    st.sampled_from(list(PhoneLabel)),
    st.integers(min_value=0, max_value=60 * 24 * 10),  # minutes after the last step
)


@given(st.lists(STEP, max_size=12))
def test_changes_back_and_forth_never_free_a_number_before_its_full_hold(steps):
    on_file = [NumberOnFile(1, "+447700900111", "mobile", YEARS_AGO)]
    put_on_file: dict[str, datetime] = {"+447700900111": YEARS_AGO}
    moment, next_id = NOW, 2
    for what, which, number, label, minutes in steps:
        moment += timedelta(minutes=minutes)
        target = on_file[which % len(on_file)].phone_id if on_file else None
        asked = {
            "add": ChangeAsked(None, number, label, seen=V),
            "change": ChangeAsked(target, number, label, seen=V),
            "relabel": ChangeAsked(target, None, label, seen=V),
            "remove": ChangeAsked(target, remove=True, seen=V),
        }[what]
        decided = decide_change(on_file, asked, moment, V)
        if isinstance(decided, Refusal):
            continue
        if decided.kind in rules.NEW_NUMBER:
            put_on_file[decided.new_number] = moment
        on_file = _apply(on_file, decided, next_id)
        next_id += 1

    for number in on_file:
        last_put_on_file = put_on_file[number.number]
        assert number.added_at == last_put_on_file
        held_until = codes_allowed_from(last_put_on_file, POLICY)
        facts = LineFacts(number_added_at=number.added_at)
        assert hold_reason(facts, held_until - timedelta(seconds=1), POLICY) is not None
        assert hold_reason(facts, held_until, POLICY) is None
    assert len({n.number for n in on_file}) == len(on_file)


def test_a_change_made_with_a_code_to_the_old_number_still_holds_the_new_one():
    verified = rules.verified_on_call([Factor.SMS_CODE], OLD_MOBILE.number)
    decided = decide(ask(1, NEW, MOBILE))

    assert verified == "text code to number ending 123"
    assert decided.new_added_at == NOW
    assert hold_reason(LineFacts(number_added_at=decided.new_added_at), NOW, POLICY)


# --- who may change a number --------------------------------------------------------------

ON_CALL = {
    "verified-resident-same-call": (True, True, None),
    "not-verified": (True, False, rules.NOT_VERIFIED),
    "form-for-another-record-or-caller": (False, True, rules.STALE_FORM),
    "both": (False, False, rules.STALE_FORM),
}


@pytest.mark.parametrize(("matches", "verified", "refusal"), ON_CALL.values(), ids=ON_CALL.keys())
def test_only_the_resident_verified_on_this_call_may_change_numbers_on_it(
    matches, verified, refusal
):
    assert (
        rules.on_call_refusal(form_matches_call=matches, verified_as_resident=verified) == refusal
    )


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_only_a_supervisor_may_change_numbers_outside_a_call(role):
    refusal = rules.outside_call_refusal(role)

    assert (refusal is None) is (role is Role.SUPERVISOR)


SUPERVISOR_INPUT = {
    "good": ("Signed change of details form", "FORM-2026-0042", None),
    "reason-too-short": ("Form", "FORM-1", "reason"),
    "reason-blank": ("          ", "FORM-1", "reason"),
    "reason-too-long": ("x" * 501, "FORM-1", "reason"),
    "reason-with-a-full-number": ("New mobile is 07700 900999", "FORM-1", "reason"),
    "no-evidence": ("Signed change of details form", "  ", "evidence"),
    "evidence-too-long": ("Signed change of details form", "F" * 201, "evidence"),
    "evidence-with-a-full-number": ("Signed change of details form", "+447700900999", "evidence"),
    "a-number-by-its-ending-is-fine": ("Mobile ending 123 replaced", "FORM-1", None),
}


@pytest.mark.parametrize(
    ("reason", "evidence", "field"), SUPERVISOR_INPUT.values(), ids=SUPERVISOR_INPUT.keys()
)
def test_a_supervisors_change_needs_a_reason_and_evidence_without_full_numbers(
    reason, evidence, field
):
    refused = rules.supervisor_refusal(reason, evidence)

    assert (refused.field if refused else None) == field


# --- the audit log's words ----------------------------------------------------------------

VERIFIED = {
    "two-answers": (
        [Factor.POSTCODE, Factor.DATE_OF_BIRTH], None, "answers: date of birth, postcode",
    ),
    "secret-word": (
        [Factor.SECRET_WORD, Factor.ADDRESS_LINE], None,
        "answers: first line of address, secret word",
    ),
    "text-code": ([Factor.SMS_CODE], "+447700900123", "text code to number ending 123"),
    "text-code-number-unknown": ([Factor.SMS_CODE], None, "text code to a number on file"),
    "both": (
        [Factor.REFERENCE, Factor.SMS_CODE], "+447700900456",
        "answers: reference number; text code to number ending 456",
    ),
    "nothing-recorded": ([], None, "verified on the call"),
}  # fmt: skip


@pytest.mark.parametrize(("factors", "number", "words"), VERIFIED.values(), ids=VERIFIED.keys())
def test_how_the_caller_was_verified_is_said_without_answers_or_full_numbers(
    factors, number, words
):
    said = rules.verified_on_call(factors, number)

    assert said == words
    assert "900123" not in said and "900456" not in said


def test_a_supervisors_change_says_the_evidence():
    assert rules.by_supervisor(" FORM-1 ") == "supervisor, evidence: FORM-1"


@pytest.mark.parametrize("kind", sorted(rules.NEW_NUMBER | {PhoneChangeKind.REMOVED}))
def test_the_text_says_what_happened_and_when_and_nothing_personal(kind):
    text = rules.told_text(kind, date(2026, 12, 3), "City Council", "0116 454 1000")

    assert text.startswith("City Council: ")
    assert "on 3 December 2026" in text
    assert text.endswith("If you did not ask for this, call 0116 454 1000")
    assert "ending" not in text and "07700" not in text


def test_numbers_are_shown_by_their_ending():
    assert rules.ending("+447700900123") == "123"
    assert rules.ending(None) is None
    assert rules.number_words("+447700900123", "mobile") == "Mobile ending 123"
    assert rules.number_words(None, "mobile") is None


SUMMARIES = {
    "added": (
        CHANGES["add-a-mobile"][1], NOW + timedelta(days=7),
        "Mobile ending 999 added. Text codes can go to it from 14:05 on 10 December 2026. "
        "A text telling the resident is going to 2 of their numbers",
    ),
    "changed": (
        CHANGES["change-a-mobile"][1], NOW + timedelta(days=7),
        "Mobile ending 123 changed to mobile ending 999. Text codes can go to it from 14:05 on "
        "10 December 2026. A text telling the resident is going to the old number and 1 other "
        "number",
    ),
    "relabelled": (
        CHANGES["relabel-keeps-its-date-and-tells-nobody"][1], None,
        "Mobile ending 123 is now a work number",
    ),
    "removed-only-number": (
        PhoneChange(PhoneChangeKind.REMOVED, 1, NEW, "home", None, None, None, (NEW,)), None,
        "Home ending 999 removed. A text telling the resident is going to the old number",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("change", "codes_from", "said"), SUMMARIES.values(), ids=SUMMARIES)
def test_staff_are_told_what_changed_by_endings_and_when_codes_can_go(change, codes_from, said):
    assert rules.change_summary(change, codes_from) == said


def test_the_version_of_the_numbers_is_the_last_change():
    assert rules.numbers_version(None) == "0"
    assert rules.numbers_version(42) == "42"
