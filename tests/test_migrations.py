"""The Alembic migrations and the SQLAlchemy models describe the same schema."""

import os
import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.extensions import db
from config import TestConfig


def _diff(app: Flask) -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def test_migrated_test_database_matches_the_models(app):
    assert _diff(app) == []


@pytest.fixture
def scratch_app(app: Flask, tmp_path) -> Iterator[Flask]:
    """An app on a database of its own: a SQLite file, or a PostgreSQL schema."""
    base_url = os.environ.get("TEST_DATABASE_URL")
    schema = f"migration_check_{uuid.uuid4().hex[:8]}"
    if base_url:
        admin = create_engine(TestConfig.SQLALCHEMY_DATABASE_URI)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = TestConfig.SQLALCHEMY_DATABASE_URI
        separator = "&" if "?" in url else "?"
        url = f"{url}{separator}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path / 'scratch.sqlite'}"

    class ScratchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    scratch = create_app(ScratchConfig)
    try:
        yield scratch
    finally:
        with scratch.app_context():
            db.engine.dispose()
        if base_url:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def test_migrations_upgrade_from_empty_match_the_models_and_downgrade_cleanly(scratch_app):
    with scratch_app.app_context():
        upgrade()
        diff_after_upgrade = _diff(scratch_app)
        downgrade(revision="base")
        tables_after_downgrade = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        upgrade()
        diff_after_reupgrade = _diff(scratch_app)

    assert diff_after_upgrade == []
    assert tables_after_downgrade == set()
    assert diff_after_reupgrade == []


def test_migrations_seed_the_service_areas(scratch_app):
    with scratch_app.app_context():
        upgrade()
        codes = set(db.session.scalars(text("SELECT code FROM service_areas")))

    assert codes == {
        "housing",
        "council-tax",
        "benefits",
        "adult-social-care",
        "environmental-services",
        "waste",
    }


def test_the_audit_chain_migration_downgrades_to_what_was_before(scratch_app):
    """0003 replaces the audit trigger's function and adds TRUNCATE triggers (PostgreSQL), or
    rebuilds audit_events with AUTOINCREMENT (SQLite); its downgrade puts back what was."""
    with scratch_app.app_context():
        upgrade()
        after = _audit_chain_closed()
        downgrade(revision="0007_audit_chain_closed-1")  # to the revision before it
        before = _audit_chain_closed()
        upgrade()
        again = _audit_chain_closed()

    assert (after, before, again) == (True, False, True)


def _audit_chain_closed() -> bool:
    """PostgreSQL: the trigger asks for the owner and guards TRUNCATE, in this schema; before,
    it trusted `app.audit_purge` alone. SQLite: the events' ids never repeat."""
    if db.engine.dialect.name == "postgresql":
        function = db.session.scalar(
            text(
                "SELECT prosrc FROM pg_proc WHERE proname = 'audit_refuse_changes' "
                "AND pronamespace = current_schema()::regnamespace"
            )
        )
        truncate_triggers = db.session.scalar(
            text(
                "SELECT count(*) FROM pg_trigger JOIN pg_class ON pg_class.oid = tgrelid "
                "WHERE tgname LIKE '%_no_truncate' "
                "AND relnamespace = current_schema()::regnamespace"
            )
        )
        assert "app.audit_purge" in function
        closed = "pg_has_role" in function
        assert truncate_triggers == (3 if closed else 0)
        return closed
    table = db.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'audit_events'"))
    return "AUTOINCREMENT" in table


def test_disputes_made_before_references_are_given_one_each(scratch_app):
    """0009 gives each dispute already made a reference of its own, in the record's shape."""
    from app.references import normalise_reference
    from tests import factories

    with scratch_app.app_context():
        upgrade()
        resident = factories.make_resident()
        for _ in range(3):
            factories.make_dispute(resident)
        downgrade(revision="0008_call_screen")
        upgrade()
        references = list(db.session.scalars(text("SELECT reference FROM disputes")))
        db.session.remove()

    assert len(references) == 3 == len(set(references))
    assert all(normalise_reference(reference) == reference for reference in references)
