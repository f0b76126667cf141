"""Helpers for the staff administration and two-factor sign-in tests."""

import re
from html import unescape

from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.rules import two_factor as two_factor_rules
from tests import factories
from tests.helpers import csrf_token

KEY_ON_PAGE = re.compile(r'id="two-factor-key">([A-Z2-7 ]+)<')
RECOVERY_CODE = re.compile(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>")
LINK_ON_PAGE = re.compile(r'id="password-link">([^<]+)<')


def post(client: FlaskClient, path: str, data: dict | None = None, page: str | None = None):
    """Post to `path` with the CSRF token read from `page` (the path itself by default)."""
    token = csrf_token(client, page or path)
    return client.post(path, data={**(data or {}), "csrf_token": token})


def give_password(client: FlaskClient, user, password: str = factories.PASSWORD):
    return post(client, "/login", {"email": user.email, "password": password})


def give_code(client: FlaskClient, code: str):
    """Post a code as the code page would (with the token of the sign-in page, should the
    code page send this client away)."""
    return post(client, "/login/code", {"code": code}, page="/login")


def code_now(secret: str = factories.TOTP_SECRET) -> str:
    from app import clock

    return two_factor_rules.code_at_step(secret, two_factor_rules.time_step(clock.now()))


def key_on_enrolment_page(client: FlaskClient) -> str:
    page = client.get("/login/set-up-two-factor").get_data(as_text=True)
    match = KEY_ON_PAGE.search(page)
    assert match, "no key for manual entry on the page"
    return match.group(1).replace(" ", "")


def enrol(client: FlaskClient, user) -> list[str]:
    """Sign in with the password, set up two-factor sign-in from the key on the page; the
    recovery codes shown."""
    assert give_password(client, user).headers["Location"] == "/login/set-up-two-factor"
    secret = key_on_enrolment_page(client)
    response = post(client, "/login/set-up-two-factor", {"code": code_now(secret)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return RECOVERY_CODE.findall(response.get_data(as_text=True))


def signed_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


def actions(prefix: str = "staff.") -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.id)
        )
    )


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def text(response) -> str:
    return unescape(response.get_data(as_text=True))
