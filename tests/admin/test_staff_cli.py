"""`flask staff ...`: the first administrator on a new deployment, and account changes when
nobody can sign in to make them; audited with no member of staff, from the command line."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import StaffUser
from app.passwords import hash_secret
from app.rules import staff_accounts as rules
from app.rules.vocabulary import Role
from tests import factories
from tests.admin.helpers import enrol, events, post
from tests.helpers import sign_in


@pytest.fixture
def flask_cli(app):
    runner = app.test_cli_runner()

    def run(*args: str):
        result = runner.invoke(args=["staff", *args])
        db.session.expire_all()
        return result

    return run


def _user(email: str) -> StaffUser:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email))


def test_the_first_administrator_is_created_and_given_a_link(app, flask_cli, client):
    result = flask_cli(
        "create", "First.Admin@example.org", "--name", "First Admin", "--role", "admin"
    )

    assert result.exit_code == 0, result.output
    admin = _user("first.admin@example.org")
    assert admin.role is Role.ADMIN and admin.password_hash == ""
    link = next(line.strip() for line in result.output.splitlines() if "/set-password/" in line)
    assert link.startswith(app.config["PUBLIC_BASE_URL"])
    path = urlsplit(link).path
    response = post(
        client, path, {"password": "first admin password", "confirm": "first admin password"}
    )
    assert response.headers["Location"] == "/login"
    [created] = events("staff.created")
    assert created.staff_id is None and created.purpose == "command line"
    [issued] = events("staff.password_link_issued")
    assert issued.staff_id is None and issued.purpose == "command line"


def test_the_first_administrator_then_sets_up_two_factor_sign_in(app, flask_cli):
    flask_cli("create", "boss@example.org", "--name", "Boss", "--role", "admin", "--no-link")
    admin = _user("boss@example.org")
    admin.password_hash = hash_secret(factories.PASSWORD)
    db.session.commit()

    codes = enrol(app.test_client(), admin)

    assert len(codes) == 10


def test_a_handler_needs_an_area_on_the_command_line_too(flask_cli):
    refused = flask_cli("create", "h@example.org", "--name", "H", "--role", "handler")
    created = flask_cli(
        "create", "h@example.org", "--name", "H", "--role", "handler", "--area", "housing"
    )

    assert refused.exit_code != 0 and rules.SELECT_AREA in refused.output
    assert created.exit_code == 0
    assert _user("h@example.org").area_codes == {"housing"}


def test_an_email_in_use_is_refused(flask_cli):
    factories.make_staff(email="taken@example.org")

    result = flask_cli("create", "taken@example.org", "--name", "T", "--role", "admin")

    assert result.exit_code != 0 and rules.EMAIL_TAKEN in result.output


def test_set_role_ends_their_sessions_and_is_audited(app, flask_cli):
    user = factories.make_staff(Role.HANDLER)
    theirs = app.test_client()
    sign_in(theirs, user)

    result = flask_cli("set-role", user.email, "supervisor")

    assert result.exit_code == 0, result.output
    assert _user(user.email).role is Role.SUPERVISOR
    assert theirs.get("/").status_code == 302
    [event] = events("staff.updated")
    assert event.purpose == "command line" and event.detail["role"] == "supervisor"


def test_the_last_administrator_is_never_demoted_or_deactivated(flask_cli):
    admin = factories.make_staff(Role.ADMIN)

    demoted = flask_cli("set-role", admin.email, "supervisor")
    deactivated = flask_cli("deactivate", admin.email)

    assert demoted.exit_code != 0 and rules.LAST_ADMIN in demoted.output
    assert deactivated.exit_code != 0 and rules.LAST_ADMIN in deactivated.output
    assert _user(admin.email).role is Role.ADMIN and _user(admin.email).active


def test_deactivate_ends_their_session_at_once(app, flask_cli):
    user = factories.make_staff(Role.HANDLER)
    theirs = app.test_client()
    sign_in(theirs, user)

    result = flask_cli("deactivate", user.email)

    assert result.exit_code == 0
    assert theirs.get("/calls").status_code == 302
    [event] = events("staff.deactivated")
    assert event.staff_id is None and event.purpose == "command line"


def test_reset_two_factor_from_the_command_line(flask_cli):
    user = factories.make_staff(Role.SUPERVISOR)

    result = flask_cli("reset-two-factor", user.email)

    assert result.exit_code == 0
    assert not _user(user.email).two_factor_enrolled
    assert events("staff.two_factor_reset")[0].purpose == "command line"


def test_an_unknown_email_is_said_so(flask_cli):
    for command in ("set-role", "deactivate", "reset-two-factor", "issue-password-link"):
        args = [command, "nobody@example.org"] + (["admin"] if command == "set-role" else [])
        result = flask_cli(*args)
        assert result.exit_code != 0
        assert "There is no account with the email address nobody@example.org" in result.output


def test_issue_password_link_prints_a_working_link(flask_cli, client):
    user = factories.make_staff(Role.HANDLER)

    result = flask_cli("issue-password-link", user.email)

    link = next(line.strip() for line in result.output.splitlines() if "/set-password/" in line)
    assert client.get(urlsplit(link).path).status_code == 200


def test_demo_code_prints_the_code_the_app_would_show(app, flask_cli, monkeypatch):
    clock.set_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    user = factories.make_staff(Role.SUPERVISOR)

    shown = flask_cli("demo-code", user.email)
    monkeypatch.setitem(app.config, "DEMO_DATA_ALLOWED", False)
    refused = flask_cli("demo-code", user.email)

    assert shown.output.strip() == factories.fresh_code(user)
    assert refused.exit_code != 0 and "development only" in refused.output


def test_the_demo_supervisor_signs_in_with_the_code_demo_code_prints(app, flask_cli):
    from app.demo.cli import DEMO_STAFF

    clock.set_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    demo = app.test_cli_runner().invoke(args=["demo-data", "--residents", "20"])
    assert "flask staff demo-code supervisor@example.org" in demo.output
    password = next(p for email, _, _, p, _ in DEMO_STAFF if email == "supervisor@example.org")
    client = app.test_client()

    post(client, "/login", {"email": "supervisor@example.org", "password": password})
    code = flask_cli("demo-code", "supervisor@example.org").output.strip()
    response = post(client, "/login/code", {"code": code})

    assert response.headers["Location"] == "/"
    assert not _user("handler@example.org").two_factor_enrolled
