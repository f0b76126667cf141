"""Helpers for tests that act as a browser would."""

import re
from html import unescape as html_unescape

from flask.testing import FlaskClient

from app.models import StaffUser
from tests import factories

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
HIDDEN_INPUT = re.compile(r'<input\b[^>]*\btype="hidden"[^>]*>')
ATTRIBUTE = re.compile(r'\b(name|value)="([^"]*)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page as a browser would."""
    response = client.get(path)
    match = CSRF_META.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(
    client: FlaskClient, user: StaffUser, password: str = factories.PASSWORD, at: str = "/login"
):
    """Sign in with the password and, when the account is asked for one, the code its
    authenticator app shows now; the last response. `at` is the sign-in page's address, with
    the `next` it carries."""
    response = client.post(
        at,
        data={"email": user.email, "password": password, "csrf_token": csrf_token(client, at)},
    )
    if response.status_code == 302 and response.headers["Location"].startswith("/login/code"):
        step = response.headers["Location"]
        response = client.post(
            step, data={"code": factories.fresh_code(user), "csrf_token": csrf_token(client, step)}
        )
    return response


def hidden_inputs(html: str) -> dict[str, str]:
    """The hidden form fields a page carries, by name, as a browser would submit them."""
    found = {}
    for tag in HIDDEN_INPUT.findall(html):
        attributes = dict(ATTRIBUTE.findall(tag))
        if "name" in attributes:
            found[attributes["name"]] = html_unescape(attributes.get("value", ""))
    return found
