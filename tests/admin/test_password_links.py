"""Set-password links: shown once to the administrator, stored hashed, one use, expiring,
replaced by a newer one; setting a password signs nobody in."""

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import StaffPasswordLink, StaffUser
from app.rules import staff_accounts as rules
from app.rules.vocabulary import Role
from tests import factories
from tests.admin.helpers import LINK_ON_PAGE, actions, events, give_password, post, text
from tests.helpers import sign_in

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
NEW_PASSWORD = "purple kettle marching slowly"


@pytest.fixture
def frozen():
    clock.set_now(NOW)


def _issue(admin_client, user) -> str:
    """Issue a link from the account's page, as an administrator would: its path."""
    asked = admin_client.get(f"/admin/staff/{user.id}/password-link")
    assert "It works once, for 24 hours" in text(asked)
    issued = post(admin_client, f"/admin/staff/{user.id}/password-link")
    assert issued.status_code == 200
    match = LINK_ON_PAGE.search(text(issued))
    assert match, "no link on the page"
    return urlsplit(match.group(1)).path


def _set(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return post(client, path, {"password": password, "confirm": confirm or password})


def test_the_link_is_shown_once_and_only_its_hash_is_kept(signed_in_admin, frozen):
    user = factories.make_staff(Role.SUPERVISOR)

    path = _issue(signed_in_admin, user)

    token = path.rsplit("/", 1)[1]
    [link] = db.session.scalars(select(StaffPasswordLink)).all()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert link.expires_at == NOW + timedelta(hours=24)
    assert link.issued_by_id == signed_in_admin.user.id
    assert token not in text(signed_in_admin.get(f"/admin/staff/{user.id}"))
    [event] = events("staff.password_link_issued")
    assert token not in str(event.detail)
    assert event.detail["target_staff_id"] == user.id


def test_the_person_sets_a_password_and_then_signs_in_with_it(app, client, signed_in_admin, frozen):
    user = factories.make_staff(Role.HANDLER)
    path = _issue(signed_in_admin, user)

    form = client.get(path)
    response = _set(client, path)

    assert "Set your password" in text(form)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302  # signed nobody in
    assert sign_in(client, user, password=NEW_PASSWORD).headers["Location"] == "/"
    assert sign_in(app.test_client(), user).status_code == 200  # the old password is gone
    assert "staff.password_set" in actions()


def test_setting_a_password_does_not_skip_two_factor_set_up(client, signed_in_admin, frozen):
    user = factories.make_staff(Role.SUPERVISOR, two_factor=False)
    path = _issue(signed_in_admin, user)

    _set(client, path)
    response = give_password(client, user, NEW_PASSWORD)

    assert response.headers["Location"] == "/login/set-up-two-factor"
    assert client.get("/").status_code == 302


def test_a_used_link_does_not_work_again(client, signed_in_admin, frozen):
    user = factories.make_staff(Role.HANDLER)
    path = _issue(signed_in_admin, user)
    _set(client, path)

    again = client.get(path)
    posted = _set(client, path, password="another long password", confirm=None)

    assert again.status_code == 404 and "This link does not work" in text(again)
    assert posted.status_code in (302, 404)
    assert sign_in(client, user, password="another long password").status_code == 200


def test_a_link_left_too_long_has_expired(client, signed_in_admin, frozen):
    user = factories.make_staff(Role.HANDLER)
    path = _issue(signed_in_admin, user)

    clock.set_now(NOW + timedelta(hours=24))
    response = client.get(path)

    assert response.status_code == 404
    assert "This link does not work" in text(response)


def test_an_open_form_whose_link_expires_meanwhile_sets_nothing(client, signed_in_admin, frozen):
    user = factories.make_staff(Role.HANDLER)
    path = _issue(signed_in_admin, user)
    page = client.get(path)
    assert page.status_code == 200

    clock.set_now(NOW + timedelta(hours=25))
    response = _set(client, path)

    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(StaffUser, user.id).password_hash != ""
    assert "staff.password_set" not in actions()
    assert sign_in(client, user, password=NEW_PASSWORD).status_code == 200


def test_a_newer_link_replaces_the_older_one(client, signed_in_admin, frozen):
    user = factories.make_staff(Role.HANDLER)
    stale = _issue(signed_in_admin, user)
    fresh = _issue(signed_in_admin, user)

    assert client.get(stale).status_code == 404
    assert client.get(fresh).status_code == 200


def test_a_made_up_token_opens_nothing(client):
    for token in ["x", "a" * 43, "a" * 500]:
        response = client.get(f"/set-password/{token}")
        assert response.status_code == 404


def test_deactivation_makes_an_unused_link_void(client, signed_in_admin, frozen):
    user = factories.make_staff(Role.HANDLER)
    path = _issue(signed_in_admin, user)

    post(signed_in_admin, f"/admin/staff/{user.id}/deactivate")

    assert client.get(path).status_code == 404


def test_no_link_for_a_deactivated_account(signed_in_admin):
    user = factories.make_staff(Role.HANDLER)
    post(signed_in_admin, f"/admin/staff/{user.id}/deactivate")

    response = post(signed_in_admin, f"/admin/staff/{user.id}/password-link")

    assert rules.NOT_ACTIVE in text(response)
    assert db.session.scalars(select(StaffPasswordLink)).all() == []


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("", "", rules.ENTER_PASSWORD),
        ("too short", "too short", rules.PASSWORD_TOO_SHORT),
        (NEW_PASSWORD, "something else entirely", rules.PASSWORDS_DIFFER),
        ("x" * 201, "x" * 201, rules.PASSWORD_TOO_LONG),
    ],
    ids=["empty", "short", "different", "long"],
)
def test_a_password_that_will_not_do_is_said_next_to_the_field_and_the_link_still_works(
    client, signed_in_admin, frozen, password, confirm, message
):
    user = factories.make_staff(Role.HANDLER)
    path = _issue(signed_in_admin, user)

    response = _set(client, path, password, confirm)

    page = text(response)
    assert response.status_code == 200
    assert "<title>Error: Set your password" in page
    assert message in page
    assert client.get(path).status_code == 200
    assert "staff.password_set" not in actions()


def test_the_password_may_not_be_the_email_address(client, signed_in_admin):
    user = factories.make_staff(Role.HANDLER, email="long.address.here@example.org")
    path = _issue(signed_in_admin, user)

    response = _set(client, path, "long.address.here@example.org")

    assert rules.PASSWORD_IS_EMAIL in text(response)


def test_pages_with_a_link_key_or_codes_are_never_cached(app, client, signed_in_admin):
    user = factories.make_staff(Role.HANDLER)
    issued = post(signed_in_admin, f"/admin/staff/{user.id}/password-link")
    path = urlsplit(LINK_ON_PAGE.search(text(issued)).group(1)).path
    supervisor = factories.make_staff(Role.SUPERVISOR, two_factor=False)
    give_password(client, supervisor)
    enrolment = client.get("/login/set-up-two-factor")

    for response in (issued, app.test_client().get(path), enrolment):
        assert response.headers["Cache-Control"] == "no-store"
