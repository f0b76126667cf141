"""Nothing about a resident is disclosed on a call until the caller is verified on it."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Entry
from app.references import format_reference
from app.rules.vocabulary import Relationship, Role, ServiceArea
from tests import factories


def _personal_details(resident) -> list[str]:
    return [
        "14 March 1948",
        "LE1 5AB",
        "07700 900123",
        "margaret@example.com",
        format_reference(resident.reference),
        "Flat 2, 14 Mill Lane",
    ]


def _add_entry(resident, area=ServiceArea.HOUSING, summary="Neighbour reported a leak", **kw):
    entry = Entry(
        resident_id=resident.id,
        area_code=area.value,
        category="repair",
        summary=summary,
        urgency="routine",
        reporter_relationship=kw.pop("relationship", Relationship.NEIGHBOUR),
        reporter_verified=kw.pop("verified", False),
        **kw,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def test_unverified_caller_sees_no_details_or_entries_in_page_or_fragment(
    signed_in_handler, start_call, resident
):
    _add_entry(resident)
    call = start_call(signed_in_handler)

    call.resident_calls_about(resident)
    page, fragment = call.page(), call.record_fragment()

    for text in (page, fragment):
        assert "Do not disclose: caller not verified" in text
        assert "Neighbour reported a leak" not in text
        for detail in _personal_details(resident):
            assert detail not in text


def test_verified_resident_sees_details_and_labelled_third_party_entries(
    signed_in_handler, start_call, resident
):
    _add_entry(resident)
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)

    response = call.verify(date_of_birth="14/03/1948", postcode="le1 5ab")

    page = response.get_data(as_text=True)
    assert "May discuss all council services: caller verified as the resident" in page
    assert "14 March 1948" in page
    assert "Neighbour reported a leak" in page
    assert "Reported in good faith, not verified" in page


def test_disclosures_are_audited_with_the_call(resident_calling, resident):
    resident_calling.verify(date_of_birth="14 March 1948", postcode="LE15AB")
    resident_calling.record_fragment()

    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "record.disclosed")
    ).all()
    assert events
    assert {event.call_id for event in events} == {resident_calling.id}
    assert all(event.resident_id == resident.id for event in events)


def test_verification_does_not_carry_to_another_call(signed_in_handler, start_call, resident):
    first = start_call(signed_in_handler)
    first.resident_calls_about(resident)
    first.verify(date_of_birth="14/3/1948", postcode="LE1 5AB")

    second = start_call(signed_in_handler)
    second.resident_calls_about(resident)

    assert "Do not disclose: caller not verified" in second.record_fragment()
    assert "14 March 1948" not in second.record_fragment()


def test_choosing_another_record_ends_the_verification(signed_in_handler, start_call, resident):
    other = factories.make_resident(forename="Peter", surname="Jones", postcode="LE2 1AA")
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)
    call.verify(date_of_birth="14/3/1948", postcode="LE1 5AB")

    call.select(other)

    fragment = call.record_fragment()
    assert re.search(
        r"Do not disclose: verification ended at \d\d:\d\d: the record was changed", fragment
    )
    assert "LE2 1AA" not in fragment


def test_verification_ends_when_the_call_ends(resident_calling, resident):
    resident_calling.verify(date_of_birth="14/3/1948", postcode="LE1 5AB")

    resident_calling.end(outcome="resolved", summary="Gave balance")

    fragment = resident_calling.record_fragment()
    assert "Do not disclose: call has ended" in fragment
    for detail in _personal_details(resident):
        assert detail not in fragment
        assert detail not in resident_calling.page()


def test_another_handlers_call_is_not_found_at_any_of_its_addresses(
    signed_in_client, start_call, resident
):
    owner = signed_in_client(Role.HANDLER)
    call = start_call(owner)
    call.resident_calls_about(resident)
    call.verify(date_of_birth="14/3/1948", postcode="LE1 5AB")
    intruder = signed_in_client(Role.HANDLER)
    intruder_call = start_call(intruder)

    answers = [
        intruder.get(call.url),
        intruder.get(call.url + "/record"),
        intruder.get(call.url + "/search?q=okafor"),
        intruder.post(call.url + "/verify", data={"csrf_token": intruder_call.token}),
        intruder.post(call.url + "/resident", data={"csrf_token": intruder_call.token}),
        intruder.post(call.url + "/reports", data={"csrf_token": intruder_call.token}),
        intruder.post(call.url + "/end", data={"csrf_token": intruder_call.token}),
    ]

    assert [response.status_code for response in answers] == [404] * len(answers)
    for response in answers:
        assert "14 March 1948" not in response.get_data(as_text=True)


def test_entries_outside_the_handlers_areas_stay_hidden_after_verification(
    signed_in_client, start_call, resident
):
    _add_entry(resident, area=ServiceArea.HOUSING, summary="Housing repair")
    _add_entry(resident, area=ServiceArea.ADULT_SOCIAL_CARE, summary="Care assessment")
    handler = signed_in_client(Role.HANDLER, area_codes=[ServiceArea.HOUSING.value])
    call = start_call(handler)
    call.resident_calls_about(resident)

    page = call.verify(date_of_birth="14/3/1948", postcode="LE1 5AB").get_data(as_text=True)

    assert "Housing repair" in page
    assert "Care assessment" not in page


def test_sensitive_entries_need_the_sensitive_data_permission(
    signed_in_client, start_call, resident
):
    _add_entry(resident, summary="Health condition noted", is_sensitive=True)
    without = signed_in_client(Role.HANDLER)
    with_permission = signed_in_client(Role.HANDLER, may_see_sensitive=True)

    pages = []
    for client in (without, with_permission):
        call = start_call(client)
        call.resident_calls_about(resident)
        pages.append(
            call.verify(date_of_birth="14/3/1948", postcode="LE1 5AB").get_data(as_text=True)
        )

    assert "Health condition noted" not in pages[0]
    assert "Health condition noted" in pages[1]


def test_upheld_entries_are_hidden_and_disputed_ones_are_withheld_and_counted(
    signed_in_handler, start_call, resident
):
    _add_entry(resident, summary="Hoax report", status="upheld")
    _add_entry(resident, summary="Contested report", status="disputed")
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)

    page = call.verify(date_of_birth="14/3/1948", postcode="LE1 5AB").get_data(as_text=True)

    assert "Hoax report" not in page
    assert "Contested report" not in page
    assert "1 entry is disputed and being investigated" in page
