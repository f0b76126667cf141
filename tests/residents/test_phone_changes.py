"""Numbers on file changed outside a call: by a supervisor only, from written evidence with a
reason, audited; the new number held, the old one told, the history kept
(docs/rules.md rule 3, "Numbers on file")."""

from datetime import UTC, datetime
from html import unescape

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, OutboxMessage, ResidentPhone, ResidentPhoneChange
from app.rules import phone_changes as rules
from app.rules.phone_changes import PhoneChangeKind
from app.rules.vocabulary import MessageKind, Role
from app.services import phones
from tests import factories
from tests.helpers import clock_stopped_at, csrf_token, error_page, hidden_inputs

NOW = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
OLD, NEW = "+447700900123", "+447700900777"
REASON = "The resident sent a signed change of details form"
EVIDENCE = "FORM-2026-0042"


_stopped_clock = clock_stopped_at(NOW)


def _phone_id(resident, number: str = OLD) -> int:
    return db.session.scalar(
        select(ResidentPhone.id).where(
            ResidentPhone.resident_id == resident.id, ResidentPhone.number == number
        )
    )


def _pages(resident) -> dict[str, str]:
    base = f"/residents/{resident.id}/phone-numbers"
    phone_id = _phone_id(resident)
    return {
        "list": base,
        "add": f"{base}/add",
        "change": f"{base}/{phone_id}/change",
        "remove": f"{base}/{phone_id}/remove",
    }


def _submit(client, path: str, **fields):
    """Post the page's form as a browser would: its hidden fields, then what was typed."""
    page = client.get(path).get_data(as_text=True)
    data = {"reason": REASON, "evidence": EVIDENCE, **hidden_inputs(page), **fields}
    return client.post(path, data=data)


def _forged(client, path: str, resident):
    """Open the page, then post a whole change to it without its form: what someone sends
    who may not see the page, or who changed the id in it. (shown, posted)"""
    shown = client.get(path)
    posted = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, "/"),
            "seen": phones.numbers_version(resident.id),
            "number": "07700 900777",
            "label": "mobile",
            "reason": REASON,
            "evidence": EVIDENCE,
        },
    )
    return shown, posted


def _on_file(resident) -> list[tuple[str, str, datetime | None]]:
    db.session.expire_all()
    return [
        tuple(row)
        for row in db.session.execute(
            select(ResidentPhone.number, ResidentPhone.label, ResidentPhone.added_at)
            .where(ResidentPhone.resident_id == resident.id)
            .order_by(ResidentPhone.id)
        )
    ]


def _history() -> list[ResidentPhoneChange]:
    return list(db.session.scalars(select(ResidentPhoneChange).order_by(ResidentPhoneChange.id)))


def _told() -> list[str]:
    return list(
        db.session.scalars(
            select(OutboxMessage.to_number).where(OutboxMessage.kind == MessageKind.PHONE_CHANGED)
        )
    )


def _events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("phone.%"))))


def _nothing_written(resident, before) -> None:
    assert _on_file(resident) == before
    assert _history() == [] and _told() == [] and _events() == []


def test_a_supervisor_changes_a_number_from_written_evidence(signed_in_supervisor, resident):
    response = _submit(
        signed_in_supervisor, _pages(resident)["change"], number="07700 900777", label="mobile"
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/residents/{resident.id}/phone-numbers"
    assert _on_file(resident) == [(NEW, "mobile", NOW)]
    assert _told() == [OLD]
    [change] = _history()
    assert (change.kind, change.old_number, change.new_number) == (
        PhoneChangeKind.CHANGED,
        OLD,
        NEW,
    )
    assert (change.reason, change.evidence_reference, change.call_id) == (REASON, EVIDENCE, None)
    [event] = _events()
    assert event.action == "phone.changed"
    assert (event.staff_id, event.role) == (signed_in_supervisor.user.id, "supervisor")
    assert event.purpose == REASON
    assert event.detail["verification"] == f"supervisor, evidence: {EVIDENCE}"
    assert (event.detail["old_ending"], event.detail["new_ending"]) == ("123", "777")
    assert "900123" not in str(event.detail) and "900777" not in str(event.detail)
    page = unescape(signed_in_supervisor.get(response.headers["Location"]).get_data(as_text=True))
    assert "Mobile ending 123 changed to mobile ending 777" in page
    assert "No text codes to it until 10 December 2026 at 14:05" in page
    assert REASON in page and "Mobile ending 123" in page


def test_a_supervisor_adds_a_number_and_the_mobiles_on_file_are_told(
    signed_in_supervisor, resident
):
    _submit(signed_in_supervisor, _pages(resident)["add"], number="0116 496 0999", label="home")

    assert _on_file(resident)[-1] == ("+441164960999", "home", NOW)
    assert _told() == [OLD]
    assert _events()[0].action == "phone.added"


def test_the_remove_page_is_a_confirmation_and_nothing_goes_until_it_is_sent(
    signed_in_supervisor, resident
):
    before = _on_file(resident)

    page = unescape(signed_in_supervisor.get(_pages(resident)["remove"]).get_data(as_text=True))

    assert "The number is taken off the record at once" in page
    assert "Mobile number ending 123" in page
    _nothing_written(resident, before)

    _submit(signed_in_supervisor, _pages(resident)["remove"])

    assert _on_file(resident) == []
    assert _told() == [OLD]
    assert _events()[0].action == "phone.removed"


def test_the_numbers_page_lists_numbers_by_ending_and_their_history(signed_in_supervisor, resident):
    page = signed_in_supervisor.get(_pages(resident)["list"]).get_data(as_text=True)

    assert "Mobile number ending 123" in page
    assert "Text codes can be sent to it" in page
    assert "No changes recorded." in page
    assert "900123" not in page.replace(" ", "")


def test_the_record_page_offers_the_change_to_supervisors_only(
    signed_in_client, resident, view_record
):
    for role, offered in [(Role.SUPERVISOR, True), (Role.HANDLER, False), (Role.ADMIN, False)]:
        client = signed_in_client(role)

        page = view_record(client, resident.id).get_data(as_text=True)

        assert ("Add, change or remove a number" in page) is offered, role


@pytest.mark.parametrize("role", [Role.HANDLER, Role.ADMIN])
@pytest.mark.parametrize("page", ["list", "add", "change", "remove"])
def test_only_a_supervisor_may_change_numbers_outside_a_call(
    signed_in_client, resident, role, page
):
    client = signed_in_client(role)
    path = _pages(resident)[page]
    before = _on_file(resident)

    shown, posted = _forged(client, path, resident)

    assert shown.status_code == 403
    assert posted.status_code == (405 if page == "list" else 403)
    _nothing_written(resident, before)


@pytest.mark.parametrize("page", ["change", "remove"])
def test_another_residents_number_is_not_shown_and_is_refused(signed_in_supervisor, resident, page):
    other = factories.make_resident(forename="Olu", phones=["+447700900888"])
    path = f"/residents/{resident.id}/phone-numbers/{_phone_id(other, '+447700900888')}/{page}"
    before = _on_file(other)

    shown, posted = _forged(signed_in_supervisor, path, resident)

    assert shown.status_code == 404
    assert posted.status_code == 200
    assert rules.NOT_ON_FILE in unescape(posted.get_data(as_text=True))
    assert "888" not in posted.get_data(as_text=True)
    _nothing_written(other, before)
    assert _on_file(resident)[0][0] == OLD


def test_a_form_shown_before_another_change_is_refused(signed_in_supervisor, resident):
    stale = hidden_inputs(signed_in_supervisor.get(_pages(resident)["add"]).get_data(as_text=True))
    _submit(signed_in_supervisor, _pages(resident)["add"], number="07700 900555", label="work")

    page = unescape(
        signed_in_supervisor.post(
            _pages(resident)["add"],
            data={**stale, "number": "07700 900556", "label": "work", "reason": REASON,
                  "evidence": EVIDENCE},
        ).get_data(as_text=True)
    )  # fmt: skip

    assert rules.NUMBERS_CHANGED in page
    assert [number for number, _, _ in _on_file(resident)] == [OLD, "+447700900555"]


BAD_INPUT = {
    "no-reason": ({"reason": ""}, rules.ENTER_REASON),
    "short-reason": ({"reason": "form"}, rules.ENTER_REASON),
    "reason-with-a-full-number": ({"reason": "New mobile 07700 900777 on form"},
                                  rules.NO_FULL_NUMBERS),
    "no-evidence": ({"evidence": ""}, rules.ENTER_EVIDENCE),
    "evidence-with-a-full-number": ({"evidence": "+447700900777"}, rules.NO_FULL_NUMBERS),
    "no-number": ({"number": ""}, rules.ENTER_NUMBER),
    "not-a-uk-number": ({"number": "+33 1 23 45 67 89"}, rules.NUMBER_FORMAT),
    "no-kind": ({"label": ""}, rules.SELECT_LABEL),
    "already-on-file": ({"number": "07700 900123"}, rules.ALREADY_ON_FILE),
}  # fmt: skip


@pytest.mark.parametrize(("fields", "error"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_written(
    signed_in_supervisor, resident, fields, error
):
    before = _on_file(resident)

    response = _submit(
        signed_in_supervisor,
        _pages(resident)["add"],
        **{"number": "07700 900777", "label": "mobile", **fields},
    )

    assert error in error_page(response)
    _nothing_written(resident, before)


def test_pages_with_numbers_are_never_cached(signed_in_supervisor, resident):
    for path in _pages(resident).values():
        assert signed_in_supervisor.get(path).headers["Cache-Control"] == "no-store"


def test_the_service_refuses_anyone_but_a_supervisor(resident, handler):
    admin = factories.make_staff(Role.ADMIN)
    before = _on_file(resident)

    for staff in (handler, admin):
        with pytest.raises(Exception, match="Only a supervisor"):
            phones.change_by_supervisor(
                resident.id,
                rules.ChangeAsked(_phone_id(resident), NEW, rules.PhoneLabel.MOBILE, seen="0"),
                staff,
                REASON,
                EVIDENCE,
                now=clock.now(),
            )

    _nothing_written(resident, before)
