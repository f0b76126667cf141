"""Two administrators demoting each other at once, as real concurrent requests against a live
server: one wins, and there is always an administrator left. Runs on SQLite and PostgreSQL."""

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
    assert sorted(answer.status_code for answer in answers) == [200, 302]
    assert any(rules.LAST_ADMIN in answer.text for answer in answers)
