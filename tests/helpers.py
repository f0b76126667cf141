"""Helpers for tests that act as a browser would."""

import json
import re
from contextlib import contextmanager
from html import unescape as html_unescape

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import OperationalError

from app import clock
from app.extensions import db
from app.models import AuditEvent, Permission, StaffUser
from tests import factories

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
HIDDEN_INPUT = re.compile(r'<input\b[^>]*\btype="hidden"[^>]*>')
ATTRIBUTE = re.compile(r'\b(name|value)="([^"]*)"')
# What every page draws afresh: its CSRF token, in the page's meta tag and its forms, and
# its script nonce.
PER_REQUEST = re.compile(r'(name="csrf-token" content|name="csrf_token"[^>]*value|nonce)="[^"]*"')


def client_from(app, address: str) -> FlaskClient:
    """A client whose requests come from the client address `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def page_text(client: FlaskClient, path: str) -> str:
    return client.get(path).get_data(as_text=True)


def without_tokens(response) -> str:
    """The page answered, less what every page draws afresh: two answers compared this way
    are equal only if they say the same."""
    return PER_REQUEST.sub("", response.get_data(as_text=True))


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


def text_in_database() -> str:
    """Every text the database holds, every row of every table: to show a secret is stored
    nowhere."""
    db.session.expire_all()
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            found.extend(
                json.dumps(value, default=str) if isinstance(value, dict | list) else value
                for value in row
                if isinstance(value, str | dict | list)
            )
    return "\n".join(found)


def clock_stopped_at(moment):
    """A module's fixture that runs each of its tests with the clock stopped at `moment`
    (`_stopped_clock = clock_stopped_at(NOW)`); conftest starts the clock again after each."""

    @pytest.fixture(autouse=True)
    def _stopped_clock():
        clock.set_now(moment)

    return _stopped_clock


def error_page(response, title: str = "") -> str:
    """The text of a form shown again with its errors: answered 200, titled "Error: `title`"
    (the page's title, or its start), with the error summary. Entities are unescaped."""
    page = html_unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert f"<title>Error: {title}" in page
    assert "govuk-error-summary" in page
    return page


def audit_events(action: str) -> list[AuditEvent]:
    """The audit events recorded with `action` (its code: "legal_hold.set")."""
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def is_revoked(permission_id: int) -> bool:
    """Whether the permission is revoked, as committed."""
    db.session.expire_all()
    return db.session.get(Permission, permission_id).revoked_at is not None


def one_won(responses, told: str) -> None:
    """Of forms posted at once, one was done (a redirect) and every other was told `told`."""
    db.session.expire_all()
    won = [r for r in responses if r.status_code == 302]
    told_so = [r for r in responses if told in r.text]
    assert (len(won), len(told_so)) == (1, len(responses) - 1)


@contextmanager
def statements_run():
    """The SQL statements run inside the block, as a list filled in as they run."""
    ran: list[str] = []

    def count(conn, cursor, statement, *args):
        ran.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield ran
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def count_rows(model, *where) -> int:
    """How many rows of `model` there are (those matching `where`, when given)."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def rows_are_free(*rows: tuple[type, int]) -> bool:
    """Whether another connection could lock each (model, id) row now, waiting no more than a
    moment: no transaction holds it. On SQLite, whether the database's write lock is free."""
    with db.engine.connect() as other:
        postgres = other.dialect.name == "postgresql"
        other.exec_driver_sql(
            "SET LOCAL lock_timeout = '200ms'" if postgres else "PRAGMA busy_timeout = 200"
        )
        try:
            for model, row_id in rows:
                other.execute(select(model.id).where(model.id == row_id).with_for_update())
                if not postgres:
                    other.execute(update(model).where(model.id == row_id).values(id=model.id))
            return True
        except OperationalError:
            return False
        finally:
            other.rollback()
            if not postgres:
                other.exec_driver_sql("PRAGMA busy_timeout = 5000")
