"""The calls waiting, counted in the header of every page of staff who take calls: one cheap
statement, answered "not modified" from a version until a call comes or goes, never keeping a
session alive, and for staff who take calls alone."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import template_rendered
from sqlalchemy import event

from app.extensions import db
from app.models import Call
from app.models.types import utcnow
from app.rules.vocabulary import Role
from app.services import inbound_calls, waiting_calls
from tests import factories

URL = "/calls/waiting-count"
JSON = {"Accept": "application/json"}
_sids = iter(range(1, 10_000))


def arrive(number: str | None = "+447700900123") -> Call:
    return inbound_calls.record_inbound_call(f"CA{next(_sids):032x}", number)


def ask(client, version: str | None = None):
    headers = dict(JSON)
    if version:
        headers["If-None-Match"] = f'"{version}"'
    return client.get(URL, headers=headers)


def version_of(response) -> str:
    return response.headers["ETag"].strip('"')


@contextmanager
def drawn_and_run(app):
    """The templates drawn and the statements sent to the database meanwhile."""
    templates, statements = [], []

    def drew(sender, template, context, **extra):
        templates.append(template.name)

    def ran(conn, cursor, statement, *args):
        statements.append(statement)

    template_rendered.connect(drew, app)
    event.listen(db.engine, "before_cursor_execute", ran)
    try:
        yield templates, statements
    finally:
        template_rendered.disconnect(drew, app)
        event.remove(db.engine, "before_cursor_execute", ran)


def test_the_count_says_how_many_calls_wait(signed_in_handler):
    arrive()
    arrive("+447700900124")

    response = ask(signed_in_handler)

    assert response.status_code == 200
    assert response.get_json() == {"count": 2, "words": "2 calls waiting"}
    assert response.headers["ETag"]
    assert response.headers["Cache-Control"] == "no-store"


def test_nothing_changed_is_not_modified_with_no_template_and_one_read(app, signed_in_handler):
    arrive()
    version = version_of(ask(signed_in_handler))

    with drawn_and_run(app) as (templates, statements):
        response = ask(signed_in_handler, version)

    assert response.status_code == 304
    assert response.get_data() == b""
    assert version_of(response) == version
    assert templates == []
    # Who is signed in, and the one read of the waiting calls.
    counted = [s for s in statements if "FROM calls" in s]
    assert len(counted) == 1, statements
    assert len(statements) <= 2, statements


def test_a_changed_count_is_answered_as_json_without_a_template(app, signed_in_handler):
    version = version_of(ask(signed_in_handler))
    arrive()

    with drawn_and_run(app) as (templates, _):
        response = ask(signed_in_handler, version)

    assert response.status_code == 200
    assert response.get_json()["words"] == "1 call waiting"
    assert templates == []


def _taken(call):
    waiting_calls.take_call(call.id, factories.make_staff(Role.HANDLER))


def _hung_up(call):
    inbound_calls.close_provider_call(call.provider_call_sid, "completed", 12)


def _too_long(call):
    call.started_at = utcnow() - timedelta(hours=5)
    db.session.commit()


def _another_comes_as_one_goes(call):
    arrive("+447700900999")
    _hung_up(call)


@pytest.mark.parametrize(
    "change",
    [_taken, _hung_up, _too_long, _another_comes_as_one_goes],
    ids=["taken", "caller-hung-up", "past-the-longest-call", "one-comes-as-one-goes"],
)
def test_the_version_changes_whenever_a_call_comes_or_goes(signed_in_handler, change):
    call = arrive()
    version = version_of(ask(signed_in_handler))

    change(call)
    response = ask(signed_in_handler, version)

    assert response.status_code == 200
    assert version_of(response) != version


def test_a_new_call_changes_the_version(signed_in_handler):
    version = version_of(ask(signed_in_handler))

    arrive()

    assert ask(signed_in_handler, version).status_code == 200


def test_what_does_not_change_which_calls_wait_leaves_the_version(signed_in_handler, resident):
    call = arrive()
    version = version_of(ask(signed_in_handler))
    call.started_at = utcnow() - timedelta(minutes=3)  # waited longer
    db.session.commit()
    factories.make_permission(resident)  # what the number hints at changed

    assert ask(signed_in_handler, version).status_code == 304


def test_every_app_process_gives_the_same_version(app, signed_in_handler):
    from app import create_app
    from config import TestConfig

    arrive()
    same = {key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY")}
    other = create_app(type("AnotherProcess", (TestConfig,), same))
    with other.app_context():
        seen_elsewhere = waiting_calls.waiting_now()
        db.engine.dispose()

    assert seen_elsewhere.version == waiting_calls.waiting_now().version


def test_asking_does_not_keep_an_idle_session_alive(app, signed_in_handler):
    cookie = app.config["SESSION_COOKIE_NAME"]

    asked = ask(signed_in_handler)

    assert asked.status_code == 200
    assert not any(cookie in header for header in asked.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("version", ["", "*", "x" * 5000, '"; drop table calls; --'])
def test_any_version_sent_is_just_not_the_current_one(signed_in_handler, version):
    arrive()

    response = signed_in_handler.get(URL, headers={**JSON, "If-None-Match": version})

    assert response.status_code in (200, 304)
    if version != "*":
        assert response.status_code == 200


# --- who sees it --------------------------------------------------------------------------------


def test_an_administrator_is_refused(signed_in_admin):
    arrive()

    assert ask(signed_in_admin).status_code == 403


def test_a_resident_signed_in_to_the_portal_is_refused(client, resident):
    from tests.portal.helpers import portal_sign_in

    portal_sign_in(client, resident)
    arrive()

    response = ask(client)

    assert response.status_code in (302, 401, 403)
    assert b"waiting" not in response.get_data()


def test_signed_out_the_page_is_told_so(client):
    arrive()

    response = ask(client)

    assert response.status_code == 401
    assert b"call" not in response.get_data()


@pytest.mark.parametrize("role", [Role.HANDLER, Role.SUPERVISOR])
def test_staff_who_take_calls_have_the_count_in_every_pages_header(signed_in_client, role):
    client = signed_in_client(role)

    for path in ("/", "/dispatches", "/residents"):
        page = client.get(path).get_data(as_text=True)
        assert 'id="waiting-count"' in page, path
        assert 'aria-live="polite"' in page
        assert "js/waiting_count.js" in page


def test_an_administrators_header_has_no_count(signed_in_admin):
    page = signed_in_admin.get("/").get_data(as_text=True)

    assert 'id="waiting-count"' not in page
    assert "waiting_count.js" not in page


def test_the_portal_has_no_count(client, resident):
    from tests.portal.helpers import portal_sign_in

    page = portal_sign_in(client, resident).get("/portal/your-record").get_data(as_text=True)

    assert "Your council record" in page
    assert 'id="waiting-count"' not in page


def test_signed_out_pages_have_no_count(client):
    assert 'id="waiting-count"' not in client.get("/login").get_data(as_text=True)
