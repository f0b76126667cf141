"""The supervisors' dispute pages: the queue, the dispute, assigning and deciding."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Dispute, DisputeDecision, Entry
from app.references import format_reference, normalise_reference
from app.rules import disputes as rules
from app.rules.vocabulary import DisputeStatus, EntryStatus, Role
from tests import factories
from tests.helpers import count_rows, csrf_token, error_page, hidden_inputs, page_text


def _decide(client, dispute_id: int, **fields):
    path = f"/disputes/{dispute_id}"
    form = hidden_inputs(page_text(client, path))
    data = {
        "csrf_token": form["csrf_token"],
        "decisions_seen": form["decisions_seen"],
        "outcome": "upheld",
        "reasons": "The resident was away that week",
        **fields,
    }
    return client.post(path, data={k: v for k, v in data.items() if v is not None})


def test_the_queue_lists_open_disputes_nearest_deadline_first_with_tags(
    signed_in_supervisor, resident
):
    now = clock.now()
    clock.set_now(now - timedelta(days=40))
    overdue = factories.make_dispute(resident)
    clock.set_now(now - timedelta(days=28))
    due_soon = factories.make_dispute(resident)
    clock.set_now(now - timedelta(days=1))
    later = factories.make_dispute(resident)
    clock.set_now(None)

    page = page_text(signed_in_supervisor, "/disputes")

    order = [int(n) for n in re.findall(r'href="/disputes/(\d+)">Dispute ', page)]
    assert order == [overdue.id, due_soon.id, later.id]
    assert page.count("Overdue</strong>") == 1
    assert page.count("Due soon</strong>") == 1


def test_the_queue_filters_by_status_and_service_area(signed_in_supervisor, resident):
    open_one = factories.make_dispute(resident)
    decided = factories.make_dispute(resident)
    factories.make_dispute(resident, factories.make_entry(resident, area_code="council-tax"))
    supervisor = factories.make_staff(Role.SUPERVISOR)
    from app.services import disputes

    disputes.decide_dispute(decided, DisputeStatus.UPHELD, "Hoax", 0, supervisor, now=clock.now())

    open_housing = page_text(signed_in_supervisor, "/disputes?status=open&area=housing")
    upheld = page_text(signed_in_supervisor, "/disputes?status=upheld")
    everything = page_text(signed_in_supervisor, "/disputes?status=&area=")

    assert re.findall(r'href="/disputes/(\d+)">Dispute ', open_housing) == [str(open_one.id)]
    assert re.findall(r'href="/disputes/(\d+)">Dispute ', upheld) == [str(decided.id)]
    assert len(re.findall(r'href="/disputes/(\d+)">Dispute ', everything)) == 3


def test_an_empty_queue_says_so(signed_in_supervisor):
    page = page_text(signed_in_supervisor, "/disputes")

    assert "There are no disputes to show with these filters." in page


def test_a_bad_filter_is_never_an_error_page(signed_in_supervisor, resident):
    factories.make_dispute(resident)

    response = signed_in_supervisor.get("/disputes?status=nonsense&area=<script>")

    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)


def test_the_queue_is_paginated_and_keeps_its_filters(signed_in_supervisor, resident):
    for _ in range(26):
        factories.make_dispute(resident)

    first = page_text(signed_in_supervisor, "/disputes?status=open")
    second = page_text(signed_in_supervisor, "/disputes?status=open&page=2")

    assert len(re.findall(r'href="/disputes/(\d+)">Dispute ', first)) == 25
    assert "/disputes?status=open&amp;page=2" in first
    assert len(re.findall(r'href="/disputes/(\d+)">Dispute ', second)) == 1


def test_a_supervisor_assigns_a_dispute_to_themselves(signed_in_supervisor, resident):
    dispute = factories.make_dispute(resident)
    token = csrf_token(signed_in_supervisor, f"/disputes/{dispute.id}")

    response = signed_in_supervisor.post(
        f"/disputes/{dispute.id}/assign", data={"csrf_token": token}
    )

    assert response.status_code == 302
    assert db.session.get(Dispute, dispute.id).assigned_to_id == signed_in_supervisor.user.id
    assert signed_in_supervisor.user.name in page_text(signed_in_supervisor, "/disputes")


def test_the_dispute_page_shows_the_entry_its_call_other_entries_and_the_trail(
    signed_in_supervisor, resident
):
    handler = factories.make_staff(Role.HANDLER, name="Hana Handler")
    call = factories.make_call(resident, handler)
    entry = factories.make_entry(resident, call_id=call.id, summary="Gas leak in the hall")
    other = factories.make_resident(forename="Brian", surname="Other")
    factories.make_entry(other, area_code="waste", summary="Bins not collected")
    dispute = factories.make_dispute(resident, entry)

    page = page_text(signed_in_supervisor, f"/disputes/{dispute.id}")

    assert "Gas leak in the hall" in page
    assert "Disputed by the resident and being investigated" in page
    assert "Hana Handler" in page
    assert "Waste and recycling" in page
    assert "Bins not collected" not in page  # another resident's entry: only its shape
    assert "A dispute was opened" in page
    assert "No decision yet." in page


def test_upholding_on_the_page_marks_the_entry_and_shows_the_decision(
    signed_in_supervisor, resident
):
    dispute = factories.make_dispute(resident)

    response = _decide(signed_in_supervisor, dispute.id)

    assert response.status_code == 302
    page = page_text(signed_in_supervisor, response.headers["Location"])
    assert "Decision recorded" in page
    assert "The resident was away that week" in page
    assert "Correct the decision" in page
    assert db.session.get(Entry, dispute.entry_id).status is EntryStatus.UPHELD


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"outcome": None}, rules.SELECT_OUTCOME),
        ({"reasons": "   "}, rules.ENTER_REASONS),
        ({"outcome": "open"}, "Not a valid choice"),
        ({"decisions_seen": None}, "This page is out of date"),
        ({"decisions_seen": "99999999999999999999"}, "This page is out of date"),
        ({"reasons": "\u200b\ufeff"}, rules.ENTER_REASONS),
    ],
    ids=[
        "no-outcome",
        "no-reasons",
        "open-is-not-a-decision",
        "no-decisions-seen",
        "decisions-seen-beyond-any-count",
        "invisible-reasons",
    ],
)
def test_an_incomplete_decision_is_shown_with_gov_uk_errors(
    signed_in_supervisor, resident, fields, message
):
    dispute = factories.make_dispute(resident)

    response = _decide(signed_in_supervisor, dispute.id, **fields)

    assert message in error_page(response, "Dispute")
    assert db.session.get(Dispute, dispute.id).status is DisputeStatus.OPEN


def test_a_stale_form_is_refused_and_the_supervisor_is_told(signed_in_client, resident):
    dispute = factories.make_dispute(resident)
    first, second = signed_in_client(Role.SUPERVISOR), signed_in_client(Role.SUPERVISOR)
    stale = hidden_inputs(page_text(second, f"/disputes/{dispute.id}"))
    _decide(first, dispute.id, outcome="not-upheld")

    response = second.post(
        f"/disputes/{dispute.id}",
        data={**stale, "outcome": "upheld", "reasons": "Looks like a hoax to me"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert rules.ALREADY_DECIDED in page
    assert "<title>Error: " in page
    assert db.session.get(Dispute, dispute.id).status is DisputeStatus.NOT_UPHELD
    assert count_rows(DisputeDecision) == 1


def test_deciding_twice_from_one_page_records_one_decision(signed_in_supervisor, resident):
    dispute = factories.make_dispute(resident)
    form = hidden_inputs(page_text(signed_in_supervisor, f"/disputes/{dispute.id}"))
    data = {**form, "outcome": "upheld", "reasons": "Hoax"}

    signed_in_supervisor.post(f"/disputes/{dispute.id}", data=data)
    again = signed_in_supervisor.post(f"/disputes/{dispute.id}", data=data)

    assert rules.ALREADY_DECIDED in again.get_data(as_text=True)
    assert count_rows(DisputeDecision) == 1


def test_a_correction_is_a_new_decision(signed_in_supervisor, resident):
    dispute = factories.make_dispute(resident)
    _decide(signed_in_supervisor, dispute.id)

    _decide(signed_in_supervisor, dispute.id, outcome="not-upheld", reasons="Evidence found")

    decisions = db.session.scalars(select(DisputeDecision).order_by(DisputeDecision.id)).all()
    assert [d.outcome for d in decisions] == [DisputeStatus.UPHELD, DisputeStatus.NOT_UPHELD]
    assert decisions[1].supersedes_id == decisions[0].id
    assert db.session.get(Entry, dispute.entry_id).status is EntryStatus.ACTIVE


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/disputes"),
        ("get", "/disputes/{id}"),
        ("post", "/disputes/{id}"),
        ("post", "/disputes/{id}/assign"),
    ],
    ids=["queue", "dispute", "decide", "assign"],
)
def test_a_handler_cannot_see_or_decide_disputes(signed_in_handler, resident, method, path):
    dispute = factories.make_dispute(resident)
    token = csrf_token(signed_in_handler, "/calls")

    response = getattr(signed_in_handler, method)(
        path.format(id=dispute.id),
        data={"csrf_token": token, "outcome": "upheld", "reasons": "x", "decisions_seen": "0"},
    )

    assert response.status_code == 403
    assert db.session.get(Dispute, dispute.id).status is DisputeStatus.OPEN


def test_a_supervisor_of_other_service_areas_finds_no_such_dispute(signed_in_client, resident):
    dispute = factories.make_dispute(resident)
    elsewhere = signed_in_client(Role.SUPERVISOR, area_codes=["waste"])

    assert elsewhere.get(f"/disputes/{dispute.id}").status_code == 404
    assert f'href="/disputes/{dispute.id}"' not in page_text(elsewhere, "/disputes")


def test_an_unknown_dispute_is_not_found(signed_in_supervisor):
    assert signed_in_supervisor.get("/disputes/999999").status_code == 404


def test_the_trail_names_who_did_what_and_the_numbers_strikes_show(signed_in_client, resident):
    supervisor = signed_in_client(Role.SUPERVISOR, name="Sam Supervisor")
    dispute = factories.make_dispute(resident)
    _decide(supervisor, dispute.id)

    page = page_text(supervisor, f"/disputes/{dispute.id}")

    assert re.search(r"A dispute was decided</td>\s*<td[^>]*>Sam Supervisor<", page)
    assert "1 earlier report from this number was upheld as a hoax" in page


@pytest.mark.parametrize(
    "typed",
    [
        lambda reference: format_reference(reference),
        lambda reference: reference.lower(),
        lambda reference: " ".join(format_reference(reference).split("-")),
    ],
    ids=["as-shown", "lower-case-no-hyphens", "spaces"],
)
def test_the_queue_finds_a_dispute_by_the_reference_the_resident_reads_out(
    signed_in_supervisor, resident, typed
):
    wanted = factories.make_dispute(resident)
    factories.make_dispute(resident)

    page = page_text(signed_in_supervisor, f"/disputes?reference={typed(wanted.reference)}")

    assert re.findall(r'href="/disputes/(\d+)">Dispute ', page) == [str(wanted.id)]
    assert f">Dispute {format_reference(wanted.reference)}</a>" in page


def test_a_reference_that_cannot_be_one_finds_no_dispute(signed_in_supervisor, resident):
    factories.make_dispute(resident)

    page = page_text(signed_in_supervisor, "/disputes?reference=5")

    assert re.findall(r'href="/disputes/(\d+)">Dispute ', page) == []


def test_every_dispute_gets_its_own_reference_that_is_not_its_number(resident):
    made = [factories.make_dispute(resident) for _ in range(20)]

    references = {dispute.reference for dispute in made}

    assert len(references) == 20
    assert all(normalise_reference(reference) == reference for reference in references)
    assert not any(str(dispute.id) == dispute.reference for dispute in made)
