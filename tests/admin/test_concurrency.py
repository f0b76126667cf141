"""Two administrators demoting each other at once, as real concurrent requests against a live
server: one wins, and there is always an administrator left. Runs on SQLite and PostgreSQL."""

from urllib.parse import urlsplit

from sqlalchemy import func, select

from app.extensions import db
from app.models import StaffUser
from app.rules import staff_accounts as rules
from app.rules.vocabulary import Role
from tests import factories
from tests.calls.test_concurrency import Browser, _together


def _demote(email: str) -> dict:
    return {"name": "An Administrator", "email": email, "role": "supervisor", "areas": []}


def test_two_administrators_demoting_each_other_at_once_leave_one(live_server):
    first, second = factories.make_staff(Role.ADMIN), factories.make_staff(Role.ADMIN)
    ids = (first.id, second.id)
    emails = (first.email, second.email)
    browsers = [Browser(live_server, first), Browser(live_server, second)]

    answers = _together(
        lambda: browsers[0].post(f"/admin/staff/{ids[1]}/edit", _demote(emails[1])),
        lambda: browsers[1].post(f"/admin/staff/{ids[0]}/edit", _demote(emails[0])),
    )

    db.session.expire_all()
    admins = db.session.scalar(
        select(func.count())
        .select_from(StaffUser)
        .where(StaffUser.role == Role.ADMIN, StaffUser.active.is_(True))
    )
    assert admins == 1
    signed_out = [answer for answer in answers if _to_sign_in(answer)]
    done = [answer for answer in answers if answer.status_code == 302 and answer not in signed_out]
    assert len(done) == 1
    (other,) = [answer for answer in answers if answer is not done[0]]
    # The other is refused as the last administrator's demotion; or, when the first change
    # landed before the other request was read, signed out by it: a change of role ends the
    # account's sessions.
    assert (other.status_code == 200 and rules.LAST_ADMIN in other.text) or other in signed_out


def _to_sign_in(answer) -> bool:
    return answer.status_code == 302 and urlsplit(answer.headers["Location"]).path == "/login"
