"""A request that only read ends its transaction with COMMIT, not ROLLBACK.

A request that changes nothing still opens a transaction for what it reads, and removing the
request's session ended it with a ROLLBACK. psycopg forgets the statements it has prepared on
a connection at every ROLLBACK, so on PostgreSQL the hot statements of a search or a poll were
planned again on every request. Ending such a transaction with COMMIT keeps them prepared;
nothing was written, so the data is the same either way, and the locks a read takes
(`SELECT ... FOR UPDATE`, an advisory lock held to the end of the transaction) are let go
either way. What counts as only reading is `transactions.commit_if_only_read`'s to say.
"""

from flask import Flask, Response, g

from app.extensions import db
from app.services.transactions import commit_if_only_read

_ANSWERED = "read_commits.answered"


def init_read_commits(app: Flask) -> None:
    """Registered after the database extension: a request's teardown runs before the app
    context's, where the request's session is removed (which rolls back what is left)."""
    app.after_request(_note_answered)
    app.teardown_request(end_request)


def _note_answered(response: Response) -> Response:
    if response.status_code < 400:
        g.setdefault(_ANSWERED, True)
    return response


def end_request(exc: BaseException | None) -> None:
    """Commit the request's transaction if the request raised nothing, was answered without
    an error (an error page, a 500 included, always counts as one) and only read. Otherwise
    do nothing: the session's removal rolls back, as it always has."""
    answered = g.pop(_ANSWERED, False)
    registry = db.session.registry
    if exc is None and answered and registry.has():
        commit_if_only_read(registry())
