"""Real concurrent requests against a live server, on SQLite and PostgreSQL: a webhook sent
twice at once makes one call, and two handlers taking one call at once: exactly one gets it,
and exactly one caller is put through, to the one who got it."""

import re

import pytest
import requests
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Call
from app.rules.vocabulary import Role
from tests import factories
from tests.calls.test_concurrency import Browser, _together
from tests.telephony.test_voice_webhooks import INCOMING, signed

CALL_SID = INCOMING["CallSid"]


def _post_webhook(app, base: str, params: dict) -> requests.Response:
    return requests.post(
        base + "/twilio/voice",
        data=params,
        headers=signed(app, "/twilio/voice", params),
        timeout=30,
    )


@pytest.mark.parametrize("attempt", range(3))
def test_the_same_webhook_sent_many_times_at_once_makes_one_call(
    fake_twilio, live_server, app, attempt
):
    responses = _together(*[lambda: _post_webhook(app, live_server, INCOMING)] * 6)

    assert [r.status_code for r in responses] == [200] * 6
    assert all("<Enqueue>" in r.text for r in responses)
    assert db.session.scalar(select(func.count()).select_from(Call)) == 1
    arrived = (
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "call.arrived")
    )
    assert db.session.scalar(arrived) == 1


@pytest.mark.parametrize("attempt", range(3))
def test_two_handlers_taking_one_call_at_once_exactly_one_gets_it(
    fake_twilio, live_server, app, attempt
):
    staff = (factories.make_staff(Role.HANDLER), factories.make_staff(Role.SUPERVISOR))
    staff_ids = [member.id for member in staff]
    first, second = (Browser(live_server, member) for member in staff)
    _post_webhook(app, live_server, INCOMING)
    call_id = db.session.scalar(select(Call.id))

    responses = _together(
        lambda: first.post(f"/calls/{call_id}/take", {}),
        lambda: second.post(f"/calls/{call_id}/take", {}),
    )

    locations = [r.headers["Location"] for r in responses]
    winners = [i for i, where in enumerate(locations) if re.search(rf"/calls/{call_id}$", where)]
    assert len(winners) == 1
    loser = (first, second)[1 - winners[0]]
    assert locations[1 - winners[0]].endswith("/calls")
    assert "Another handler has taken this call" in loser.get("/calls")
    db.session.expire_all()
    call = db.session.get(Call, call_id)
    winner = (first, second)[winners[0]]
    assert "Take call" not in winner.get("/calls")
    assert call.taken_at is not None
    taken = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "call.taken")
    assert db.session.scalar(taken) == 1
    # One dequeue, of exactly this call, to the winner's browser.
    (moved,) = fake_twilio.sent("/Calls/")
    assert moved.uri.endswith(f"/Calls/{CALL_SID}.json")
    assert f"<Identity>staff-{staff_ids[winners[0]]}</Identity>" in moved.data["Twiml"]
    # The loser cannot open the call: it is someone else's.
    assert loser.http.get(live_server + f"/calls/{call_id}").status_code == 404
