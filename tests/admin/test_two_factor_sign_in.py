"""Two-factor sign-in: a code after the password for supervisors and administrators, set up
straight after the password by whoever has not, each code and recovery code good once."""

from datetime import UTC, datetime, timedelta

import pytest

from app import clock
from app.extensions import db
from app.models import StaffRecoveryCode, StaffUser
from app.rules import two_factor as two_factor_rules
from app.rules.vocabulary import Role
from app.services import staff as staff_service
from tests import factories
from tests.admin.helpers import (
    actions,
    code_now,
    enrol,
    events,
    give_code,
    give_password,
    key_on_enrolment_page,
    post,
    signed_in,
    text,
)

NOW = datetime(2026, 11, 30, 9, 0, 5, tzinfo=UTC)


@pytest.fixture
def frozen():
    clock.set_now(NOW)


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_a_right_password_alone_signs_no_supervisor_or_administrator_in(client, role):
    user = factories.make_staff(role)

    response = give_password(client, user)

    assert response.status_code == 302
    assert response.headers["Location"] == "/login/code"
    assert not signed_in(client)
    assert actions() == ["staff.password_accepted"]


def test_a_handler_signs_in_with_a_password_alone_by_default(client):
    user = factories.make_staff(Role.HANDLER)

    response = give_password(client, user)

    assert response.headers["Location"] == "/"
    assert signed_in(client)


def test_the_code_from_the_app_completes_the_sign_in(client, frozen):
    user = factories.make_staff(Role.SUPERVISOR)
    give_password(client, user)

    response = give_code(client, code_now())

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert signed_in(client)
    assert actions() == ["staff.password_accepted", "staff.signed_in"]
    assert events("staff.signed_in")[0].detail["second_factor"] == "authenticator app"


def test_next_is_followed_after_the_code(client, frozen):
    user = factories.make_staff(Role.SUPERVISOR)
    client.get("/disputes")
    response = post(
        client, "/login?next=/disputes", {"email": user.email, "password": factories.PASSWORD}
    )
    assert response.headers["Location"] == "/login/code?next=/disputes"

    response = post(client, "/login/code?next=/disputes", {"code": code_now()})

    assert response.headers["Location"] == "/disputes"


def test_a_code_is_refused_the_second_time_it_is_used(app, frozen):
    user = factories.make_staff(Role.SUPERVISOR)
    code = code_now()
    first, second = app.test_client(), app.test_client()
    give_password(first, user)
    accepted = give_code(first, code)

    give_password(second, user)
    replayed = give_code(second, code)

    assert accepted.status_code == 302
    assert replayed.status_code == 200
    assert two_factor_rules.WRONG_CODE in text(replayed)
    assert not signed_in(second)
    assert actions()[-1] == "staff.two_factor_failed"


def test_a_code_from_an_earlier_step_than_one_used_is_refused(app, frozen):
    user = factories.make_staff(Role.SUPERVISOR)
    step = two_factor_rules.time_step(NOW)
    later = two_factor_rules.code_at_step(factories.TOTP_SECRET, step + 1)
    earlier = two_factor_rules.code_at_step(factories.TOTP_SECRET, step)
    first, second = app.test_client(), app.test_client()
    give_password(first, user)
    assert give_code(first, later).status_code == 302

    give_password(second, user)
    assert give_code(second, earlier).status_code == 200
    assert not signed_in(second)


def test_a_code_step_left_open_ends_when_the_account_signs_in_elsewhere(app, frozen):
    user = factories.make_staff(Role.SUPERVISOR)
    first, second = app.test_client(), app.test_client()
    give_password(first, user)
    give_password(second, user)

    give_code(first, code_now())

    assert second.get("/login/code").headers["Location"] == "/login"


def test_a_wrong_code_is_shown_next_to_the_field_and_audited(client, frozen):
    user = factories.make_staff(Role.ADMIN)
    give_password(client, user)

    response = give_code(client, "000000" if code_now() != "000000" else "111111")

    page = text(response)
    assert response.status_code == 200
    assert "<title>Error: Enter your code" in page
    assert "There is a problem" in page
    assert two_factor_rules.WRONG_CODE in page
    assert actions() == ["staff.password_accepted", "staff.two_factor_failed"]
    assert not signed_in(client)


def test_an_empty_code_is_asked_for(client):
    give_password(client, factories.make_staff(Role.SUPERVISOR))

    response = give_code(client, "")

    assert two_factor_rules.ENTER_CODE in text(response)


def test_codes_are_limited_like_passwords(client, frozen):
    user = factories.make_staff(Role.SUPERVISOR)
    give_password(client, user)
    wrong = "000000" if code_now() != "000000" else "111111"

    answers = [give_code(client, wrong).status_code for _ in range(5)]
    then = give_code(client, code_now())

    assert answers == [200] * 5
    assert then.status_code == 429
    assert not signed_in(client)


def test_the_code_page_without_a_right_password_sends_to_sign_in(client):
    response = client.get("/login/code")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert post(client, "/login/code", {"code": "123456"}, page="/login").status_code == 302


def test_the_code_step_lapses_after_ten_minutes(client, frozen):
    user = factories.make_staff(Role.SUPERVISOR)
    give_password(client, user)

    clock.set_now(NOW + timedelta(minutes=10))
    response = client.get("/login/code")

    assert response.headers["Location"] == "/login"


def test_the_code_step_is_not_taken_from_another_browser(app, client, frozen):
    user = factories.make_staff(Role.SUPERVISOR)
    give_password(client, user)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)

    response = other.get("/login/code", headers={"User-Agent": "another browser"})

    assert response.headers["Location"] == "/login"


def test_a_deactivated_account_cannot_finish_signing_in(client, frozen):
    user = factories.make_staff(Role.SUPERVISOR)
    give_password(client, user)
    staff_service.deactivate_staff(db.session.get(StaffUser, user.id), None)

    response = give_code(client, code_now())

    assert response.headers["Location"] == "/login"
    assert not signed_in(client)


def test_someone_not_enrolled_sets_up_two_factor_straight_after_the_password(client, frozen):
    user = factories.make_staff(Role.SUPERVISOR, two_factor=False)

    response = give_password(client, user)

    assert response.headers["Location"] == "/login/set-up-two-factor"
    page = text(client.get("/login/set-up-two-factor"))
    assert "<svg" in page and 'role="img"' in page
    assert "two-factor-key" in page
    for path in ("/calls", "/", "/disputes", "/login/code"):
        assert client.get(path).status_code == 302, path
        assert client.get(path).headers["Location"].startswith("/login"), path


def test_setting_up_shows_ten_recovery_codes_once_and_signs_in(client, frozen):
    user = factories.make_staff(Role.ADMIN, two_factor=False)

    codes = enrol(client, user)

    assert len(codes) == 10 == len(set(codes))
    assert signed_in(client)
    db.session.expire_all()
    stored = db.session.scalars(
        db.select(StaffRecoveryCode.code_hash).where(StaffRecoveryCode.staff_id == user.id)
    ).all()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in hashed for code in codes for hashed in stored)
    assert actions() == [
        "staff.password_accepted",
        "staff.two_factor_enrolled",
        "staff.signed_in",
    ]


def test_a_wrong_first_code_does_not_complete_set_up(client, frozen):
    user = factories.make_staff(Role.SUPERVISOR, two_factor=False)
    give_password(client, user)
    secret = key_on_enrolment_page(client)
    step = two_factor_rules.time_step(NOW)

    response = post(
        client,
        "/login/set-up-two-factor",
        {"code": two_factor_rules.code_at_step(secret, step + 5)},
    )

    assert response.status_code == 200
    assert two_factor_rules.WRONG_SETUP_CODE in text(response)
    assert "<title>Error: Set up two-factor sign-in" in text(response)
    db.session.expire_all()
    assert db.session.get(StaffUser, user.id).two_factor_enrolled_at is None
    assert not signed_in(client)


def test_the_key_stays_the_same_until_set_up_is_confirmed(client):
    user = factories.make_staff(Role.SUPERVISOR, two_factor=False)
    give_password(client, user)
    first = key_on_enrolment_page(client)

    give_password(client, user)

    assert key_on_enrolment_page(client) == first


def test_a_recovery_code_works_once(app, frozen):
    user = factories.make_staff(Role.SUPERVISOR, two_factor=False)
    codes = enrol(app.test_client(), user)
    clock.set_now(NOW + timedelta(minutes=1))

    first, second = app.test_client(), app.test_client()
    give_password(first, user)
    used = give_code(first, codes[3].upper().replace("-", " "))
    give_password(second, user)
    again = give_code(second, codes[3])

    assert used.status_code == 302 and signed_in(first)
    assert again.status_code == 200 and not signed_in(second)
    assert two_factor_rules.WRONG_CODE in text(again)
    assert events("staff.recovery_code_used")[0].detail["codes_left"] == 9
    assert events("staff.signed_in")[-1].detail["second_factor"] == "recovery code"


def test_handlers_are_asked_for_a_code_when_the_setting_says_so(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_ROLES", frozenset({"handler", "supervisor"}))
    user = factories.make_staff(Role.HANDLER, two_factor=False)

    response = give_password(client, user)

    assert response.headers["Location"] == "/login/set-up-two-factor"


def test_after_a_reset_the_person_sets_up_again_and_the_old_app_stops_working(app, frozen):
    user = factories.make_staff(Role.SUPERVISOR)
    before = app.test_client()
    give_password(before, user)
    give_code(before, code_now())

    staff_service.reset_two_factor(db.session.get(StaffUser, user.id), None)

    assert not signed_in(before)
    after = app.test_client()
    assert give_password(after, user).headers["Location"] == "/login/set-up-two-factor"
    assert give_code(after, code_now()).headers["Location"] == "/login"
    assert key_on_enrolment_page(after) != factories.TOTP_SECRET
