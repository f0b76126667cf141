"""Two-factor codes: which step a code is for, never the same step twice, and recovery codes."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from app.rules import two_factor as rules
from app.rules.two_factor import SignInStep
from app.rules.vocabulary import Role

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2026, 11, 30, 9, 0, 10, tzinfo=UTC)


def _code(at: datetime) -> str:
    return pyotp.TOTP(SECRET).at(at)


@pytest.mark.parametrize(
    ("role", "roles", "required"),
    [
        (Role.HANDLER, {"supervisor", "admin"}, False),
        (Role.SUPERVISOR, {"supervisor", "admin"}, True),
        (Role.ADMIN, {"supervisor", "admin"}, True),
        (Role.HANDLER, {"handler", "supervisor", "admin"}, True),
        (Role.ADMIN, set(), False),
    ],
)
def test_who_must_use_two_factor_sign_in(role, roles, required):
    assert rules.required_for(role, roles) is required


@pytest.mark.parametrize(
    ("enrolled", "required", "step"),
    [
        (False, False, SignInStep.SIGNED_IN),
        (False, True, SignInStep.ENROL),
        (True, True, SignInStep.CODE),
        (True, False, SignInStep.CODE),
    ],
)
def test_what_comes_after_a_right_password(enrolled, required, step):
    assert rules.next_step(enrolled=enrolled, required=required) is step


def test_our_codes_are_the_ones_authenticator_apps_show():
    step = rules.time_step(NOW)

    assert rules.code_at_step(SECRET, step) == _code(NOW)


@pytest.mark.parametrize(
    ("offset_seconds", "accepted"),
    [(-60, False), (-30, True), (0, True), (30, True), (60, False)],
    ids=["two-steps-early", "one-step-early", "now", "one-step-late", "two-steps-late"],
)
def test_a_code_is_accepted_one_step_either_side_of_now(offset_seconds, accepted):
    typed = _code(NOW + timedelta(seconds=offset_seconds))

    step = rules.matching_step(SECRET, typed, NOW, None)

    assert (step is not None) is accepted
    if accepted:
        assert step == rules.time_step(NOW) + offset_seconds // 30


def test_a_code_is_never_accepted_for_a_step_already_used_or_an_earlier_one():
    current = rules.time_step(NOW)
    typed = _code(NOW)

    assert rules.matching_step(SECRET, typed, NOW, current - 1) == current
    assert rules.matching_step(SECRET, typed, NOW, current) is None
    assert rules.matching_step(SECRET, _code(NOW - timedelta(seconds=30)), NOW, current) is None


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12 34 5x", "١٢٣٤٥٦"])
def test_what_is_not_a_six_digit_code_matches_nothing(typed):
    assert rules.matching_step(SECRET, typed, NOW, None) is None


def test_spaces_in_a_typed_code_are_ignored():
    code = _code(NOW)

    assert rules.matching_step(SECRET, f"{code[:3]} {code[3:]}", NOW, None) is not None


def test_recovery_codes_are_distinct_readable_and_recognised_however_typed():
    codes = rules.new_recovery_codes()

    assert len(codes) == rules.RECOVERY_CODE_COUNT == len(set(codes))
    for code in codes:
        assert rules.looks_like_recovery_code(code)
        assert rules.looks_like_recovery_code(code.upper().replace("-", " "))
        assert rules.stored_recovery_code(code.upper().replace("-", " ")) == code.replace("-", "")
        assert not rules.looks_like_app_code(code)


def test_the_key_for_manual_entry_is_the_secret_in_groups_of_four():
    grouped = rules.grouped_secret(SECRET)

    assert grouped.replace(" ", "") == SECRET
    assert all(len(group) == 4 for group in grouped.split(" "))


def test_the_qr_code_holds_an_otpauth_address_naming_the_account():
    uri = rules.provisioning_uri(SECRET, "sam@example.org", "City Council Caller verification")

    assert uri.startswith("otpauth://totp/")
    assert f"secret={SECRET}" in uri
    assert "sam%40example.org" in uri
