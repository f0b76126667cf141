"""Numbers on file changed on a call: only for the resident verified on this call, each post
checked again under the call's lock; the new number held from text codes, the old one told, the
history kept, the audit log given last digits only (docs/rules.md rule 3, "Numbers on file")."""

import json
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import (
    AuditEvent,
    OutboxMessage,
    PortalSession,
    ResidentPhone,
    ResidentPhoneChange,
    TextCode,
)
from app.rules import phone_changes as rules
from app.rules.phone_changes import PhoneChangeKind
from app.rules.vocabulary import MessageKind, MessageStatus, Role
from app.services import inbound_calls, outbox, search, waiting_calls
from tests import factories
from tests.calls.conftest import CallDriver
from tests.helpers import csrf_token
from tests.portal.helpers import console_code, give_code, give_details

NOW = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
OLD = "+447700900123"  # the `resident` fixture's mobile
NEW = "+447700900777"


@pytest.fixture(autouse=True)
def _stopped_clock():
    clock.set_now(NOW)


def _verified(call: CallDriver, resident) -> CallDriver:
    call.resident_calls_about(resident)
    call.verify(date_of_birth="14/3/1948", postcode="LE1 5AB")
    return call


@pytest.fixture
def verified_call(signed_in_handler, start_call, resident) -> CallDriver:
    """A handler's call on which the caller is verified as the resident by their answers."""
    return _verified(start_call(signed_in_handler), resident)


def _phone_id(resident, number: str = OLD) -> int:
    return db.session.scalar(
        select(ResidentPhone.id).where(
            ResidentPhone.resident_id == resident.id, ResidentPhone.number == number
        )
    )


def _add(call, number="07700 900777", label="mobile", **kwargs):
    data = {"add-number-number": number, "add-number-label": label}
    return call.post("/phones/add", data, **kwargs)


def _change(call, phone_id, number="07700 900777", label="mobile", **kwargs):
    data = {
        "change-number-phone": str(phone_id),
        "change-number-number": number,
        "change-number-label": label,
    }
    return call.post("/phones/change", data, **kwargs)


def _remove(call, phone_id, confirmed: bool = True, **kwargs):
    data = {"remove-number-phone": str(phone_id)}
    if confirmed:
        data["remove-number-confirmed"] = "yes"
    return call.post("/phones/remove", data, **kwargs)


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _on_file(resident) -> list[tuple[str, str, datetime | None]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(ResidentPhone.number, ResidentPhone.label, ResidentPhone.added_at)
        .where(ResidentPhone.resident_id == resident.id)
        .order_by(ResidentPhone.id)
    )
    return [tuple(row) for row in rows]


def _history() -> list[ResidentPhoneChange]:
    return list(db.session.scalars(select(ResidentPhoneChange).order_by(ResidentPhoneChange.id)))


def _told() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == MessageKind.PHONE_CHANGED)
            .order_by(OutboxMessage.id)
        )
    )


def _phone_events() -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("phone.%")).order_by(AuditEvent.id)
        )
    )


def _nothing_written(resident, before) -> None:
    assert _on_file(resident) == before
    assert _history() == []
    assert _told() == []
    assert _phone_events() == []


# ---- What a verified resident may do ------------------------------------------------------


def test_a_verified_resident_changes_their_number_the_old_one_is_told_and_history_kept(
    verified_call, resident, signed_in_handler
):
    response = _change(verified_call, _phone_id(resident))

    assert response.status_code == 302
    assert response.headers["Location"].endswith("#phones")
    assert _on_file(resident) == [(NEW, "mobile", NOW)]
    [change] = _history()
    assert (change.kind, change.old_number, change.new_number) == (
        PhoneChangeKind.CHANGED,
        OLD,
        NEW,
    )
    assert change.staff_id == signed_in_handler.user.id
    assert change.call_id == verified_call.id
    assert change.verification == "answers: date of birth, postcode"
    [told] = _told()
    assert told.to_number == OLD  # no longer on file, and still where the text goes
    assert told.status is MessageStatus.PENDING
    assert told.body == (
        "City Council: The phone number on your council record was changed on "
        "3 December 2026. If you did not ask for this, call the phone number on our website"
    )
    page = _text(signed_in_handler.get(response.headers["Location"]))
    assert "Mobile ending 123 changed to mobile ending 777" in page
    assert "Text codes can go to it from 14:05 on 10 December 2026" in page


def test_the_text_to_the_old_number_is_sent_once_it_has_left_the_file(verified_call, resident):
    _change(verified_call, _phone_id(resident))

    done = outbox.send_all_due()

    [told] = _told()
    assert done.sent == 1
    assert (told.to_number, told.status) == (OLD, MessageStatus.SENT)
    assert OLD not in [number for number, _, _ in _on_file(resident)]


def test_the_change_is_audited_with_who_on_what_verification_and_last_digits_only(
    verified_call, resident, signed_in_handler
):
    _change(verified_call, _phone_id(resident))

    [event] = _phone_events()
    assert event.action == "phone.changed"
    assert event.staff_id == signed_in_handler.user.id
    assert event.role == "handler"
    assert event.call_id == verified_call.id
    assert event.resident_id == resident.id
    assert event.detail["verification"] == "answers: date of birth, postcode"
    assert (event.detail["old_ending"], event.detail["new_ending"]) == ("123", "777")
    for stored in db.session.scalars(select(AuditEvent)):
        written = json.dumps(stored.detail) + (stored.purpose or "")
        assert "900123" not in written and "900777" not in written


def test_a_change_by_a_resident_verified_by_a_text_code_says_which_number_it_went_to(
    signed_in_handler, start_call, resident
):
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)
    call.post("/text-code", {"text-phone": str(_phone_id(resident))})
    call.post("/verify", {"code-code": console_code()})

    _change(call, _phone_id(resident))

    [event] = _phone_events()
    assert event.detail["verification"] == "text code to number ending 123"
    assert _history()[0].verification == "text code to number ending 123"


def test_adding_a_number_tells_the_mobiles_already_on_file_and_holds_the_new_one(
    signed_in_handler, start_call
):
    resident = factories.make_resident(phones=["+447700900123", "+447700900124", "+441164960123"])
    home = db.session.get(ResidentPhone, _phone_id(resident, "+441164960123"))
    home.label = "home"
    db.session.commit()
    call = _verified(start_call(signed_in_handler), resident)

    page = _text(_add(call, "0116 496 0999", "home", htmx=True))

    assert "Home ending 999 added" in page
    assert "This number was put on file on 3 December; codes can go to it from 14:05" in page
    assert _on_file(resident)[-1] == ("+441164960999", "home", NOW)
    assert sorted(message.to_number for message in _told()) == ["+447700900123", "+447700900124"]
    assert _history()[0].kind is PhoneChangeKind.ADDED


def test_removing_a_number_asks_first_and_changes_nothing_until_confirmed(verified_call, resident):
    before = _on_file(resident)

    asked = _text(_remove(verified_call, _phone_id(resident), confirmed=False))

    assert "Remove the mobile number ending 123?" in asked
    _nothing_written(resident, before)

    _remove(verified_call, _phone_id(resident))

    assert _on_file(resident) == []
    assert [message.to_number for message in _told()] == [OLD]
    assert "removed from your council record" in _told()[0].body
    assert _history()[0].kind is PhoneChangeKind.REMOVED


def test_relabelling_keeps_when_the_number_was_put_on_file_and_tells_nobody(
    verified_call, resident
):
    [(_, _, put_on_file)] = _on_file(resident)

    page = _text(_change(verified_call, _phone_id(resident), number="", label="work", htmx=True))

    assert "Mobile ending 123 is now a work number" in page
    assert _on_file(resident) == [(OLD, "work", put_on_file)]
    assert _told() == []
    assert _phone_events()[0].action == "phone.relabelled"


def test_an_htmx_change_answers_with_the_steps_and_asks_the_record_panel_to_refresh(
    verified_call, resident
):
    response = _change(verified_call, _phone_id(resident), htmx=True)

    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "call-changed"
    assert 'role="status">Mobile ending 123 changed to mobile ending 777' in _text(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_numbers_step_is_offered_only_once_the_resident_is_verified(resident_calling, resident):
    assert 'id="phones"' not in resident_calling.page()

    resident_calling.verify(date_of_birth="14/3/1948", postcode="LE1 5AB")
    page = resident_calling.page()

    assert 'id="phones"' in page
    assert "Mobile number ending 123" in page
    assert "900123" not in page.replace(" ", "").split('id="phones"')[1]


# ---- The hold, on the next call and in the portal -----------------------------------------


def test_the_text_code_step_shows_the_hold_on_a_changed_number_and_no_code_goes(
    verified_call, resident, signed_in_handler, start_call
):
    _change(verified_call, _phone_id(resident))
    verified_call.end()
    clock.set_now(NOW + timedelta(minutes=10))
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)

    page = _text(call.client.get(call.url))
    refused = _text(call.post("/text-code", {"text-phone": str(_phone_id(resident, NEW))}))

    held = (
        "This number was put on file on 3 December; codes can go to it from 14:05 on "
        "10 December. Use the questions"
    )
    assert held in page.split('id="verify"')[1]
    assert held in refused
    assert db.session.scalar(select(func.count()).select_from(TextCode)) == 0


def test_a_number_changed_back_is_held_again_from_the_change_back(verified_call, resident):
    _change(verified_call, _phone_id(resident))
    clock.set_now(NOW + timedelta(minutes=10))

    _change(verified_call, _phone_id(resident, NEW), number="07700 900123")

    assert _on_file(resident) == [(OLD, "mobile", NOW + timedelta(minutes=10))]
    assert [message.to_number for message in _told()] == [OLD, NEW]


def test_the_portal_sends_no_code_to_a_number_changed_lately(verified_call, resident, client):
    _change(verified_call, _phone_id(resident))

    give_details(client, resident.reference)

    session = db.session.scalar(select(PortalSession).order_by(PortalSession.id.desc()))
    assert session.resident_id == resident.id
    assert session.provider is None and session.phone_number is None


# ---- Found by the new number at once, never by the old ----------------------------------


def test_a_changed_number_finds_the_record_at_once_and_the_old_one_no_longer(
    verified_call, resident, handler
):
    _change(verified_call, _phone_id(resident))

    found_new = search.find_residents("07700 900777", staff_id=handler.id)
    found_old = search.find_residents("07700 900123", staff_id=handler.id)

    assert [match.resident_id for match in found_new.matches] == [resident.id]
    assert found_old.matches == []


def test_the_screen_pop_hints_at_the_record_by_the_new_number_only(verified_call, resident):
    _change(verified_call, _phone_id(resident))
    for sid, number in enumerate((NEW, OLD)):
        inbound_calls.record_inbound_call(f"CA{sid:032x}", number)

    waiting = {call.caller_number: call.hints for call in waiting_calls.waiting_calls().calls}

    assert [hint.name for hint in waiting[NEW]] == ["Margaret Okafor"]
    assert waiting[OLD] == []


# ---- Attacks: posted when the page would never offer it -----------------------------------

POSTS = {
    "add": lambda call, phone_id: _add(call),
    "change": lambda call, phone_id: _change(call, phone_id),
    "remove": lambda call, phone_id: _remove(call, phone_id),
}


@pytest.mark.parametrize("post", POSTS.values(), ids=POSTS.keys())
def test_a_caller_not_verified_changes_nothing(resident_calling, resident, post):
    before = _on_file(resident)

    page = _text(post(resident_calling, _phone_id(resident)))

    assert rules.NOT_VERIFIED in page
    _nothing_written(resident, before)


@pytest.mark.parametrize("post", POSTS.values(), ids=POSTS.keys())
def test_a_verification_that_lapsed_changes_nothing(verified_call, resident, post):
    before = _on_file(resident)
    clock.set_now(NOW + timedelta(minutes=21))

    page = _text(post(verified_call, _phone_id(resident)))

    assert rules.NOT_VERIFIED in page
    _nothing_written(resident, before)


@pytest.mark.parametrize("caller", ["neighbour", "representative"])
def test_someone_calling_for_the_resident_changes_nothing(
    signed_in_handler, start_call, resident, caller
):
    call = start_call(signed_in_handler)
    call.select(resident)
    if caller == "representative":
        permission, passcode = factories.make_permission(resident)
        call.post(
            "/caller",
            {"caller-caller_type": "representative", "caller-permission_id": str(permission.id)},
        )
        call.post("/verify", {"rep-passcode": passcode})
    else:
        call.caller("third-party", name="Pat", relationship="neighbour")
    before = _on_file(resident)

    page = _text(_change(call, _phone_id(resident)))

    assert rules.NOT_VERIFIED in page
    _nothing_written(resident, before)


@pytest.mark.parametrize("post", [POSTS["change"], POSTS["remove"]], ids=["change", "remove"])
def test_another_residents_number_is_refused(verified_call, resident, post):
    other = factories.make_resident(forename="Olu", phones=["+447700900888"])
    before = _on_file(other)

    page = _text(post(verified_call, _phone_id(other, "+447700900888")))

    assert rules.NOT_ON_FILE in page
    _nothing_written(other, before)
    assert _on_file(resident)[0][0] == OLD


@pytest.mark.parametrize("post", POSTS.values(), ids=POSTS.keys())
def test_another_handlers_call_is_not_found(verified_call, resident, signed_in_client, post):
    intruder = signed_in_client(Role.HANDLER)
    intruder_call = CallDriver(intruder)
    intruder_call.url = verified_call.url  # the verified call, from another handler's browser
    before = _on_file(resident)

    response = post(intruder_call, _phone_id(resident))

    assert response.status_code == 404
    _nothing_written(resident, before)


def test_a_form_shown_for_one_record_is_never_made_on_another(
    signed_in_handler, start_call, resident
):
    other = factories.make_resident(forename="Olu", phones=["+447700900888"])
    call = _verified(start_call(signed_in_handler), resident)
    shown_for = f"{resident.id}:resident:"
    _verified(call, other)  # the call moved on, and the caller was verified for Olu
    before = _on_file(other)

    page = _text(
        call.post(
            "/phones/change",
            {
                "change-number-shown_for": shown_for,
                "change-number-phone": str(_phone_id(other, "+447700900888")),
                "change-number-number": "07700 900777",
                "change-number-label": "mobile",
            },
        )
    )

    assert rules.STALE_FORM in page
    _nothing_written(other, before)


def test_a_form_shown_before_the_numbers_changed_is_refused(verified_call, resident):
    seen = {"change-number-seen": "0", "add-number-seen": "0"}
    _change(verified_call, _phone_id(resident))

    page = _text(verified_call.post("/phones/add", {
        **seen, "add-number-number": "07700 900555", "add-number-label": "mobile",
    }))  # fmt: skip

    assert rules.NUMBERS_CHANGED in page
    assert _on_file(resident) == [(NEW, "mobile", NOW)]
    assert len(_history()) == 1


# ---- Bad input: a message next to the field, never a 500, never half-written --------------

BAD_INPUT = {
    "no-number": (lambda call, pid: _add(call, ""), "Enter the phone number"),
    "not-a-number": (lambda call, pid: _add(call, "call me"), rules.NUMBER_FORMAT),
    "a-digit-short": (lambda call, pid: _add(call, "07700 90012"), rules.NUMBER_FORMAT),
    "abroad": (lambda call, pid: _add(call, "+1 202 555 0143"), rules.NUMBER_FORMAT),
    "too-long": (lambda call, pid: _add(call, "0" * 31), "30 characters or fewer"),
    "no-kind": (lambda call, pid: _add(call, label=""), rules.SELECT_LABEL),
    "unknown-kind": (lambda call, pid: _add(call, label="fax"), rules.SELECT_LABEL),
    "already-on-file": (lambda call, pid: _add(call, "07700 900123"), rules.ALREADY_ON_FILE),
    "no-number-chosen": (lambda call, pid: _change(call, ""), rules.SELECT_NUMBER),
    "not-an-id": (lambda call, pid: _change(call, "abc"), rules.SELECT_NUMBER),
    "a-negative-id": (lambda call, pid: _remove(call, "-1"), rules.SELECT_NUMBER),
    "an-id-too-big": (lambda call, pid: _remove(call, "9" * 30), rules.NOT_ON_FILE),
    "nothing-to-change": (
        lambda call, pid: _change(call, pid, "", "mobile"), rules.NOTHING_TO_CHANGE
    ),
}  # fmt: skip


@pytest.mark.parametrize(("post", "error"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_shown_next_to_its_field_and_changes_nothing(
    verified_call, resident, post, error
):
    before = _on_file(resident)

    response = post(verified_call, _phone_id(resident))

    assert response.status_code == 200
    page = _text(response)
    assert error in page
    assert "govuk-error-message" in page
    _nothing_written(resident, before)


# ---- A code sent to a number leaves the file with it -------------------------------------


def test_a_code_sent_to_the_old_number_no_longer_verifies_once_the_number_changed(
    signed_in_handler, start_call, verified_call, resident
):
    blagger = start_call(signed_in_handler, "07700 900555")
    blagger.resident_calls_about(resident)
    blagger.post("/text-code", {"text-phone": str(_phone_id(resident))})
    code = console_code()

    _change(verified_call, _phone_id(resident))
    # Posted as a page kept from before the change would post it.
    checked = blagger.post("/verify", {"code-code": code, **blagger.hidden_now(("code-",))})

    assert "No code has been sent" in _text(checked)
    assert db.session.scalar(select(TextCode.status)).value == "replaced"
    assert "May discuss" not in blagger.record_fragment()


def test_a_portal_code_sent_to_the_old_number_signs_nobody_in_once_it_changed(
    verified_call, resident, client
):
    give_details(client, resident.reference)
    code = console_code()

    _change(verified_call, _phone_id(resident))
    signed_in = client.post(
        "/portal/code", data={"code": code, "csrf_token": csrf_token(client, "/portal/code")}
    )

    assert signed_in.status_code == 200
    assert "The code is not right" in _text(signed_in)
    assert db.session.scalar(select(PortalSession.status)).value == "ended"


def test_a_portal_session_signed_in_on_the_old_number_ends_with_the_change(
    verified_call, resident, client
):
    give_details(client, resident.reference)
    give_code(client, console_code())
    assert client.get("/portal/your-record").status_code == 200

    _change(verified_call, _phone_id(resident))

    assert client.get("/portal/your-record").status_code == 302
