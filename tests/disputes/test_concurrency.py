"""Real concurrent requests against a live server: two supervisors deciding one dispute at
once (one wins, the other is told, nothing is lost), and a correction racing a new dispute
about the same entry (the entry stays governed by its newest dispute). Runs on SQLite and on
PostgreSQL."""

import time

import pytest
import requests
from sqlalchemy import select

from app.extensions import db
from app.models import Dispute, DisputeDecision, Entry, OutboxMessage
from app.rules import disputes as rules
from app.rules.vocabulary import DisputeStatus, EntryStatus, MessageKind, Role
from tests import factories
from tests.calls.test_concurrency import RIGHT_ANSWERS, Browser, _together
from tests.helpers import CSRF_META, count_rows, one_won
from tests.portal.helpers import BORN, console_code


def test_two_supervisors_deciding_at_once_one_wins_and_the_other_is_told(live_server, resident):
    dispute = factories.make_dispute(resident)
    path = f"/disputes/{dispute.id}"
    browsers = [Browser(live_server, factories.make_staff(Role.SUPERVISOR)) for _ in range(4)]
    outcomes = ["upheld", "not-upheld"] * 2

    responses = _together(
        *[
            (
                lambda b=browser, o=outcome: b.post(
                    path, {"outcome": o, "reasons": f"Decided {o}", "decisions_seen": "0"}
                )
            )
            for browser, outcome in zip(browsers, outcomes, strict=True)
        ]
    )

    assert len(responses) == len(browsers)
    one_won(responses, rules.ALREADY_DECIDED)
    decisions = db.session.scalars(select(DisputeDecision)).all()
    assert len(decisions) == 1
    assert db.session.get(Dispute, dispute.id).status is decisions[0].outcome
    assert decisions[0].outcome in {DisputeStatus.UPHELD, DisputeStatus.NOT_UPHELD}
    assert count_rows(OutboxMessage, OutboxMessage.kind == MessageKind.DISPUTE_DECIDED) == 1


# The state an entry's newest dispute gives it.
GOVERNED_BY = {
    DisputeStatus.OPEN: EntryStatus.DISPUTED,
    DisputeStatus.UPHELD: EntryStatus.UPHELD,
    DisputeStatus.NOT_UPHELD: EntryStatus.ACTIVE,
}


class ResidentBrowser:
    """A resident's browser, signed in to the portal on the live server with the code the
    console backend kept."""

    def __init__(self, base: str, resident):
        self.base = base
        self.http = requests.Session()
        signed_in = self.http.post(
            base + "/portal",
            data={"reference": resident.reference, "date_of_birth": BORN, **self._token("/portal")},
            allow_redirects=False,
        )
        assert signed_in.status_code == 302, signed_in.text
        coded = self.http.post(
            base + "/portal/code",
            data={"code": console_code(), **self._token("/portal/code")},
            allow_redirects=False,
        )
        assert coded.headers["Location"] == "/portal/your-record", coded.text

    def _token(self, path: str) -> dict:
        return {"csrf_token": CSRF_META.search(self.http.get(self.base + path).text).group(1)}

    def post(self, path: str, data: dict) -> requests.Response:
        return self.http.post(
            self.base + path, data={**self._token("/portal/your-record"), **data},
            allow_redirects=False,
        )  # fmt: skip


def _opener(live_server: str, resident, entry_id: int, channel: str):
    """What opens a second dispute about the entry: the resident in the portal, or a handler
    on a call with the resident verified."""
    statement = {"reason": "hoax", "statement": "Not me, again"}
    if channel == "portal":
        browser = ResidentBrowser(live_server, resident)
        # The answers first (kept with the sign-in), then "Send my dispute" races.
        answered = browser.post(f"/portal/entries/{entry_id}/dispute", statement)
        assert answered.headers["Location"].endswith("/dispute/check"), answered.text
        return lambda: browser.post(f"/portal/entries/{entry_id}/dispute/check", {})
    handler = Browser(live_server, factories.make_staff(Role.HANDLER))
    url = handler.start_call_about(resident)
    verified = handler.post(url + "/verify", {**handler.verify_form(url), **RIGHT_ANSWERS})
    assert verified.status_code in (200, 302)
    data = {"dispute-csrf_token": handler.token, "dispute-entry_id": str(entry_id)}
    data |= {f"dispute-{name}": value for name, value in statement.items()}
    return lambda: handler.post(url + "/disputes", data)


@pytest.mark.parametrize("delay_ms", [-30, -5, 0, 5, 30])
@pytest.mark.parametrize("channel", ["portal", "call"])
def test_a_correction_racing_a_new_dispute_leaves_the_entry_governed_by_its_newest(
    live_server, resident, first_not_upheld, channel, delay_ms
):
    entry, first = first_not_upheld
    supervisor = Browser(live_server, factories.make_staff(Role.SUPERVISOR))
    first_id, entry_id = first.id, entry.id
    open_second = _opener(live_server, resident, entry_id, channel)

    def correct():
        time.sleep(max(delay_ms, 0) / 1000)
        return supervisor.post(
            f"/disputes/{first_id}",
            {"outcome": "upheld", "reasons": "A hoax after all", "decisions_seen": "1"},
        )

    def open_it():
        time.sleep(max(-delay_ms, 0) / 1000)
        return open_second()

    corrected, _ = _together(correct, open_it)

    db.session.expire_all()
    statuses = list(
        db.session.scalars(
            select(Dispute.status).where(Dispute.entry_id == entry_id).order_by(Dispute.id)
        )
    )
    assert DisputeStatus.OPEN not in statuses[:-1]  # only the newest may be open
    assert db.session.get(Entry, entry_id).status is GOVERNED_BY[statuses[-1]]
    # One of the two won, never both: an upheld entry cannot be disputed again, and an entry
    # with a newer dispute is no longer the older one's to correct.
    assert (corrected.status_code == 302) != (len(statuses) == 2)
