"""An entry is governed by its newest dispute: a decision or correction of an older one never
changes it, and no entry has two disputes open. The attack from the review, through the pages
a supervisor, a resident and a handler use."""

import re

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Dispute, DisputeDecision, Entry
from app.references import format_reference
from app.refusals import Refused
from app.rules import disputes as rules
from app.rules.vocabulary import DisputeReason, DisputeStatus, EntryStatus
from app.services import disputes
from tests import factories
from tests.disputes.test_record_on_call import _record
from tests.helpers import count_rows, csrf_token, hidden_inputs, page_text
from tests.portal.helpers import portal_sign_in


def _post_decision(client, dispute_id: int, outcome: str, decisions_seen: int):
    """A decision posted as a page once offered it: the form the page may no longer show."""
    return client.post(
        f"/disputes/{dispute_id}",
        data={
            "csrf_token": csrf_token(client, "/disputes"),
            "outcome": outcome,
            "reasons": f"Corrected to {outcome}",
            "decisions_seen": str(decisions_seen),
        },
    )


def _open_disputes(entry_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Dispute.id).where(
                Dispute.entry_id == entry_id, Dispute.status == DisputeStatus.OPEN
            )
        )
    )


def _entry_status(entry_id: int) -> EntryStatus:
    db.session.expire_all()
    return db.session.get(Entry, entry_id).status


def test_the_reviews_sequence_never_overwrites_the_newer_open_dispute(
    app, client, signed_in_supervisor, signed_in_handler, resident, first_not_upheld
):
    entry, first = first_not_upheld
    second = disputes.open_dispute_from_portal(
        resident.id, entry.id, DisputeReason.OTHER, "It was wrong again", now=clock.now()
    )
    told = f"Dispute {format_reference(second.reference)} about this entry is open; decide that one"

    corrected = _post_decision(signed_in_supervisor, first.id, "upheld", 1)
    back = _post_decision(signed_in_supervisor, first.id, "not-upheld", 1)

    for response in (corrected, back):
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "<title>Error: " in page and told in page
    assert _entry_status(entry.id) is EntryStatus.DISPUTED
    assert db.session.get(Dispute, first.id).status is DisputeStatus.NOT_UPHELD
    assert count_rows(DisputeDecision) == 1
    assert disputes.hoax_strikes(factories.HOAXER) == 0

    # No third dispute beside the open one: not in the portal, not on a call.
    resident_client = portal_sign_in(app.test_client(), resident)
    path = f"/portal/entries/{entry.id}/dispute"
    in_portal = resident_client.post(
        f"{path}/check",
        data={"csrf_token": csrf_token(resident_client, path), "reason": "hoax", "statement": "x"},
    )
    call = factories.make_call(resident, signed_in_handler.user)
    on_call = _record(signed_in_handler, call, entry.id)

    assert in_portal.headers["Location"] == path
    assert "You have already told us this entry is wrong" in resident_client.get(path).get_data(
        as_text=True
    )
    assert rules.ALREADY_DISPUTED in on_call.get_data(as_text=True)
    assert _open_disputes(entry.id) == [second.id]
    assert _entry_status(entry.id) is EntryStatus.DISPUTED


def test_the_older_disputes_page_names_the_newer_one_and_offers_no_form(
    signed_in_supervisor, resident, first_not_upheld
):
    entry, first = first_not_upheld
    second = disputes.open_dispute_from_portal(
        resident.id, entry.id, DisputeReason.HOAX, "No", now=clock.now()
    )

    older = page_text(signed_in_supervisor, f"/disputes/{first.id}")
    newer = page_text(signed_in_supervisor, f"/disputes/{second.id}")

    assert f'href="/disputes/{second.id}">Dispute {format_reference(second.reference)}</a>' in older
    assert "decide that one instead" in older
    assert 'name="decisions_seen"' not in older
    assert 'name="decisions_seen" value="0"' in newer
    assert re.search(r"<legend[^>]*>\s*What have you decided\?", newer)


def test_once_the_newer_dispute_is_decided_only_it_can_be_corrected(
    signed_in_supervisor, resident, first_not_upheld
):
    entry, first = first_not_upheld
    second = disputes.open_dispute_from_portal(
        resident.id, entry.id, DisputeReason.HOAX, "No", now=clock.now()
    )
    assert _post_decision(signed_in_supervisor, second.id, "not-upheld", 0).status_code == 302

    refused = _post_decision(signed_in_supervisor, first.id, "upheld", 1)
    corrected = _post_decision(signed_in_supervisor, second.id, "upheld", 1)

    assert (
        f"Dispute {format_reference(second.reference)} about this entry is newer and governs it; "
        "correct that one instead" in refused.get_data(as_text=True)
    )
    assert corrected.status_code == 302
    db.session.expire_all()
    assert db.session.get(Dispute, first.id).status is DisputeStatus.NOT_UPHELD
    assert db.session.get(Dispute, second.id).status is DisputeStatus.UPHELD
    assert _entry_status(entry.id) is EntryStatus.UPHELD
    assert disputes.hoax_strikes(factories.HOAXER) == 1
    assert "correct that one instead" in page_text(signed_in_supervisor, f"/disputes/{first.id}")


def test_a_correction_of_the_newest_dispute_still_puts_the_entry_back(
    signed_in_supervisor, resident, first_not_upheld
):
    entry, first = first_not_upheld

    upheld = _post_decision(signed_in_supervisor, first.id, "upheld", 1)
    back = _post_decision(signed_in_supervisor, first.id, "not-upheld", 2)

    assert (upheld.status_code, back.status_code) == (302, 302)
    assert _entry_status(entry.id) is EntryStatus.ACTIVE


@pytest.mark.parametrize("channel", ["portal", "call"])
def test_an_entry_left_in_use_beside_an_open_dispute_is_not_disputed_twice(resident, channel):
    # The state the old correction left behind: the entry back in use, a dispute still open.
    entry = factories.make_entry(resident)
    open_one = factories.make_dispute(resident, entry)
    db.session.get(Entry, entry.id).status = EntryStatus.ACTIVE
    db.session.commit()

    with pytest.raises(Refused) as refused:
        if channel == "portal":
            disputes.open_dispute_from_portal(
                resident.id, entry.id, DisputeReason.HOAX, "Again", now=clock.now()
            )
        else:
            factories.make_dispute(resident, entry)

    assert refused.value.message == rules.ALREADY_DISPUTED
    assert _open_disputes(entry.id) == [open_one.id]


def test_a_decision_page_gone_stale_under_a_new_dispute_is_told_which_to_decide(
    signed_in_supervisor, resident, first_not_upheld
):
    entry, first = first_not_upheld
    stale = hidden_inputs(page_text(signed_in_supervisor, f"/disputes/{first.id}"))
    second = disputes.open_dispute_from_portal(
        resident.id, entry.id, DisputeReason.HOAX, "No", now=clock.now()
    )

    response = signed_in_supervisor.post(
        f"/disputes/{first.id}", data={**stale, "outcome": "upheld", "reasons": "Hoax after all"}
    )

    assert (
        f"Dispute {format_reference(second.reference)} about this entry is open"
        in response.get_data(as_text=True)
    )
    assert _entry_status(entry.id) is EntryStatus.DISPUTED
