"""Legal holds: supervisors set and lift them on a resident's record, with a reason."""

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import LegalHold
from app.references import check_symbol
from app.rules import retention as rules
from app.rules.vocabulary import Role
from app.services import legal_holds
from tests import factories
from tests.helpers import audit_events, count_rows, csrf_token, error_page

REASON = "Housing disrepair claim HC-2026-118"


def _set(client, resident_id: int, reason: str = REASON):
    return client.post(
        f"/residents/{resident_id}/legal-hold",
        data={"reason": reason, "csrf_token": csrf_token(client, "/")},
    )


def _lift(client, resident_id: int, hold_id: int, reason: str = "Claim settled on 3 March"):
    return client.post(
        f"/residents/{resident_id}/legal-holds/{hold_id}/lift",
        data={"reason": reason, "csrf_token": csrf_token(client, "/")},
    )


def _holds() -> list[LegalHold]:
    return db.session.scalars(select(LegalHold).order_by(LegalHold.id)).all()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_a_supervisor_sets_a_hold_with_a_reason_and_sees_it_listed(
    signed_in_client, resident, role
):
    client = signed_in_client(role)

    response = _set(client, resident.id)

    assert response.status_code == 302
    assert response.headers["Location"] == "/legal-holds"
    [hold] = _holds()
    assert (hold.resident_id, hold.reason, hold.set_by_id) == (resident.id, REASON, client.user.id)
    assert hold.in_force
    [event] = audit_events("legal_hold.set")
    assert (event.staff_id, event.resident_id, event.purpose) == (
        client.user.id,
        resident.id,
        REASON,
    )
    assert event.detail["hold_id"] == hold.id
    page = client.get("/legal-holds").get_data(as_text=True)
    assert "Legal hold set" in page
    assert "Margaret Okafor" in page
    assert REASON in page
    assert f'href="/residents/{resident.id}/legal-holds/{hold.id}/lift"' in page


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("", rules.ENTER_HOLD_REASON),
        ("   ", rules.ENTER_HOLD_REASON),
        ("a claim", rules.ENTER_HOLD_REASON),
        ("x" * 501, "Reason must be 500 characters or fewer"),
    ],
    ids=["empty", "spaces", "too-short", "too-long"],
)
def test_a_hold_needs_a_reason(signed_in_supervisor, resident, reason, error):
    response = _set(signed_in_supervisor, resident.id, reason)

    assert error in error_page(response, "Set a legal hold")
    assert _holds() == []
    assert audit_events("legal_hold.set") == []


def test_a_record_already_held_is_not_held_twice(signed_in_supervisor, resident):
    supervisor = factories.make_staff(Role.SUPERVISOR)
    hold = legal_holds.set_hold(resident, REASON, supervisor, now=clock.now())

    page = signed_in_supervisor.get(f"/residents/{resident.id}/legal-hold")
    posted = _set(signed_in_supervisor, resident.id, "Another claim, reference 77")

    lift_page = f"/residents/{resident.id}/legal-holds/{hold.id}/lift"
    assert page.headers["Location"] == lift_page
    assert posted.headers["Location"] == lift_page
    assert len(_holds()) == 1


def test_the_service_refuses_a_second_hold_in_force(resident):
    supervisor = factories.make_staff(Role.SUPERVISOR)
    legal_holds.set_hold(resident, REASON, supervisor, now=clock.now())

    with pytest.raises(Exception, match=rules.ALREADY_HELD):
        legal_holds.set_hold(resident, "Another claim, reference 77", supervisor, now=clock.now())
    assert len(_holds()) == 1


def test_a_supervisor_lifts_a_hold_with_a_reason(signed_in_supervisor, resident):
    hold = legal_holds.set_hold(
        resident, REASON, factories.make_staff(Role.SUPERVISOR), now=clock.now()
    )
    hold_id = hold.id

    form = signed_in_supervisor.get(f"/residents/{resident.id}/legal-holds/{hold_id}/lift")
    response = _lift(signed_in_supervisor, resident.id, hold_id)

    assert REASON in form.get_data(as_text=True)
    assert response.headers["Location"] == "/legal-holds"
    [hold] = _holds()
    assert not hold.in_force
    assert (hold.lifted_by_id, hold.lift_reason) == (
        signed_in_supervisor.user.id,
        "Claim settled on 3 March",
    )
    [event] = audit_events("legal_hold.lifted")
    assert (event.resident_id, event.purpose, event.detail["hold_id"]) == (
        resident.id,
        "Claim settled on 3 March",
        hold_id,
    )
    page = signed_in_supervisor.get("/legal-holds").get_data(as_text=True)
    assert "No records are under a legal hold." in page


def test_lifting_needs_a_reason(signed_in_supervisor, resident):
    hold = legal_holds.set_hold(
        resident, REASON, factories.make_staff(Role.SUPERVISOR), now=clock.now()
    )

    response = _lift(signed_in_supervisor, resident.id, hold.id, "")

    page = response.get_data(as_text=True)
    assert "<title>Error: Lift the legal hold" in page
    assert rules.ENTER_LIFT_REASON in page
    assert _holds()[0].in_force
    assert audit_events("legal_hold.lifted") == []


def test_another_residents_hold_id_is_not_found(signed_in_supervisor, resident):
    other = factories.make_resident(reference="R0000002", forename="Tom")
    hold = legal_holds.set_hold(
        other, REASON, factories.make_staff(Role.SUPERVISOR), now=clock.now()
    )

    shown = signed_in_supervisor.get(f"/residents/{resident.id}/legal-holds/{hold.id}/lift")
    lifted = _lift(signed_in_supervisor, resident.id, hold.id)

    assert shown.status_code == 404
    assert lifted.status_code == 404
    assert _holds()[0].in_force
    assert audit_events("legal_hold.lifted") == []


def test_a_hold_that_does_not_exist_or_a_resident_who_does_not_is_not_found(
    signed_in_supervisor, resident
):
    assert (
        signed_in_supervisor.get(f"/residents/{resident.id}/legal-holds/999/lift").status_code
        == 404
    )
    assert signed_in_supervisor.get("/residents/999/legal-hold").status_code == 404
    assert _set(signed_in_supervisor, 999).status_code == 404


def test_a_stale_lift_form_lifts_nothing_twice(signed_in_supervisor, resident):
    hold = legal_holds.set_hold(
        resident, REASON, factories.make_staff(Role.SUPERVISOR), now=clock.now()
    )
    hold_id = hold.id
    legal_holds.lift_hold(
        hold, "Lifted by someone else first", factories.make_staff(Role.ADMIN), now=clock.now()
    )

    shown = signed_in_supervisor.get(f"/residents/{resident.id}/legal-holds/{hold_id}/lift")
    posted = _lift(signed_in_supervisor, resident.id, hold_id)

    assert shown.headers["Location"] == "/legal-holds"
    assert rules.HOLD_ALREADY_LIFTED in posted.get_data(as_text=True)
    assert _holds()[0].lift_reason == "Lifted by someone else first"
    assert len(audit_events("legal_hold.lifted")) == 1


def test_a_handler_is_refused_every_hold_page(signed_in_handler, resident):
    hold = legal_holds.set_hold(
        resident, REASON, factories.make_staff(Role.SUPERVISOR), now=clock.now()
    )
    lift = f"/residents/{resident.id}/legal-holds/{hold.id}/lift"

    assert signed_in_handler.get("/legal-holds").status_code == 403
    assert signed_in_handler.get(f"/residents/{resident.id}/legal-hold").status_code == 403
    assert _set(signed_in_handler, resident.id).status_code == 403
    assert signed_in_handler.get(lift).status_code == 403
    assert _lift(signed_in_handler, resident.id, hold.id).status_code == 403
    assert _holds()[0].in_force
    assert audit_events("legal_hold.lifted") == []


def test_a_form_without_its_csrf_token_changes_nothing(signed_in_supervisor, resident):
    response = signed_in_supervisor.post(
        f"/residents/{resident.id}/legal-hold", data={"reason": REASON}
    )

    assert response.headers["Location"] == f"/residents/{resident.id}/legal-hold"
    assert _holds() == []


def test_the_list_of_holds_is_paginated_oldest_first(signed_in_supervisor):
    supervisor = factories.make_staff(Role.SUPERVISOR)
    for n in range(26):
        person = factories.make_resident(reference=f"R{n:07d}", forename=f"Person{n:02d}")
        legal_holds.set_hold(person, f"Claim number {n:02d} of many", supervisor, now=clock.now())

    first = signed_in_supervisor.get("/legal-holds").get_data(as_text=True)
    second = signed_in_supervisor.get("/legal-holds?page=2").get_data(as_text=True)

    assert "26 records under a legal hold" in first
    assert "Claim number 00 of many" in first
    assert "Claim number 25 of many" not in first
    assert "Claim number 25 of many" in second
    assert signed_in_supervisor.get("/legal-holds?page=3").status_code == 404
    total = count_rows(LegalHold)
    assert total == 26


def test_the_record_page_shows_supervisors_the_legal_hold_and_links_to_it(
    signed_in_supervisor, signed_in_handler, resident
):
    def record(client):
        return client.post(
            f"/residents/{resident.id}",
            data={"reason": "Checking the claim file", "csrf_token": csrf_token(client, "/")},
        ).get_data(as_text=True)

    set_link = f'href="/residents/{resident.id}/legal-hold"'
    page = record(signed_in_supervisor)
    assert "Not under a legal hold." in page
    assert set_link in page
    assert set_link not in record(signed_in_handler)

    hold = legal_holds.set_hold(
        resident, REASON, factories.make_staff(Role.SUPERVISOR), now=clock.now()
    )
    page = record(signed_in_supervisor)

    assert "Under a legal hold since" in page
    assert f'href="/residents/{resident.id}/legal-holds/{hold.id}/lift"' in page
    assert "Legal hold" not in record(signed_in_handler)


def _find(client, reference: str):
    return client.post(
        "/legal-holds", data={"reference": reference, "csrf_token": csrf_token(client, "/")}
    )


def test_a_hold_is_set_from_the_legal_holds_page_with_one_reason(signed_in_supervisor, resident):
    page = signed_in_supervisor.get("/legal-holds").get_data(as_text=True)

    found = _find(signed_in_supervisor, resident.reference.lower())
    asked = signed_in_supervisor.get(found.headers["Location"]).get_data(as_text=True)
    done = _set(signed_in_supervisor, resident.id)

    assert "Resident&#39;s reference number" in page or "Resident's reference number" in page
    assert found.status_code == 302
    assert found.headers["Location"] == f"/residents/{resident.id}/legal-hold"
    assert resident.reference not in found.headers["Location"]
    assert "Why must this record be kept?" in asked
    assert done.status_code == 302
    [hold] = _holds()
    assert hold.reason == REASON
    assert [event.purpose for event in audit_events("legal_hold.set")] == [REASON]
    assert audit_events("record.viewed") == []  # no second reason to open the record first


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Enter the resident's reference number"),
        ("not a reference", "Enter a reference number like ABCD-EFGH-JKM"),
        ("ABCD-EFGH-JK" + check_symbol("ABCDEFGHJK"), "No resident has that reference number"),
    ],
    ids=["empty", "not-a-reference", "nobody-has-it"],
)
def test_a_reference_that_finds_nobody_is_told_next_to_the_field(
    signed_in_supervisor, resident, typed, error
):
    response = _find(signed_in_supervisor, typed)

    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 200
    assert error in page and "govuk-error-message" in page
    assert _holds() == []


def test_a_record_already_held_goes_to_lifting_its_hold(signed_in_supervisor, resident):
    _set(signed_in_supervisor, resident.id)
    [hold] = _holds()

    found = _find(signed_in_supervisor, resident.reference)
    followed = signed_in_supervisor.get(found.headers["Location"])

    assert followed.headers["Location"] == f"/residents/{resident.id}/legal-holds/{hold.id}/lift"


def test_a_handler_cannot_find_a_record_through_the_legal_holds_page(signed_in_handler, resident):
    assert _find(signed_in_handler, resident.reference).status_code == 403
