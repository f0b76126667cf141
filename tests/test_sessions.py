"""Staff sessions end when they should: at sign-out, at a new sign-in, a fixed time after
sign-in however busy the console, and as soon as the cookie turns up in another browser."""

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import BadSignature
from sqlalchemy import event, select

from app import clock
from app.extensions import db
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


def test_a_page_opened_after_signing_in_elsewhere_says_why_and_comes_back_after_sign_in(app):
    user = factories.make_staff()
    first = app.test_client()
    sign_in(first, user)
    sign_in(app.test_client(), user)

    ended = first.get("/calls")
    sign_in_page = first.get(ended.headers["Location"]).get_data(as_text=True)
    again = sign_in(first, user, at=ended.headers["Location"])

    assert ended.headers["Location"] == "/login?next=/calls"
    assert "You have been signed out: you signed in on another browser or device" in sign_in_page
    assert again.headers["Location"] == "/calls"


def test_signing_out_in_one_tab_is_what_another_tab_is_told(signed_in_handler):
    signed_in_handler.post("/logout", data={"csrf_token": csrf_token(signed_in_handler, "/")})

    response = signed_in_handler.get("/calls/waiting", headers={"HX-Request": "true"})

    assert response.status_code == 401
    assert response.headers["X-Session-Ended"] == "signed-out"
    assert response.get_json()["message"] == "You have been signed out: you signed out"


def _signed_in_again_elsewhere(app: Flask) -> tuple[FlaskClient, str]:
    """A member of staff's first browser, with the CSRF token of its session, after the
    same account has signed in on another."""
    user = factories.make_staff()
    first = app.test_client()
    sign_in(first, user)
    token = csrf_token(first, "/calls")
    sign_in(app.test_client(), user)
    return first, token


def test_a_form_posted_after_the_session_ended_comes_back_to_its_page_not_its_action(app):
    first, token = _signed_in_again_elsewhere(app)

    response = first.post(
        "/calls/1/reports",
        data={"csrf_token": token},
        headers={"Referer": "http://localhost/calls/1"},
    )

    assert response.headers["Location"] == "/login?next=/calls/1"


def test_the_page_it_came_from_must_be_on_this_site(app):
    first, token = _signed_in_again_elsewhere(app)

    htmx = first.get(
        "/calls/waiting",
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/calls/1"},
    )
    posted = first.post(
        "/calls/1/reports",
        data={"csrf_token": token},
        headers={"Referer": "https://evil.example/phish"},
    )

    assert htmx.headers["HX-Redirect"] == "/login"
    assert posted.headers["Location"] == "/login?next=/calls/1/reports"


def test_the_reason_is_said_once_however_many_requests_find_the_session_ended(app):
    first, _ = _signed_in_again_elsewhere(app)

    for _ in range(3):
        first.get("/calls/waiting", headers={"HX-Request": "true"})
    page = first.get("/login").get_data(as_text=True)

    assert page.count("You have been signed out: you signed in on another browser") == 1


def test_the_browser_keeps_the_cookie_for_a_sign_ins_lifetime_so_idleness_can_be_told(app, client):
    response = sign_in(client, factories.make_staff())

    name = app.config["SESSION_COOKIE_NAME"]
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}="))
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert expires - datetime.now(UTC) > app.config["SESSION_ABSOLUTE_LIFETIME"] - timedelta(
        minutes=1
    )


def test_who_is_signed_in_is_read_in_one_statement_without_their_service_areas(
    app, signed_in_handler
):
    statements = []

    def ran(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", ran)
    try:
        response = signed_in_handler.get("/calls/waiting-count")
    finally:
        event.remove(db.engine, "before_cursor_execute", ran)

    assert response.status_code == 200
    assert len([s for s in statements if "FROM staff_users" in s]) == 1, statements
    assert not [s for s in statements if "staff_service_areas" in s], statements


def test_the_cookie_signer_is_made_once_and_follows_the_secret_key(app):
    interface = app.session_interface
    signed = interface.get_signing_serializer(app).dumps({"kept": 1})
    old = app.config["SECRET_KEY"]
    assert interface.get_signing_serializer(app) is interface.get_signing_serializer(app)
    try:
        app.config["SECRET_KEY"] = old + "-rotated"
        with pytest.raises(BadSignature):
            interface.get_signing_serializer(app).loads(signed)
        app.config["SECRET_KEY_FALLBACKS"] = [old]
        assert interface.get_signing_serializer(app).loads(signed) == {"kept": 1}
    finally:
        app.config["SECRET_KEY"] = old
        app.config["SECRET_KEY_FALLBACKS"] = []
