"""Asking and deciding at once, as real concurrent requests against a live server: each
request is decided once and one waits at a time. Runs on SQLite and on PostgreSQL."""

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, ShareRequest
from app.rules import duty_to_share as rules
from app.rules.vocabulary import Role, ShareRequestStatus
from tests import factories
from tests.calls.test_concurrency import Browser, _together
from tests.helpers import count_rows, one_won

ASK = {
    "basis": "vital-interests",
    "reason": "Caller says the resident has collapsed at home",
    "areas": ["housing"],
    "urgent": "y",
}


def _police_call(browser: Browser, resident) -> str:
    url = browser.start_call_about(resident)
    browser.post(
        url + "/caller",
        {
            "caller-caller_type": "third-party",
            "caller-caller_name": "PC Jones",
            "caller-relationship": "professional",
        },
    )
    return url


def test_supervisors_deciding_at_once_decide_a_request_once(live_server, resident):
    handler = Browser(live_server, factories.make_staff(Role.HANDLER))
    url = _police_call(handler, resident)
    assert handler.post(url + "/duty-to-share", ASK).status_code == 302
    request_id = db.session.scalars(select(ShareRequest.id)).one()
    supervisors = [Browser(live_server, factories.make_staff(Role.SUPERVISOR)) for _ in range(4)]
    decisions = [
        {"decision": "approve", "areas": ["housing"], "reason": "Risk to life"},
        {"decision": "refuse", "reason": "No lawful basis"},
    ] * 2

    responses = _together(
        *[
            (lambda b=browser, d=decision: b.post(f"/duty-to-share/{request_id}", d))
            for browser, decision in zip(supervisors, decisions, strict=True)
        ]
    )

    assert len(responses) == len(supervisors)
    one_won(responses, "has already been")
    decided = db.session.get(ShareRequest, request_id)
    assert decided.status in {ShareRequestStatus.APPROVED, ShareRequestStatus.REFUSED}
    events = count_rows(
        AuditEvent, AuditEvent.action.in_(["duty_to_share.approved", "duty_to_share.refused"])
    )
    assert events == 1


def test_asking_twice_at_once_makes_one_request(live_server, resident):
    handler = Browser(live_server, factories.make_staff(Role.HANDLER))
    url = _police_call(handler, resident)
    tabs = [handler, *[handler.another_tab() for _ in range(3)]]

    responses = _together(*[(lambda t=tab: t.post(url + "/duty-to-share", ASK)) for tab in tabs])

    db.session.expire_all()
    assert [r.status_code for r in responses].count(302) == 1
    assert sum(rules.ALREADY_WAITING in r.text for r in responses) == len(tabs) - 1
    assert count_rows(ShareRequest) == 1
