"""The console says what each member of staff has waiting, with a count and a link, and
counts only what that member of staff may open."""

import re
from datetime import timedelta

from flask import current_app

from app import clock
from app.extensions import db
from app.models import AuditEvent, Call, ShareRequest, VerificationAttempt
from app.rules.vocabulary import (
    DisputeReason,
    LawfulBasis,
    Role,
    ServiceArea,
    ShareRequestStatus,
    VerificationResult,
)
from app.services import disputes
from tests import factories
from tests.helpers import count_rows


def _console(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _count_of(page: str, what: str) -> int | None:
    """The number on the console's row for `what`, or None when there is no such row."""
    match = re.search(
        rf"{re.escape(what)}\s*</dt>\s*<dd[^>]*>\s*(\d+)\s*</dd>", page, flags=re.IGNORECASE
    )
    return int(match.group(1)) if match else None


def _waiting_call(number: str) -> Call:
    now = clock.now()
    call = Call(provider_call_sid=f"CA{number[-6:]:0>32}", caller_number=number, started_at=now)
    db.session.add(call)
    db.session.commit()
    return call


def _lock(resident) -> None:
    handler = factories.make_staff(Role.HANDLER)
    call = factories.make_call(resident, handler)
    for _ in range(3):
        db.session.add(
            VerificationAttempt(
                call_id=call.id, resident_id=resident.id, handler_id=handler.id,
                factors_failed="postcode", result=VerificationResult.FAILED,
            )
        )  # fmt: skip
    db.session.commit()


def test_a_handler_sees_calls_waiting_and_their_own_open_calls(signed_in_handler, resident):
    _waiting_call("+447700900301")
    _waiting_call("+447700900302")
    stale = _waiting_call("+447700900303")  # past a call's maximum: not on the list either
    stale.started_at = clock.now() - timedelta(hours=5)
    db.session.commit()
    mine = factories.make_call(resident, signed_in_handler.user)
    factories.make_call(resident, factories.make_staff(Role.HANDLER))  # someone else's

    page = _console(signed_in_handler)

    assert _count_of(page, "calls waiting to be taken") == 2
    assert 'href="/calls"' in page
    assert page.count('href="/calls/') == 1  # only their own call
    assert f'href="/calls/{mine.id}"' in page
    assert _count_of(page, "records with phone verification locked") is None
    assert _count_of(page, "disputes due soon or overdue") is None


def test_the_console_leaves_out_a_call_open_too_long_and_writes_nothing(
    signed_in_handler, resident
):
    overdue = factories.make_call(resident, signed_in_handler.user)
    overdue.started_at = clock.now() - timedelta(minutes=current_app.config["CALL_MAX_MINUTES"])
    db.session.commit()
    events_before = count_rows(AuditEvent)

    page = _console(signed_in_handler)

    assert f'href="/calls/{overdue.id}"' not in page
    db.session.expire_all()
    assert db.session.get(Call, overdue.id).ended_at is None  # closed when next opened
    assert count_rows(AuditEvent) == events_before


def test_a_supervisor_sees_locked_records_and_disputes_near_their_deadline(
    signed_in_client, resident
):
    supervisor = signed_in_client(Role.SUPERVISOR, area_codes=[ServiceArea.HOUSING.value])
    _lock(resident)
    overdue = factories.make_dispute(resident)
    overdue.due_on = clock.today() - timedelta(days=1)
    due_soon = factories.make_dispute(resident)
    due_soon.due_on = clock.today() + timedelta(days=2)
    factories.make_dispute(resident)  # due in a month: not yet
    elsewhere = factories.make_dispute(
        resident, entry=factories.make_entry(resident, area_code=ServiceArea.WASTE.value)
    )
    elsewhere.due_on = clock.today() - timedelta(days=3)  # not in the supervisor's areas
    db.session.commit()

    page = _console(supervisor)

    assert _count_of(page, "records with phone verification locked") == 1
    assert _count_of(page, "disputes due soon or overdue") == 2
    assert 'href="/locks"' in page
    assert 'href="/disputes"' in page


def test_an_administrator_has_no_calls_on_their_console(signed_in_admin):
    _waiting_call("+447700900301")

    page = _console(signed_in_admin)

    assert _count_of(page, "calls waiting to be taken") is None
    assert "Your open calls" not in page


def test_an_administrator_is_not_offered_residents_affairs_that_are_supervisors_alone(
    signed_in_admin, resident
):
    _lock(resident)
    entry = factories.make_entry(resident)
    disputes.open_dispute_from_portal(
        resident.id, entry.id, DisputeReason.HOAX, "No", now=clock.now()
    )

    page = _console(signed_in_admin)

    assert _count_of(page, "records with phone verification locked") is None
    assert _count_of(page, "disputes due soon or overdue") is None
    assert 'href="/locks"' not in page and 'href="/disputes"' not in page
    assert _count_of(page, "requests to share without consent waiting for a decision") == 0


def test_a_handlers_console_counts_nothing_when_nothing_waits(signed_in_handler):
    page = _console(signed_in_handler)

    assert _count_of(page, "calls waiting to be taken") == 0
    assert "You have no open calls." in page


def test_a_supervisor_sees_requests_to_share_waiting_for_a_decision(signed_in_supervisor, resident):
    call = factories.make_call(resident, factories.make_staff(Role.HANDLER))
    for status in (
        ShareRequestStatus.PENDING,
        ShareRequestStatus.PENDING,
        ShareRequestStatus.REFUSED,
    ):
        db.session.add(
            ShareRequest(
                call_id=call.id, resident_id=resident.id, caller="PC Dunn",
                basis=LawfulBasis.VITAL_INTERESTS, reason="Risk to life", areas_requested="housing",
                status=status,
            )
        )  # fmt: skip
    db.session.commit()

    page = _console(signed_in_supervisor)

    assert _count_of(page, "requests to share without consent waiting for a decision") == 2
    assert 'href="/duty-to-share"' in page


def test_an_administrator_sees_who_must_set_up_two_factor_sign_in_and_has_not(
    signed_in_admin,
):
    factories.make_staff(Role.SUPERVISOR, two_factor=False, name="Sue Notyet")
    factories.make_staff(Role.ADMIN, two_factor=False, name="Alan Notyet")
    factories.make_staff(Role.SUPERVISOR, two_factor=False, name="Gone Away").active = False
    db.session.commit()
    factories.make_staff(Role.HANDLER, two_factor=False, name="Hal Handler")  # needs none
    factories.make_staff(Role.SUPERVISOR, two_factor=True, name="Sam Setup")

    page = _console(signed_in_admin)
    listed = signed_in_admin.get("/admin/staff?show=two-factor-not-set-up").get_data(as_text=True)
    every = signed_in_admin.get("/admin/staff").get_data(as_text=True)

    assert _count_of(page, "accounts that must set up two-factor sign-in and have not") == 2
    assert 'href="/admin/staff?show=two-factor-not-set-up"' in page
    assert _count_of(page, "calls waiting to be taken") is None
    assert "2 active accounts whose role must use two-factor sign-in have not set it up" in listed
    assert "Sue Notyet" in listed and "Alan Notyet" in listed
    for name in ("Gone Away", "Hal Handler", "Sam Setup"):
        assert name not in listed
    row = re.search(r"Hal Handler</a>.*?</tr>", every, re.S).group(0)
    assert "Not needed for this role" in row
    assert "Not set up yet" in re.search(r"Sue Notyet</a>.*?</tr>", every, re.S).group(0)
