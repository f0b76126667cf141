"""What a subject access export holds of the portal: the resident's requests to end a legal
authority, and their sign-ins with anything they were writing and did not send."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, PortalSession, PortalSessionStatus, SubjectAccessExport
from app.models.staff import new_session_token
from app.rules import subject_access as rules
from app.rules.authority_ends import Checks
from app.rules.vocabulary import (
    AuthorityEndStatus,
    DisputeReason,
    ExportSection,
    ExportStatus,
    PermissionKind,
    RetainedKind,
)
from app.services import authority_ends, portal, retention
from app.services import subject_access as service
from tests import factories
from tests.portal.helpers import console_code, give_code, give_details
from tests.subject_access.helpers import produce

STATEMENT = "I never asked anyone to ring me about the boiler"
NOTE = "My daughter no longer helps with my money"
REASON_KEPT = "Spoke to the resident: she wants Dana to carry on with the rent account"
OLD_NUMBER = "+447700900999"  # a number no longer on the resident's record
THIRD_PARTY_REASON = "Court order 2026/114 asks for every number"


def _sign_in(client, resident) -> tuple[PortalSession, str]:
    """Sign the resident in to the portal as their browser would: (the sign-in, its code)."""
    assert give_details(client, resident.reference).status_code == 302
    code = console_code()
    assert give_code(client, code).headers["Location"] == "/portal/your-record"
    row = db.session.scalar(
        select(PortalSession)
        .where(PortalSession.resident_id == resident.id)
        .order_by(PortalSession.id.desc())
    )
    return row, code


def _write_without_sending(row: PortalSession, entry, permission) -> None:
    """Begin a dispute and a request to end a legal authority, as the portal keeps them,
    and send neither."""
    user = portal.SignedInResident(row)
    portal.save_dispute_draft(user, entry.id, DisputeReason.DID_NOT_ASK, STATEMENT, clock.now())
    portal.save_end_request_note(user, permission.id, NOTE, clock.now())
    db.session.refresh(row)


@pytest.fixture
def drafts(client, resident, lpa):
    """The resident signed in to the portal, half way through a dispute about an entry and a
    request to end Dana's LPA: (the sign-in, its code, the entry)."""
    row, code = _sign_in(client, resident)
    entry = factories.make_entry(resident)
    _write_without_sending(row, entry, lpa)
    return row, code, entry


def _added_sign_in(resident, number: str = OLD_NUMBER, **fields) -> PortalSession:
    now = clock.now()
    row = PortalSession(
        token=new_session_token(),
        resident_id=resident.id if resident else None,
        phone_number=number,
        created_at=now,
        expires_at=now + timedelta(minutes=10),
        status=PortalSessionStatus.ENDED,
        ended_at=now,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def _export_started(resident, supervisor) -> SubjectAccessExport:
    return service.start_export(
        resident.id,
        supervisor,
        "Letter from the resident received on 1 November",
        include_third_parties=False,
        third_party_reason=None,
        now=clock.now(),
    )


def _everything(html: str, data: dict) -> str:
    return html + json.dumps(data, ensure_ascii=False)


def test_what_the_resident_was_writing_and_did_not_send_is_in_the_export(
    signed_in_supervisor, resident, drafts
):
    html, data, _ = produce(signed_in_supervisor, resident.id)

    [sign_in] = data["portal_sign_ins"]
    assert sign_in["code_sent_to"] == "07700 900123"
    assert sign_in["signed_in"] is not None
    assert sign_in["ended"] is None
    [dispute] = sign_in["unsent_dispute"]
    assert dispute["what_you_wrote"] == STATEMENT
    assert dispute["reason"] == DisputeReason.DID_NOT_ASK.label
    assert dispute["category"] == drafts[2].category.label
    assert dispute["entry_logged"] is not None
    [request] = sign_in["unsent_end_request"]
    assert request["what_you_wrote"] == NOTE
    assert request["representative"] == "Dana Okafor"
    assert request["kind"] == "Lasting Power of Attorney (property and financial)"
    section = html.split(f'id="{ExportSection.PORTAL_SIGN_INS.value}"')[1]
    assert STATEMENT in section
    assert NOTE in section
    assert "A dispute you were writing and did not send" in section
    assert "A request to end a legal authority you were writing and did not send" in section


def test_the_sign_ins_token_code_and_its_hmac_are_never_in_the_export(
    signed_in_supervisor, resident, drafts
):
    row, code, _ = drafts

    for include in ({}, {"include_third_parties": "y", "third_party_reason": THIRD_PARTY_REASON}):
        html, data, _ = produce(signed_in_supervisor, resident.id, **include)

        everything = _everything(html, data)
        assert data["portal_sign_ins"]
        assert row.code_hash  # the console's code is the app's own: its HMAC is kept
        for secret in (row.token, code, row.code_hash):
            assert secret not in everything
        assert not {"token", "code", "code_hash"} & set(data["portal_sign_ins"][0])


def test_a_number_no_longer_on_the_record_is_withheld_unless_third_parties_are_included(
    signed_in_supervisor, resident
):
    _added_sign_in(resident)

    html, data, _ = produce(signed_in_supervisor, resident.id)
    included_html, included, _ = produce(
        signed_in_supervisor,
        resident.id,
        include_third_parties="y",
        third_party_reason=THIRD_PARTY_REASON,
    )

    assert [s["code_sent_to"] for s in data["portal_sign_ins"]] == [rules.WITHHELD]
    assert "07700 900999" not in _everything(html, data)
    assert [s["code_sent_to"] for s in included["portal_sign_ins"]] == ["07700 900999"]
    assert "07700 900999" in included_html
    withheld = [
        event.detail["withheld"]
        for event in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "subject_access.exported")
            .order_by(AuditEvent.id)
        )
    ]
    assert withheld == [1, 0]


def test_another_residents_sign_ins_and_requests_never_appear(signed_in_supervisor, resident, lpa):
    neighbour = factories.make_resident(forename="Ivy", surname="Marsh", phones=["+447700900888"])
    theirs, _ = factories.make_permission(neighbour, name="Sam Marsh")
    their_entry = factories.make_entry(neighbour, summary="Ivy's own report")
    their_row = _added_sign_in(neighbour, "+447700900888")
    their_row.status = PortalSessionStatus.SIGNED_IN
    db.session.commit()
    their_user = portal.SignedInResident(their_row)
    portal.save_dispute_draft(their_user, their_entry.id, None, "Ivy's unsent words", clock.now())
    portal.save_end_request_note(their_user, theirs.id, "Ivy's note", clock.now())
    authority_ends.ask_to_end(theirs, "Ivy asks to end Sam's LPA", clock.now())
    # The resident's own sign-in, its drafts forged to point at the neighbour's entry and
    # permission: neither is described.
    _added_sign_in(
        resident,
        "+447700900123",
        dispute_draft={"entry": their_entry.id, "reason": None, "statement": "Mine"},
        end_request_draft={"permission": theirs.id, "note": "Also mine"},
    )

    html, data, _ = produce(signed_in_supervisor, resident.id)

    everything = _everything(html, data)
    for theirs_only in (
        "Ivy",
        "Sam Marsh",
        "07700 900888",
        "Ivy's unsent words",
        "Ivy's note",
        "Ivy asks to end",
    ):
        assert theirs_only not in everything
    assert data["authority_end_requests"] == []
    [sign_in] = data["portal_sign_ins"]
    [dispute] = sign_in["unsent_dispute"]
    assert (dispute["what_you_wrote"], dispute["entry_logged"], dispute["category"]) == (
        "Mine",
        None,
        None,
    )
    [request] = sign_in["unsent_end_request"]
    assert (request["what_you_wrote"], request["representative"]) == ("Also mine", None)


def test_a_sign_in_attempt_that_matched_nobody_is_never_in_the_export(
    client, signed_in_supervisor, resident
):
    assert give_details(client, resident.reference, "1/1/1960").status_code == 302
    unmatched = db.session.scalar(select(PortalSession))
    assert unmatched.resident_id is None
    _added_sign_in(None, resident.phones[0].number)

    html, data, _ = produce(signed_in_supervisor, resident.id)

    assert data["portal_sign_ins"] == []
    section = html.split(f'id="{ExportSection.PORTAL_SIGN_INS.value}"')[1]
    assert "Nothing recorded." in section
    exported = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "subject_access.exported")
    )
    assert exported.detail["sections"][ExportSection.PORTAL_SIGN_INS.value] == 0


def test_a_request_to_end_a_legal_authority_shows_its_status_and_the_decision(
    signed_in_supervisor, resident, lpa, supervisor
):
    asked = authority_ends.ask_to_end(lpa, NOTE, clock.now())
    authority_ends.decide(
        asked,
        AuthorityEndStatus.KEPT,
        Checks(spoke_alone=True, told_holder=False, told_issuer=False),
        REASON_KEPT,
        supervisor,
        clock.now(),
    )
    deputyship, _ = factories.make_permission(
        resident, name="Chris Okafor", kind=PermissionKind.DEPUTYSHIP
    )
    waiting = authority_ends.ask_to_end(deputyship, "", clock.now())

    html, data, _ = produce(signed_in_supervisor, resident.id)

    decided, still_waiting = data["authority_end_requests"]
    assert decided["request_number"] == asked.id
    assert decided["representative"] == "Dana Okafor"
    assert decided["kind"] == "Lasting Power of Attorney (property and financial)"
    assert decided["your_statement"] == NOTE
    assert decided["status"] == AuthorityEndStatus.KEPT.label
    assert decided["decided"] is not None
    assert decided["decision_reason"] == REASON_KEPT
    assert not {"spoke_alone", "told_holder", "told_issuer", "decided_by"} & set(decided)
    assert supervisor.name not in _everything(html, data)
    assert still_waiting["request_number"] == waiting.id
    assert still_waiting["status"] == AuthorityEndStatus.WAITING.label
    assert (still_waiting["decided"], still_waiting["decision_reason"]) == (None, None)
    section = html.split(f'id="{ExportSection.AUTHORITY_END_REQUESTS.value}"')[1]
    assert "Reason for our decision" in section
    assert REASON_KEPT in section
    assert "Kept in force" in section


def test_an_export_gathered_before_the_portals_sections_were_added_finishes_with_them(
    resident, supervisor, drafts
):
    export = _export_started(resident, supervisor)
    # Gathered up to the last section there was before: the phone numbers came next.
    before = rules.SECTIONS[: rules.SECTIONS.index(ExportSection.PHONE_NUMBERS)]
    export.progress = len(before)
    export.counts = {section.value: 0 for section in before}
    db.session.commit()

    for _ in range(3):
        service.gather_next_section(export, clock.now())

    db.session.refresh(export)
    assert export.status is ExportStatus.READY
    assert export.progress == len(rules.SECTIONS)
    assert export.counts[ExportSection.PHONE_NUMBERS.value] == 0
    assert export.counts[ExportSection.AUTHORITY_END_REQUESTS.value] == 0
    assert export.counts[ExportSection.PORTAL_SIGN_INS.value] == 1


def test_sign_ins_removed_by_the_retention_schedule_leave_the_section_empty(
    signed_in_supervisor, resident, drafts
):
    later = clock.now() + timedelta(days=10 * 365)
    # The entry the unsent dispute was about goes first: the draft is still shown.
    retention.purge_batch(RetainedKind.ENTRIES, later)
    _, data, _ = produce(signed_in_supervisor, resident.id)
    [dispute] = data["portal_sign_ins"][0]["unsent_dispute"]
    assert (dispute["what_you_wrote"], dispute["entry_logged"]) == (STATEMENT, None)

    retention.purge_batch(RetainedKind.PORTAL_SIGN_INS, later)
    html, data, _ = produce(signed_in_supervisor, resident.id)

    assert data["entries"] == []
    assert data["portal_sign_ins"] == []
    section = html.split(f'id="{ExportSection.PORTAL_SIGN_INS.value}"')[1]
    assert "Nothing recorded." in section
    assert STATEMENT not in _everything(html, data)
    assert db.session.scalar(select(SubjectAccessExport.id)) is not None


def test_an_export_ready_before_the_portals_sections_were_added_downloads_with_them(
    resident, supervisor, drafts
):
    export = _export_started(resident, supervisor)
    export.progress = rules.SECTIONS.index(ExportSection.PHONE_NUMBERS) + 1
    export.status = ExportStatus.READY
    db.session.commit()

    downloaded = service.download(export, supervisor, clock.now())

    data = json.loads(downloaded.data_json)
    assert data["portal_sign_ins"][0]["unsent_dispute"][0]["what_you_wrote"] == STATEMENT
    assert data["authority_end_requests"] == []
    assert [section.key for section in downloaded.sections][-2:] == [
        ExportSection.AUTHORITY_END_REQUESTS.value,
        ExportSection.PORTAL_SIGN_INS.value,
    ]


def test_an_export_ready_before_the_portals_sections_were_added_says_they_come_with_the_download(
    signed_in_supervisor, resident
):
    export = _export_started(resident, signed_in_supervisor.user)
    export.progress = rules.SECTIONS.index(ExportSection.PHONE_NUMBERS) + 1
    export.status = ExportStatus.READY
    db.session.commit()

    page = signed_in_supervisor.get(f"/subject-access/exports/{export.id}").get_data(as_text=True)

    for section in (ExportSection.AUTHORITY_END_REQUESTS, ExportSection.PORTAL_SIGN_INS):
        assert f"{section.label}: gathered when the export is downloaded" in page
    assert f"{ExportSection.PHONE_NUMBERS.label}: gathered (0 items)" in page
    assert ": waiting" not in page
