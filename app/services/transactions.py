"""Where commits happen: a service function a view calls is one unit of work.

See docs/architecture.md, "Where commits happen".
"""

import re
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import current_app
from sqlalchemy import Connection, Engine, event, inspect, update
from sqlalchemy.orm import InstrumentedAttribute, ORMExecuteState, Session, SessionTransaction

from app.extensions import db
from app.models import AuditEvent
from app.refusals import ForbiddenOnRecord, Refused

P = ParamSpec("P")
R = TypeVar("R")


def lock_row(column: InstrumentedAttribute, row_id: int) -> None:
    """Take a row's lock until the unit of work commits, by writing `column` back as it is
    (never a key, so rows that point at this one need not wait). Make it the first write of
    the unit of work: on SQLite the transaction is then the only writer until it commits; on
    PostgreSQL another unit of work locking the row waits, then reads what this one wrote."""
    model = column.class_
    db.session.execute(
        update(model)
        .where(model.id == row_id)
        .values({column: column})
        .execution_options(synchronize_session=False)
    )


def transactional(
    func: Callable[P, R] | None = None, *, audit_only: bool = False, keep_loaded: bool = False
) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """Run a service function as one unit of work: commit when it returns, roll back when it
    raises.

    A `Refused` is an answer, not a failure: what the function wrote before refusing (the
    call's lock and last activity, an audit event recording the refusal) is committed, then
    the refusal goes on to the view. So a service refuses before it writes anything that must
    not be kept. A `ForbiddenOnRecord` is committed the same way, then answered with 403; a
    `NotFound`, a `Forbidden` or any other exception rolls back. Functions it calls do not
    commit, and it calls no other transactional one.

    `@transactional(audit_only=True)` is for a read that writes nothing but its audit events
    (a search, a disclosure): what it read stays loaded after the commit, instead of being
    expired and read again while the page draws it. The page then shows exactly what the
    decision was made on.

    `@transactional(keep_loaded=True)` leaves what was read loaded after the commit too, for
    a read that writes what it showed beyond audit events (the call page's record panel marks
    a duty-to-share request disclosed), without `audit_only`'s check.
    """
    if func is None:
        return lambda func: transactional(func, audit_only=audit_only, keep_loaded=keep_loaded)

    @wraps(func)
    def unit_of_work(*args: P.args, **kwargs: P.kwargs) -> R:
        session = db.session()
        session.info[_AUDIT_ONLY] = audit_only
        expires = session.expire_on_commit
        try:
            try:
                result = func(*args, **kwargs)
            except (Refused, ForbiddenOnRecord):
                session.commit()
                raise
            except BaseException:
                session.rollback()
                raise
            session.expire_on_commit = expires and not (audit_only or keep_loaded)
            session.commit()
            return result
        finally:
            session.expire_on_commit = expires
            session.info.pop(_AUDIT_ONLY, None)

    return unit_of_work


_AUDIT_ONLY = "audit_only"


class NotAuditOnly(RuntimeError):
    """An audit-only unit of work tried to write something else: a programming error."""


@event.listens_for(Session, "before_flush")
def _only_audit_events_flushed(session: Session, flush_context, instances) -> None:
    if session.info.get(_AUDIT_ONLY):
        added = [obj for obj in session.new if not isinstance(obj, AuditEvent)]
        changed = [obj for obj in session.dirty if session.is_modified(obj)]
        changed += [*added, *session.deleted]
        if changed:
            raise NotAuditOnly(f"an audit-only unit of work changed {changed}")


@event.listens_for(Session, "do_orm_execute")
def _only_audit_events_written(state: ORMExecuteState) -> None:
    if not state.session.info.get(_AUDIT_ONLY):
        return
    writes_elsewhere = state.is_insert and state.bind_mapper is not inspect(AuditEvent)
    if state.is_update or state.is_delete or writes_elsewhere:
        raise NotAuditOnly(f"an audit-only unit of work ran {state.statement}")


# A transaction that only read --------------------------------------------------------------
#
# Committed rather than rolled back at the end of a request (app/read_commits.py), so that
# PostgreSQL keeps the statements psycopg prepared on the connection.

_WROTE = "transactions.wrote"
_CONNECTIONS = "transactions.connections"


def commit_if_only_read(session: Session) -> None:
    """Commit the session's open transaction if it only read: the session holds nothing new,
    changed or deleted, and no statement but a SELECT ran on any connection it used in the
    transaction (an ORM flush, a Core write on `db.session.connection()`, `audit.record_now`'s
    INSERT and a SAVEPOINT all count as writes; see `writes`). Otherwise leave it to be
    rolled back.

    A SELECT that calls a function which writes would be counted as a read: none does, and
    none should, on a request's path. A COMMIT that fails is logged and rolled back: the
    caller has its answer already, and nothing was written to lose."""
    if not _only_read(session):
        return
    try:
        session.commit()
    except Exception:
        current_app.logger.exception("a read's transaction did not commit: rolled back")
        try:
            session.rollback()
        except Exception:
            current_app.logger.exception("a read's transaction did not roll back either")


def _only_read(session: Session) -> bool:
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return False
    return not any(connection.info.get(_WROTE) for connection in session.info.get(_CONNECTIONS, ()))


@event.listens_for(Session, "after_begin")
def _note_connection(session: Session, transaction: SessionTransaction, connection) -> None:
    session.info.setdefault(_CONNECTIONS, []).append(connection)


@event.listens_for(Session, "after_transaction_end")
def _forget_connections(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CONNECTIONS, None)


# A statement that writes nothing: a SELECT, or a WITH whose text names no INSERT, UPDATE,
# DELETE or MERGE anywhere (one that merely mentions one, or locks rows FOR UPDATE, is
# counted as a write, which only costs a rollback).
_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_WITH = re.compile(r"\s*WITH\b", re.IGNORECASE)
_WRITE = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def writes(statement: str) -> bool:
    """Whether a statement's SQL may write: anything but a read (see above), a SAVEPOINT
    and SQL SQLAlchemy does not compile included."""
    if _READ.match(statement):
        return False
    return not _WITH.match(statement) or _WRITE.search(statement) is not None


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(conn: Connection, cursor, statement: str, parameters, context, executemany):
    if writes(statement):
        conn.info[_WROTE] = True


@event.listens_for(Engine, "begin")
@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _forget_write(conn: Connection) -> None:
    conn.info.pop(_WROTE, None)
