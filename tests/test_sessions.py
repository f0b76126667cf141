"""Staff sessions end when they should: at sign-out, at a new sign-in, a fixed time after
sign-in however busy the console, and as soon as the cookie turns up in another browser."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import clock
from app.models import AuditEvent
from tests import factories
from tests.helpers import csrf_token, sign_in


def _copy_session_cookie(app: Flask, client: FlaskClient) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def _replay(app: Flask, cookie: str, **request_options):
    """Open the call list in a fresh client that has only the copied cookie."""
    stranger = app.test_client()
    stranger.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return stranger.get("/calls", **request_options)


def _sends_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(app, signed_in_handler):
    copied = _copy_session_cookie(app, signed_in_handler)
    before = _replay(app, copied)

    signed_in_handler.post("/logout", data={"csrf_token": csrf_token(signed_in_handler, "/")})
    after = _replay(app, copied)

    assert before.status_code == 200
    assert _sends_to_sign_in(after)


def test_signing_in_again_ends_the_accounts_earlier_sessions(app):
    user = factories.make_staff()
    first = app.test_client()
    sign_in(first, user)
    copied = _copy_session_cookie(app, first)

    sign_in(app.test_client(), user)

    assert _sends_to_sign_in(_replay(app, copied))
    assert _sends_to_sign_in(first.get("/calls"))


def test_sign_out_is_audited_once_and_the_old_session_token_is_gone(app, signed_in_handler):
    user = signed_in_handler.user
    token = user.session_token

    signed_in_handler.post("/logout", data={"csrf_token": csrf_token(signed_in_handler, "/")})

    factories.db.session.refresh(user)
    assert user.session_token != token
    actions = factories.db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("staff.signed_out") == 1


def test_a_session_ends_12_hours_after_sign_in_however_busy_the_console(client):
    signed_in_at = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    clock.set_now(signed_in_at)
    sign_in(client, factories.make_staff())

    busy = []
    for minutes in range(30, 12 * 60, 30):
        clock.set_now(signed_in_at + timedelta(minutes=minutes))
        busy.append(client.get("/calls").status_code)
    clock.set_now(signed_in_at + timedelta(hours=12))
    ended = client.get("/calls")

    assert set(busy) == {200}
    assert _sends_to_sign_in(ended)


def test_an_ended_session_stays_ended_if_the_clock_is_turned_back(client):
    signed_in_at = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    clock.set_now(signed_in_at)
    sign_in(client, factories.make_staff())
    clock.set_now(signed_in_at + timedelta(hours=13))
    client.get("/calls")

    clock.set_now(signed_in_at + timedelta(hours=1))
    response = client.get("/calls")

    assert _sends_to_sign_in(response)


def test_the_absolute_lifetime_is_configurable(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_ABSOLUTE_LIFETIME", timedelta(hours=2))
    signed_in_at = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    clock.set_now(signed_in_at)
    sign_in(client, factories.make_staff())

    clock.set_now(signed_in_at + timedelta(hours=2))
    response = client.get("/calls")

    assert _sends_to_sign_in(response)


@pytest.mark.parametrize(
    "elsewhere",
    [
        {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}},
        {"headers": {"User-Agent": "Mozilla/5.0 (another browser)"}},
    ],
    ids=["another-address", "another-browser"],
)
def test_a_live_session_cookie_used_elsewhere_is_dropped(app, signed_in_handler, elsewhere):
    copied = _copy_session_cookie(app, signed_in_handler)

    response = _replay(app, copied, **elsewhere)

    assert _sends_to_sign_in(response)
