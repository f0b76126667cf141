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
