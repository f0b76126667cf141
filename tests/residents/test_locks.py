"""Phone-verification locks for supervisors: see which records are locked, and unlock them
with a reason (docs/rules.md rule 3)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.filters import UK
from app.models import AuditEvent, VerificationUnlock
from app.models.types import utcnow
from app.rules.vocabulary import Role
from app.services import verification
from tests import factories
from tests.helpers import csrf_token, hidden_inputs

UNLOCK_ERROR = "Enter why you are unlocking phone verification, in at least 10 characters"


def _unlock(client, resident_id: int, reason: str = "Spoke to the resident in person"):
    return client.post(
        f"/locks/{resident_id}/unlock",
        data={"reason": reason, "csrf_token": csrf_token(client, "/")},
    )


def _fail_on_a_real_call(client, resident) -> None:
    """Start a call, choose the record and give wrong answers, through the real routes."""
    token = csrf_token(client, "/calls")
    call_url = client.post("/calls", data={"withheld": "y", "csrf_token": token}).headers[
        "Location"
    ]
    client.post(f"{call_url}/resident", data={"resident_id": resident.id, "csrf_token": token})
    client.post(f"{call_url}/caller", data={"caller-caller_type": "resident", "csrf_token": token})
    client.post(
        f"{call_url}/verify",
        data={
            **hidden_inputs(client.get(call_url).get_data(as_text=True)),
            "verify-date_of_birth": "1 January 1960",
            "verify-postcode": "ZZ9 9ZZ",
            "csrf_token": token,
        },
    )


def test_a_resident_locked_after_three_failed_calls_is_listed_for_supervisors(
    signed_in_handler, signed_in_supervisor, resident
):
    for _ in range(3):
        _fail_on_a_real_call(signed_in_handler, resident)

    page = signed_in_supervisor.get("/locks").get_data(as_text=True)

    assert "Margaret Okafor" in page
    assert f'href="/locks/{resident.id}/unlock"' in page
    assert "No records are locked" not in page


def test_the_list_shows_when_it_locked_and_how_many_failures(
    signed_in_supervisor, resident, fail_verification
):
    fail_verification(resident, times=4, start=utcnow() - timedelta(hours=1))
    lock = verification.lock_state(resident.id)

    page = signed_in_supervisor.get("/locks").get_data(as_text=True)

    row = re.search(r"Margaret Okafor.*?</tr>", page, re.S).group(0)
    assert re.search(r">\s*4\s*<", row)
    assert lock.locked_since is not None
    assert f"{lock.locked_since.astimezone(UK):%H:%M}" in row


@pytest.mark.parametrize(
    ("times", "ago", "gap", "listed"),
    [
        (2, None, timedelta(minutes=5), False),
        (3, timedelta(days=3), timedelta(hours=13), False),
        (3, timedelta(days=10), timedelta(minutes=5), True),
    ],
    ids=[
        "two-failures-do-not-lock",
        "three-spread-over-more-than-a-day-do-not-lock",
        "a-lock-stays-listed-after-its-day-has-passed",
    ],
)
def test_only_three_failures_within_a_day_lock_and_the_lock_stays_listed(
    signed_in_supervisor, resident, fail_verification, times, ago, gap, listed
):
    fail_verification(resident, times=times, start=utcnow() - ago if ago else None, gap=gap)

    page = signed_in_supervisor.get("/locks").get_data(as_text=True)

    assert ("Margaret Okafor" in page) is listed
    assert ("No records are locked" in page) is not listed


def test_a_resident_locked_again_after_an_unlock_is_listed_again(
    signed_in_supervisor, resident, fail_verification
):
    fail_verification(resident, times=3, start=utcnow() - timedelta(hours=5))
    db.session.add(
        VerificationUnlock(
            resident_id=resident.id,
            supervisor_id=signed_in_supervisor.user.id,
            reason="Confirmed with the resident",
            created_at=utcnow() - timedelta(hours=3),
        )
    )
    db.session.commit()
    fail_verification(resident, times=3, start=utcnow() - timedelta(hours=1))

    page = signed_in_supervisor.get("/locks").get_data(as_text=True)

    assert "Margaret Okafor" in page


def test_failures_before_an_unlock_no_longer_count(
    signed_in_supervisor, resident, fail_verification
):
    fail_verification(resident, times=3, start=utcnow() - timedelta(hours=5))
    verification.unlock(resident.id, signed_in_supervisor.user.id, "Confirmed with the resident")
    fail_verification(resident, times=2, start=utcnow() + timedelta(seconds=1))

    page = signed_in_supervisor.get("/locks").get_data(as_text=True)

    assert "No records are locked" in page


def test_locked_records_are_shown_twenty_five_to_a_page_longest_locked_first(
    signed_in_supervisor, fail_verification
):
    start = utcnow() - timedelta(days=30)
    for n in range(26):
        locked = factories.make_resident(forename=f"Person{n:02d}", surname="Locked")
        fail_verification(locked, times=3, start=start + timedelta(hours=n))

    first = signed_in_supervisor.get("/locks").get_data(as_text=True)
    second = signed_in_supervisor.get("/locks?page=2").get_data(as_text=True)

    assert first.count('/unlock"') == 25
    assert "Person00 Locked" in first and "Person25 Locked" not in first
    assert "govuk-pagination" in first and "/locks?page=2" in first
    assert second.count('/unlock"') == 1
    assert "Person25 Locked" in second


@pytest.mark.parametrize("page", ["0", "2"], ids=["before-the-first", "after-the-last"])
def test_a_page_of_locked_records_that_does_not_exist_is_not_found(signed_in_supervisor, page):
    response = signed_in_supervisor.get(f"/locks?page={page}")

    assert response.status_code == 404


def test_handlers_may_not_see_locked_records(signed_in_handler):
    response = signed_in_handler.get("/locks")

    assert response.status_code == 403


def test_handlers_may_not_unlock(signed_in_handler, resident, fail_verification):
    fail_verification(resident, times=3)

    response = _unlock(signed_in_handler, resident.id)

    assert response.status_code == 403
    assert verification.lock_state(resident.id).locked


@pytest.mark.parametrize(
    "role, shown",
    [(Role.HANDLER, False), (Role.SUPERVISOR, True), (Role.ADMIN, False)],
    ids=["handler", "supervisor", "admin"],
)
def test_locked_records_are_in_the_navigation_for_supervisors_alone(signed_in_client, role, shown):
    page = signed_in_client(role).get("/").get_data(as_text=True)

    assert ('href="/locks"' in page) is shown


@pytest.mark.parametrize(
    "role, shown",
    [(Role.HANDLER, False), (Role.SUPERVISOR, True), (Role.ADMIN, False)],
    ids=["handler", "supervisor", "admin"],
)
def test_a_locked_record_offers_unlocking_and_permissions_to_supervisors_alone(
    signed_in_client, resident, fail_verification, view_record, role, shown
):
    fail_verification(resident, times=3)
    client = signed_in_client(role)

    page = view_record(client, resident.id).get_data(as_text=True)

    assert 'id="lock-state"' in page
    assert (f'href="/locks/{resident.id}/unlock"' in page) is shown
    assert (f'href="/residents/{resident.id}/permissions"' in page) is shown


def test_the_unlock_page_says_what_will_happen(signed_in_supervisor, resident, fail_verification):
    fail_verification(resident, times=3)

    page = signed_in_supervisor.get(f"/locks/{resident.id}/unlock").get_data(as_text=True)

    assert "Unlock phone verification" in page
    assert "Handlers can verify callers for this record by phone again" in page
    assert "Why are you unlocking phone verification?" in page


@pytest.mark.parametrize(
    "reason", ["", "   ", "Said ok"], ids=["empty", "only-spaces", "under-ten-characters"]
)
def test_unlocking_needs_a_reason_of_ten_characters(
    signed_in_supervisor, resident, fail_verification, reason
):
    fail_verification(resident, times=3)

    response = _unlock(signed_in_supervisor, resident.id, reason)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert UNLOCK_ERROR in page
    assert "<title>Error: " in page
    assert verification.lock_state(resident.id).locked


def test_unlocking_with_a_reason_unlocks_and_returns_to_the_list(
    signed_in_supervisor, resident, fail_verification
):
    fail_verification(resident, times=3)

    response = _unlock(signed_in_supervisor, resident.id, "Spoke to the resident in person")

    assert response.status_code == 302
    assert response.headers["Location"] == "/locks"
    assert not verification.lock_state(resident.id).locked
    page = signed_in_supervisor.get("/locks").get_data(as_text=True)
    assert "Phone verification unlocked" in page
    assert "No records are locked" in page


def test_unlocking_is_audited_with_who_and_why(signed_in_supervisor, resident, fail_verification):
    fail_verification(resident, times=3)

    _unlock(signed_in_supervisor, resident.id, "Spoke to the resident in person")

    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "verification.unlocked")
    ).all()
    assert event.resident_id == resident.id
    assert event.staff_id == signed_in_supervisor.user.id
    assert event.purpose == "Spoke to the resident in person"


def test_after_an_unlock_a_handler_can_verify_the_caller_again(
    signed_in_handler, signed_in_supervisor, resident, fail_verification
):
    fail_verification(resident, times=3)
    _unlock(signed_in_supervisor, resident.id)
    token = csrf_token(signed_in_handler, "/calls")
    call_url = signed_in_handler.post(
        "/calls", data={"withheld": "y", "csrf_token": token}
    ).headers["Location"]
    signed_in_handler.post(
        f"{call_url}/resident", data={"resident_id": resident.id, "csrf_token": token}
    )
    signed_in_handler.post(
        f"{call_url}/caller", data={"caller-caller_type": "resident", "csrf_token": token}
    )

    page = signed_in_handler.post(
        f"{call_url}/verify",
        data={
            **hidden_inputs(signed_in_handler.get(call_url).get_data(as_text=True)),
            "verify-date_of_birth": "14/3/1948",
            "verify-postcode": "LE1 5AB",
            "csrf_token": token,
        },
    ).get_data(as_text=True)

    assert "May discuss all council services" in page


def test_unlocking_a_record_that_is_not_locked_changes_nothing(signed_in_supervisor, resident):
    response = _unlock(signed_in_supervisor, resident.id)

    assert response.status_code == 302
    assert response.headers["Location"] == "/locks"
    assert db.session.scalars(select(VerificationUnlock)).all() == []
    page = signed_in_supervisor.get("/locks").get_data(as_text=True)
    assert "Phone verification for that record is not locked" in page


def test_unlocking_an_unknown_record_is_not_found(signed_in_supervisor):
    response = signed_in_supervisor.get("/locks/999999/unlock")

    assert response.status_code == 404
