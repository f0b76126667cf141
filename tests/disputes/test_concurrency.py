"""Two supervisors deciding one dispute at once, as real concurrent requests against a live
server: one wins, the other is told, nothing is lost. Runs on SQLite and on PostgreSQL."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Dispute, DisputeDecision, OutboxMessage
from app.rules import disputes as rules
from app.rules.vocabulary import DisputeStatus, Role
from tests import factories
from tests.calls.test_concurrency import Browser, _together


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

    db.session.expire_all()
    won = [r for r in responses if r.status_code == 302]
    told = [r for r in responses if rules.ALREADY_DECIDED in r.text]
    assert (len(won), len(told)) == (1, len(browsers) - 1)
    decisions = db.session.scalars(select(DisputeDecision)).all()
    assert len(decisions) == 1
    assert db.session.get(Dispute, dispute.id).status is decisions[0].outcome
    assert decisions[0].outcome in {DisputeStatus.UPHELD, DisputeStatus.NOT_UPHELD}
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
