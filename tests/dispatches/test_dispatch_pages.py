"""Dispatches as the teams sent out see them: where to go and what to do, within their service
areas and as need to know allows; the whole address and the report on the dispatch's own page,
a view of the record audited with the dispatch as its purpose."""

from html import unescape

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Dispatch
from app.rules.dispatches import CORRECTED, ON_HOLD, SENSITIVE_REPORT
from app.rules.vocabulary import DisputeStatus, Role, ServiceArea
from tests import factories
from tests.helpers import statements_run

REPORT = "Says the boiler is broken"
INSTRUCTIONS = "Go"  # what factories.make_entry's dispatch tells the team


@pytest.fixture
def dispatch(resident) -> Dispatch:
    entry = factories.make_entry(resident, team="Housing repairs")
    return entry.dispatches[0]


def _list(client) -> str:
    return client.get("/dispatches").get_data(as_text=True)


def _page(client, dispatch_id: int):
    return client.get(f"/dispatches/{dispatch_id}")


def _viewed() -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "dispatch.viewed"))
    )


def test_the_list_says_where_to_go_and_what_to_do(signed_in_handler, dispatch):
    page = _list(signed_in_handler)

    assert "Margaret Okafor" in page
    assert "Mill Lane, LE1" in page
    assert "Housing" in page
    assert INSTRUCTIONS in page
    assert "Reported in good faith, not verified" in page
    assert f'href="/dispatches/{dispatch.id}"' in page


def test_the_list_shows_no_more_of_the_record_than_a_search_result(
    signed_in_handler, resident, dispatch
):
    page = _list(signed_in_handler)

    for secret in ("LE1 5AB", "Flat 2", "14 Mill Lane", "1948", resident.reference, REPORT):
        assert secret not in page
    assert _viewed() == []  # names and streets, as a search shows them: no record opened


def test_the_dispatchs_page_gives_the_whole_address_and_the_report(signed_in_handler, dispatch):
    response = _page(signed_in_handler, dispatch.id)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for shown in ("Margaret Okafor", "Flat 2, 14 Mill Lane", "Leicester", "LE1 5AB", REPORT):
        assert shown in page
    assert "Repair or fault" in page
    assert "Reported in good faith, not verified" in page
    assert f'href="/dispatches/{dispatch.id}/outcome"' in page
    assert "1948" not in page  # the date of birth and the reference stay hidden
    assert dispatch.entry.resident.reference not in page


def test_opening_a_dispatch_is_audited_as_a_view_of_the_record(signed_in_handler, dispatch):
    _page(signed_in_handler, dispatch.id)

    [viewed] = _viewed()
    assert viewed.staff_id == signed_in_handler.user.id
    assert viewed.resident_id == dispatch.entry.resident_id
    assert viewed.entry_id == dispatch.entry_id
    assert viewed.purpose == f"dispatch {dispatch.id}"
    assert viewed.detail["address"] is True and viewed.detail["report"] is True


def test_a_sensitive_report_needs_the_permission_the_address_does_not(signed_in_client, resident):
    entry = factories.make_entry(resident, team="Adult social care", is_sensitive=True)
    without = signed_in_client(Role.HANDLER, may_see_sensitive=False)
    with_it = signed_in_client(Role.HANDLER, may_see_sensitive=True)

    refused = _page(without, entry.dispatches[0].id).get_data(as_text=True)
    allowed = _page(with_it, entry.dispatches[0].id).get_data(as_text=True)

    assert REPORT not in refused
    assert SENSITIVE_REPORT in refused
    assert "LE1 5AB" in refused and INSTRUCTIONS in refused
    assert REPORT in allowed
    assert [event.detail["report"] for event in _viewed()] == [False, True]


def test_a_dispatch_on_hold_shows_nothing_of_its_report_or_where_to_go(
    signed_in_handler, resident, dispatch
):
    factories.make_dispute(resident, dispatch.entry)

    listed = unescape(_list(signed_in_handler))
    page = unescape(_page(signed_in_handler, dispatch.id).get_data(as_text=True))

    for html in (listed, page):
        assert ON_HOLD in html
        for hidden in ("Margaret Okafor", "Mill Lane", REPORT):
            assert hidden not in html
    assert f">{INSTRUCTIONS}<" not in listed
    assert _viewed() == []


def test_a_dispatch_whose_report_was_found_incorrect_says_so_and_no_more(
    signed_in_handler, resident, dispatch
):
    dispute = factories.make_dispute(resident, dispatch.entry)
    factories.decide_dispute(dispute, DisputeStatus.UPHELD)

    page = unescape(_page(signed_in_handler, dispatch.id).get_data(as_text=True))

    assert CORRECTED in page
    assert "Correction: the report behind this dispatch was found incorrect" in page
    assert REPORT not in page and "Mill Lane" not in page


@pytest.mark.parametrize("dispatch_id", ["other-area", "999999"])
def test_a_dispatch_outside_the_staff_members_areas_is_not_found(
    signed_in_client, dispatch, dispatch_id
):
    waste_only = signed_in_client(Role.HANDLER, area_codes=[ServiceArea.WASTE.value])
    wanted = dispatch.id if dispatch_id == "other-area" else int(dispatch_id)

    response = _page(waste_only, wanted)

    assert response.status_code == 404
    assert "Margaret" not in response.get_data(as_text=True)
    assert _viewed() == []


def test_a_closed_dispatch_says_how_it_ended(signed_in_handler, dispatch):
    from app.rules.vocabulary import DispatchOutcome
    from app.services import entries

    entries.record_dispatch_outcome(
        dispatch, DispatchOutcome.NO_ACCESS, "", signed_in_handler.user, clock.now()
    )

    page = _page(signed_in_handler, dispatch.id).get_data(as_text=True)

    assert "no access" in page
    assert "Record the outcome" not in page


def test_the_list_reads_its_residents_in_one_statement_however_many(signed_in_handler):
    for n in range(12):
        resident = factories.make_resident(forename=f"Person{n}", surname="Listed")
        factories.make_entry(resident, team=f"Team {n}")
    _list(signed_in_handler)  # what a running server has drawn once

    with statements_run() as ran:
        page = _list(signed_in_handler)

    assert page.count("Listed") == 12
    assert len(ran) <= 6, "\n".join(ran)
