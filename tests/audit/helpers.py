"""Tampering with the audit tables as someone with database access would."""

from sqlalchemy import text

from app.extensions import db


def tamper(sql: str, **params) -> None:
    """Run `sql` against the audit tables, past the PostgreSQL trigger (as the tables' owner or
    a superuser can), and commit."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    db.session.execute(text(sql), params)
    db.session.commit()
    db.session.expire_all()


def verify(app, *args: str) -> tuple[int, str]:
    """`flask audit verify`: its exit code and what it printed."""
    result = app.test_cli_runner().invoke(args=["audit", "verify", *args])
    return result.exit_code, result.output


def assert_broken_at(app, event_id: int, why: str = "") -> None:
    """`flask audit verify` fails and names `event_id` as the first broken event, and why."""
    code, output = verify(app)
    assert code == 1, output
    assert f"broken at event {event_id}" + (f": {why}" if why else "") in output


def assert_intact(app, says: str) -> None:
    """`flask audit verify` passes, and what it printed includes `says`."""
    code, output = verify(app)
    assert code == 0, output
    assert says in output, output
