"""Where commits happen: a service function a view calls is one unit of work.

See docs/architecture.md, "Where commits happen".
"""

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from app.extensions import db
from app.refusals import Refused

P = ParamSpec("P")
R = TypeVar("R")


def transactional(func: Callable[P, R]) -> Callable[P, R]:
    """Run a service function as one unit of work: commit when it returns, roll back when it
    raises.

    A `Refused` is an answer, not a failure: what the function wrote before refusing (the
    call's lock and last activity, an audit event recording the refusal) is committed, then
    the refusal goes on to the view. So a service refuses before it writes anything that must
    not be kept. Functions it calls do not commit, and it calls no other transactional one.
    """

    @wraps(func)
    def unit_of_work(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = func(*args, **kwargs)
        except Refused:
            db.session.commit()
            raise
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return result

    return unit_of_work
