"""Real concurrent requests against a live server: two supervisors deciding one request to end
a legal authority (one decides, the others are told), and a resident sending one request twice
at once (one request). Runs on SQLite and on PostgreSQL."""

from app import clock
from app.extensions import db
from app.models import AuditEvent, AuthorityEndRequest, OutboxMessage, Permission
from app.rules import authority_ends as rules
from app.rules.vocabulary import AuthorityEndStatus, Role
from app.services import authority_ends
from tests import factories
from tests.calls.test_concurrency import Browser, _together
from tests.disputes.test_concurrency import ResidentBrowser
from tests.helpers import count_rows, one_won


def test_two_supervisors_deciding_at_once_one_decides_and_the_others_are_told(
    live_server, resident
):
    permission, _ = factories.make_permission(resident)
    asked = authority_ends.ask_to_end(permission, "", now=clock.now())
    path = f"/permissions/end-requests/{asked.id}"
    browsers = [Browser(live_server, factories.make_staff(Role.SUPERVISOR)) for _ in range(4)]
    outcomes = ["ended", "kept"] * 2
    checks = ["spoke-alone", "told-holder", "told-issuer"]

    responses = _together(
        *[
            (
                lambda b=browser, o=outcome: b.post(
                    path, {"checks": checks, "outcome": o, "reason": f"Decided {o}"}
                )
            )
            for browser, outcome in zip(browsers, outcomes, strict=True)
        ]
    )

    assert len(responses) == len(browsers)
    one_won(responses, rules.ALREADY_DECIDED)
    status = db.session.get(AuthorityEndRequest, asked.id).status
    revoked = db.session.get(Permission, permission.id).revoked_at is not None
    assert revoked is (status is AuthorityEndStatus.ENDED)
    assert count_rows(OutboxMessage) == 1
    assert count_rows(AuditEvent, AuditEvent.action == "authority_end.decided") == 1


def test_a_request_sent_twice_at_once_is_one_request(live_server, resident):
    permission, _ = factories.make_permission(resident)
    path = f"/portal/permissions/{permission.id}/end/check"
    first = ResidentBrowser(live_server, resident)
    second = ResidentBrowser(live_server, resident)
    first.post(path.removesuffix("/check"), {"note": "First"})
    second.post(path.removesuffix("/check"), {"note": "Second"})

    responses = _together(lambda: first.post(path, {}), lambda: second.post(path, {}))

    db.session.expire_all()
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0].headers["Location"] == responses[1].headers["Location"]
    assert count_rows(AuthorityEndRequest) == 1
    assert count_rows(AuditEvent, AuditEvent.action == "authority_end.requested") == 1
