"""Extension objects, created here and bound to the app in `create_app`."""

import sqlite3

from flask import Flask, current_app
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from limits.storage import Storage, storage_from_string
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so Alembic can alter them on every database (SQLite included).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


class AttemptStore:
    """Where sign-in attempts are counted: the `limits` store that RATELIMIT_STORAGE_URI names
    (memory in one process; Redis, shared by every process and host, in production).
    app/services/staff.py counts attempts in it before any password is checked.

    No route carries a rate limit, so nothing here runs on a request that does not sign in:
    a rate-limiting extension's hooks would run on every request to find no limit."""

    def init_app(self, app: Flask) -> None:
        app.extensions["attempt_store"] = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])

    @property
    def storage(self) -> Storage:
        return current_app.extensions["attempt_store"]

    def reset(self) -> None:
        """Forget every count (tests start from none)."""
        self.storage.reset()


attempt_store = AttemptStore()


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record) -> None:
    """The embedded database: write-ahead logging so readers never wait for a writer,
    and a page cache large enough to keep a million residents' indexes in memory."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
