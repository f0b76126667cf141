"""A handler records a dispute for the resident, verified on the call, from the record panel."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Dispute, Entry
from app.references import format_reference
from app.rules import disputes as rules
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import DisputeReason, EntryStatus, Role
from tests import factories
from tests.helpers import count_rows, csrf_token


def _call_page(client, call) -> str:
    return client.get(f"/calls/{call.id}").get_data(as_text=True)


def _record(client, call, entry_id, htmx: bool = False, **fields):
    token = csrf_token(client, f"/calls/{call.id}")  # the page's token, form shown or not
    data = {
        "dispute-csrf_token": token,
        "dispute-entry_id": str(entry_id),
        "dispute-reason": DisputeReason.HOAX.value,
        "dispute-statement": "I never asked anyone to call about my boiler",
        **fields,
    }
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        f"/calls/{call.id}/disputes",
        data={k: v for k, v in data.items() if v is not None},
        headers=headers,
    )


def _disputes() -> int:
    return count_rows(Dispute)


def test_the_record_panel_offers_a_dispute_when_the_caller_is_verified_as_the_resident(
    signed_in_handler, resident
):
    entry = factories.make_entry(resident, summary="Boiler broken, please visit")
    call = factories.make_call(resident, signed_in_handler.user)

    page = _call_page(signed_in_handler, call)

    assert "Record a dispute about an entry" in page
    assert f'value="{entry.id}"' in page


@pytest.mark.parametrize(
    "verified_as", [VerifiedAs.NOBODY, VerifiedAs.REPRESENTATIVE], ids=["nobody", "representative"]
)
def test_the_record_panel_offers_no_dispute_to_anyone_else(
    signed_in_handler, resident, verified_as
):
    factories.make_entry(resident)
    call = factories.make_call(resident, signed_in_handler.user, verified_as)

    page = _call_page(signed_in_handler, call)

    assert "Record a dispute about an entry" not in page


def test_a_handler_records_a_dispute_and_the_entry_is_disputed_at_once(signed_in_handler, resident):
    entry = factories.make_entry(resident)
    call = factories.make_call(resident, signed_in_handler.user)

    response = _record(signed_in_handler, call, entry.id)

    assert response.status_code == 302
    page = _call_page(signed_in_handler, call)
    dispute = db.session.scalar(select(Dispute))
    assert rules.recorded_message(dispute.due_on, format_reference(dispute.reference)) in page
    assert "1 entry is disputed and being investigated" in page
    assert entry.summary not in page
    assert db.session.get(Entry, entry.id).status is EntryStatus.DISPUTED
    assert dispute.call_id == call.id


def test_over_htmx_the_record_panel_comes_back_with_the_date_to_tell_the_resident(
    signed_in_handler, resident
):
    entry = factories.make_entry(resident)
    call = factories.make_call(resident, signed_in_handler.user)

    response = _record(signed_in_handler, call, entry.id, htmx=True)

    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in fragment
    dispute = db.session.scalar(select(Dispute))
    assert rules.recorded_message(dispute.due_on, format_reference(dispute.reference)) in fragment
    assert "Record a dispute about an entry" not in fragment  # nothing left to dispute


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"dispute-reason": None}, rules.SELECT_REASON),
        ({"dispute-statement": "  "}, rules.ENTER_STATEMENT),
        ({"dispute-entry_id": "abc"}, rules.SELECT_ENTRY),
    ],
    ids=["no-reason", "no-statement", "no-entry"],
)
def test_an_incomplete_dispute_is_shown_with_gov_uk_errors(
    signed_in_handler, resident, fields, message
):
    entry = factories.make_entry(resident)
    call = factories.make_call(resident, signed_in_handler.user)

    response = _record(signed_in_handler, call, entry.id, **fields)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Record a dispute" in page
    assert message in page
    assert _disputes() == 0


def test_a_caller_not_verified_cannot_have_a_dispute_recorded_by_posting_anyway(
    signed_in_handler, resident
):
    entry = factories.make_entry(resident)
    call = factories.make_call(resident, signed_in_handler.user, VerifiedAs.NOBODY)

    response = _record(signed_in_handler, call, entry.id)

    assert rules.RESIDENT_NOT_VERIFIED in response.get_data(as_text=True)
    assert _disputes() == 0
    assert db.session.get(Entry, entry.id).status is EntryStatus.ACTIVE


def test_another_residents_entry_id_is_refused(signed_in_handler, resident):
    other = factories.make_resident(forename="Brian", surname="Other")
    their_entry = factories.make_entry(other)
    call = factories.make_call(resident, signed_in_handler.user)

    response = _record(signed_in_handler, call, their_entry.id)

    assert rules.NOT_THE_RESIDENTS_ENTRY in response.get_data(as_text=True)
    assert db.session.get(Entry, their_entry.id).status is EntryStatus.ACTIVE
    assert _disputes() == 0


def test_a_stale_form_for_an_entry_disputed_meanwhile_is_refused(signed_in_handler, resident):
    entry = factories.make_entry(resident)
    call = factories.make_call(resident, signed_in_handler.user)
    _record(signed_in_handler, call, entry.id)

    again = _record(signed_in_handler, call, entry.id)

    assert rules.ALREADY_DISPUTED in again.get_data(as_text=True)
    assert _disputes() == 1


def test_another_handlers_call_is_not_found(signed_in_client, resident):
    entry = factories.make_entry(resident)
    owner = factories.make_staff(Role.HANDLER)
    call = factories.make_call(resident, owner)
    intruder = signed_in_client(Role.HANDLER)

    response = intruder.post(
        f"/calls/{call.id}/disputes",
        data={
            "dispute-csrf_token": csrf_token(intruder, "/calls"),
            "dispute-entry_id": entry.id,
            "dispute-reason": "hoax",
            "dispute-statement": "Not mine",
        },
    )

    assert response.status_code == 404
    assert _disputes() == 0
