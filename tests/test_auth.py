import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from app.models import AuditEvent
from app.rules.vocabulary import Role
from tests import factories
from tests.helpers import client_from, count_rows, csrf_token, sign_in


def test_handler_signs_in_and_lands_on_the_console(client):
    user = factories.make_staff(Role.HANDLER, name="Harriet Handler")

    response = sign_in(client, user)
    console = client.get(response.headers["Location"])

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = console.get_data(as_text=True)
    assert "Harriet Handler" in page
    assert "(Call handler)" in page


def test_wrong_password_shows_the_error_next_to_the_field_and_signs_nobody_in(client):
    user = factories.make_staff()

    response = sign_in(client, user, password="not the password")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Sign in" in page
    assert "There is a problem" in page
    assert "Enter a correct email address and password" in page
    assert client.get("/").status_code == 302


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client):
    response = client.post(
        "/login",
        data={"email": "nobody@example.org", "password": "x", "csrf_token": csrf_token(client)},
    )

    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("", "secret", "Enter your email address"),
        ("not-an-email", "secret", "Enter an email address in the correct format"),
        ("someone@example.org", "", "Enter your password"),
    ],
    ids=["missing-email", "malformed-email", "missing-password"],
)
def test_sign_in_form_explains_what_is_missing(client, email, password, message):
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_deactivated_account_cannot_sign_in(client):
    user = factories.make_staff()
    user.active = False
    factories.db.session.commit()

    response = sign_in(client, user)

    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_deactivating_an_account_ends_its_open_sessions(signed_in_handler):
    signed_in_handler.user.active = False
    factories.db.session.commit()

    response = signed_in_handler.get("/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_failed_sign_ins_are_limited_per_account_from_one_address(client):
    user = factories.make_staff()
    for _ in range(5):
        assert sign_in(client, user, password="wrong").status_code == 200

    response = sign_in(client, user)

    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def _checked_passwords() -> int:
    return count_rows(
        AuditEvent, AuditEvent.action.in_(["staff.sign_in_failed", "staff.signed_in"])
    )


def test_five_wrong_passwords_from_one_address_do_not_keep_the_right_one_out_from_another(app):
    user = factories.make_staff()
    stranger = client_from(app, "198.51.100.1")
    for _ in range(5):
        sign_in(stranger, user, password="wrong")

    response = sign_in(client_from(app, "203.0.113.9"), user)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_stranger_at_one_address_is_still_limited_even_with_the_right_password(app):
    user = factories.make_staff()
    stranger = client_from(app, "198.51.100.1")
    wrong = [sign_in(stranger, user, password="wrong").status_code for _ in range(5)]

    response = sign_in(stranger, user)

    assert wrong == [200] * 5
    assert response.status_code == 429
    assert _checked_passwords() == 5


def test_an_account_tried_from_many_addresses_asks_each_to_wait_and_takes_the_right_password(
    app, monkeypatch
):
    monkeypatch.setitem(app.config, "SIGN_IN_LIMIT_PER_ACCOUNT", "3 per 15 minutes")
    user = factories.make_staff()
    for n in range(4):
        sign_in(client_from(app, f"198.51.100.{n + 1}"), user, password="wrong")
    stranger = client_from(app, "198.51.100.99")
    sign_in(stranger, user, password="wrong")
    checked = _checked_passwords()

    held = sign_in(stranger, user, password="wrong")
    right = sign_in(client_from(app, "203.0.113.9"), user)

    assert held.status_code == 200
    page = held.get_data(as_text=True)
    assert "There have been many attempts to sign in to this account. Wait" in page
    assert "Error:" in page
    assert _checked_passwords() == checked + 1  # the held attempt was not checked
    assert right.status_code == 302


def test_an_address_asked_to_wait_is_checked_again_once_it_has(app, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_LIMIT_PER_ACCOUNT", "1 per 15 minutes")
    monkeypatch.setitem(app.config, "SIGN_IN_SLOW_DOWN_SECONDS", 3)
    user = factories.make_staff()
    sign_in(client_from(app, "198.51.100.1"), user, password="wrong")
    here = client_from(app, "203.0.113.9")
    sign_in(here, user, password="wrong")
    held = sign_in(here, user)
    time.sleep(3.1)

    response = sign_in(here, user)

    assert re.search(r"Wait [123] seconds?, then try again", held.get_data(as_text=True))
    assert response.status_code == 302


def test_parallel_wrong_passwords_are_checked_no_more_often_than_the_limit(app):
    email = factories.make_staff().email
    attempts = 12
    clients = [app.test_client() for _ in range(attempts)]
    tokens = [csrf_token(each) for each in clients]
    start = threading.Barrier(attempts)

    def attempt(n: int) -> int:
        data = {"email": email, "password": "wrong", "csrf_token": tokens[n]}
        with app.app_context():
            start.wait()
            return clients[n].post("/login", data=data).status_code

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        codes = list(pool.map(attempt, range(attempts)))

    checked = count_rows(AuditEvent, AuditEvent.action == "staff.sign_in_failed")
    assert checked == 5
    assert sorted(codes) == [200] * 5 + [429] * (attempts - 5)


def test_sign_ins_from_one_address_are_limited_across_accounts(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_LIMIT_PER_ADDRESS", "3 per 15 minutes")
    users = [factories.make_staff() for _ in range(4)]
    wrong = [sign_in(client, user, password="wrong").status_code for user in users[:3]]

    response = sign_in(client, users[3])

    assert wrong == [200, 200, 200]
    assert response.status_code == 429


def test_another_address_is_not_held_back_by_one_addresses_failures(app, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_LIMIT_PER_ADDRESS", "3 per 15 minutes")
    users = [factories.make_staff() for _ in range(4)]
    here = app.test_client()
    for user in users[:3]:
        sign_in(here, user, password="wrong")
    there = app.test_client()
    there.environ_base["REMOTE_ADDR"] = "198.51.100.7"

    response = sign_in(there, users[3])

    assert response.status_code == 302


def test_with_rate_limiting_switched_off_sign_in_attempts_are_not_counted(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", False)
    user = factories.make_staff()

    codes = [sign_in(client, user, password="wrong").status_code for _ in range(7)]

    assert codes == [200] * 7


def test_successful_sign_ins_do_not_use_up_the_allowance(app):
    user = factories.make_staff()
    for _ in range(7):
        client = app.test_client()
        assert sign_in(client, user).status_code == 302


def test_sign_in_and_failures_are_audited(client):
    user = factories.make_staff()

    sign_in(client, user, password="wrong")
    sign_in(client, user)

    actions = factories.db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["staff.sign_in_failed", "staff.signed_in"]


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/healthz", "/healthz"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("/\r\n/evil.example", "/"),
        ("/ /evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/calls/7", "/calls/7"),
    ],
    ids=[
        "same-site-path",
        "other-host",
        "scheme-relative",
        "backslash-trick",
        "tab-trick",
        "newline-trick",
        "line-break-trick",
        "space",
        "script",
        "a-call",
    ],
)
def test_sign_in_only_returns_to_pages_on_this_site(client, next_url, expected):
    user = factories.make_staff()

    response = client.post(
        "/login",
        query_string={"next": next_url},
        data={
            "email": user.email,
            "password": factories.PASSWORD,
            "csrf_token": csrf_token(client),
        },
    )

    assert response.headers["Location"] == expected


def test_sign_out_needs_a_post_with_the_csrf_token(signed_in_handler):
    refused = signed_in_handler.post("/logout")
    still_in = signed_in_handler.get("/")

    signed_out = signed_in_handler.post(
        "/logout", data={"csrf_token": csrf_token(signed_in_handler, "/")}
    )
    after = signed_in_handler.get("/")

    assert refused.status_code == 302
    assert still_in.status_code == 200
    assert signed_out.status_code == 302
    assert after.status_code == 302


def test_sign_in_without_a_csrf_token_is_refused(client):
    user = factories.make_staff()

    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})

    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_session_expires_after_inactivity(app, signed_in_handler, monkeypatch):
    import itsdangerous.timed

    later = itsdangerous.timed.time.time() + app.permanent_session_lifetime.total_seconds() + 60
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)

    response = signed_in_handler.get("/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_session_cookie_is_http_only_and_not_remembered(client):
    user = factories.make_staff()

    response = sign_in(client, user)

    cookies = response.headers.getlist("Set-Cookie")
    assert any("HttpOnly" in cookie for cookie in cookies)
    assert not any(cookie.startswith("remember_token") for cookie in cookies)


def test_sign_in_sends_back_to_the_page_without_its_query_string(client):
    response = client.get("/residents?q=Margaret+Okafor+LE1+5AB")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/residents"
    assert "Margaret" not in response.headers["Location"]


def test_someone_already_signed_in_is_sent_on_to_next(signed_in_handler):
    response = signed_in_handler.get("/login?next=/calls")

    assert response.status_code == 302
    assert response.headers["Location"] == "/calls"


def test_someone_already_signed_in_is_never_sent_off_the_site(signed_in_handler):
    response = signed_in_handler.get("/login?next=//evil.example/")

    assert response.headers["Location"] == "/"


def test_a_deactivated_accounts_right_password_still_counts_against_the_limit(client):
    # Told "not active" after the right password, it is still a failed sign-in: five from
    # one address, and the sixth is refused before the password is checked, as for any.
    user = factories.make_staff()
    user.active = False
    factories.db.session.commit()
    for _ in range(5):
        told = sign_in(client, user)
        assert told.status_code == 200
        assert "not active" in told.get_data(as_text=True)

    response = sign_in(client, user)

    assert response.status_code == 429
    assert "not active" not in response.get_data(as_text=True)
