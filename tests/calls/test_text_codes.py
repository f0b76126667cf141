"""A code sent by text to a number on file, read back by the caller: with the console backend
and with a fake Twilio (Verify and Lookup). Nothing here reaches the network."""

import logging
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import (
    Call,
    OutboxMessage,
    Permission,
    Resident,
    ResidentPhone,
    TextCode,
    VerificationAttempt,
)
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import (
    MessageKind,
    RepresentativeCheck,
    Role,
    TextCodeProvider,
    TextCodeStatus,
    VerificationResult,
)
from tests import factories
from tests.helpers import hidden_inputs, text_in_database
from tests.telephony.fake_twilio import APPROVED_CODE

VERIFY_SID = "VA" + "0" * 32


def _call_row(call) -> Call:
    db.session.expire_all()
    return db.session.get(Call, call.id)


def _phone_id(resident) -> str:
    return str(
        db.session.scalar(select(ResidentPhone.id).where(ResidentPhone.resident_id == resident.id))
    )


def _send(call, choice) -> str:
    return unescape(call.post("/text-code", {"text-phone": choice}).get_data(as_text=True))


def _code_sent_to_resident(call, resident):
    """`call` from the resident, sent a code to their number on file."""
    call.resident_calls_about(resident)
    _send(call, _phone_id(resident))
    return call


def _read_back(call, code) -> str:
    return unescape(call.post("/verify", {"code-code": code}).get_data(as_text=True))


def _console_code() -> str:
    body = db.session.scalar(
        select(OutboxMessage.body)
        .where(OutboxMessage.kind == MessageKind.TEXT_CODE)
        .order_by(OutboxMessage.id.desc())
    )
    return re.search(r"\d{6}", body).group()


def _codes_sent() -> int:
    return db.session.scalar(select(func.count()).select_from(TextCode))


def _attempts(result=None) -> int:
    query = select(func.count()).select_from(VerificationAttempt)
    if result is not None:
        query = query.where(VerificationAttempt.result == result)
    return db.session.scalar(query)


@pytest.fixture
def sms_permission(resident):
    """A representative checked by a code to their own phone, on file for a month."""
    permission, _ = factories.make_permission(resident)
    permission.verification_method = RepresentativeCheck.SMS
    permission.created_at = clock.now() - timedelta(days=30)
    db.session.commit()
    return permission


@pytest.fixture
def representative_calling(signed_in_handler, start_call, sms_permission):
    """A call on which the caller says they are the representative checked by text."""
    call = start_call(signed_in_handler)
    _as_representative(call, sms_permission)
    return call


def _as_representative(call, permission):
    call.select(db.session.get(Permission, permission.id).resident)
    return call.post(
        "/caller",
        {"caller-caller_type": "representative", "caller-permission_id": str(permission.id)},
    )


# ---- Console backend -----------------------------------------------------------------------


def test_a_resident_is_verified_by_a_code_sent_to_their_number_on_file(resident_calling, resident):
    page = resident_calling.page()
    assert "Number ending 123" in page
    assert "900123" not in page

    sent = _send(resident_calling, _phone_id(resident))
    code = _console_code()
    page = _read_back(resident_calling, code)

    assert "Code sent by text to the number ending 123" in sent
    assert "Verified" in page
    assert _call_row(resident_calling).verified_as is VerifiedAs.RESIDENT
    stored = db.session.scalar(select(TextCode))
    assert stored.status is TextCodeStatus.APPROVED
    assert stored.phone_number == "+447700900123"
    assert code not in stored.code_hash
    attempt = db.session.scalar(select(VerificationAttempt))
    assert attempt.factors_matched == "sms-code"


def test_the_console_code_shows_on_the_messages_page_and_is_never_sent(
    signed_in_client, start_call, resident
):
    supervisor = signed_in_client(Role.SUPERVISOR)
    call = start_call(supervisor)
    call.resident_calls_about(resident)

    _send(call, _phone_id(resident))
    messages = supervisor.get("/messages").get_data(as_text=True)

    assert _console_code() in messages
    assert "900123" not in messages
    assert db.session.scalar(select(OutboxMessage.status)).value == "sent"


def test_a_wrong_code_is_a_failed_attempt_towards_the_lock(signed_in_handler, start_call, resident):
    call = _code_sent_to_resident(start_call(signed_in_handler), resident)

    page = _read_back(call, "000000" if _console_code() != "000000" else "111111")

    assert "No match" in page
    assert _attempts(VerificationResult.FAILED) == 1
    assert _call_row(call).verified_as is VerifiedAs.NOBODY


def test_wrong_codes_lock_phone_verification_like_wrong_answers(resident_calling, resident):
    resident_calling.verify(date_of_birth="1 1 1950")
    _send(resident_calling, _phone_id(resident))
    wrong = "000000" if _console_code() != "000000" else "111111"

    _read_back(resident_calling, wrong)
    _read_back(resident_calling, wrong)
    refused_send = _send(resident_calling, _phone_id(resident))
    right_after_lock = _read_back(resident_calling, _console_code())

    assert _attempts(VerificationResult.FAILED) == 3
    assert "locked" in refused_send.lower()
    assert _codes_sent() == 1
    assert _call_row(resident_calling).verified_as is VerifiedAs.NOBODY
    assert "locked" in right_after_lock.lower()


def test_a_code_is_spent_after_its_checks(
    app, monkeypatch, signed_in_handler, start_call, resident
):
    config = app.config
    monkeypatch.setitem(config, "LOCKOUT_POLICY", {**config["LOCKOUT_POLICY"], "max_failures": 9})
    monkeypatch.setitem(config, "TEXT_CODE_POLICY", {**config["TEXT_CODE_POLICY"], "max_checks": 2})
    call = _code_sent_to_resident(start_call(signed_in_handler), resident)
    code = _console_code()
    wrong = "000000" if code != "000000" else "111111"

    _read_back(call, wrong)
    shown = _read_back(call, wrong)
    page = unescape(
        call.post(
            "/verify", {"code-code": code, "code-shown_for": f"{resident.id}:resident:"}
        ).get_data(as_text=True)
    )

    assert "checked 2 times and no longer works. Send a new code." in shown
    assert 'name="code-code"' not in shown
    assert "no longer works" in page
    assert _attempts(VerificationResult.FAILED) == 2
    assert db.session.scalar(select(TextCode.status)) is TextCodeStatus.SPENT
    assert _call_row(call).verified_as is VerifiedAs.NOBODY


def test_an_expired_code_is_a_failed_attempt(signed_in_handler, start_call, resident):
    call = _code_sent_to_resident(start_call(signed_in_handler), resident)
    code = _console_code()
    clock.set_now(db.session.scalar(select(TextCode.expires_at)))

    page = _read_back(call, code)

    assert "No match" in page
    assert _attempts(VerificationResult.FAILED) == 1
    assert _call_row(call).verified_as is VerifiedAs.NOBODY


def test_no_more_than_the_hourly_sends_go_to_one_resident(resident_calling, resident):
    for _ in range(3):
        _send(resident_calling, _phone_id(resident))

    page = _send(resident_calling, _phone_id(resident))

    assert "3 codes have been sent for this resident in the last hour" in page
    assert _codes_sent() == 3


def test_only_the_newest_code_works(signed_in_handler, start_call, resident):
    call = _code_sent_to_resident(start_call(signed_in_handler), resident)
    first = _console_code()
    _send(call, _phone_id(resident))
    second = _console_code()

    if first != second:
        _read_back(call, first)
        assert _call_row(call).verified_as is VerifiedAs.NOBODY
    _read_back(call, second)

    assert _call_row(call).verified_as is VerifiedAs.RESIDENT


def test_a_number_put_on_file_lately_holds_the_code(signed_in_handler, start_call, resident):
    clock.set_now(datetime(2026, 12, 5, 9, 30, tzinfo=UTC))
    phone = db.session.get(ResidentPhone, int(_phone_id(resident)))
    phone.added_at = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
    db.session.commit()
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)

    page = _send(call, _phone_id(resident))

    assert (
        "This number was put on file on 3 December; codes can go to it from 14:05 on "
        "10 December. Use the questions"
    ) in page
    assert _codes_sent() == 0


def test_a_code_for_someone_checked_by_text_with_no_code_sent_is_refused(
    resident_calling, resident
):
    page = resident_calling.post(
        "/verify", {"code-code": "123456", "code-shown_for": f"{resident.id}:resident:"}
    ).get_data(as_text=True)

    assert "Send a code first" in page
    assert _attempts() == 0


# ---- Attacks ------------------------------------------------------------------------------


def test_another_residents_phone_is_refused(signed_in_handler, start_call, resident):
    other = factories.make_resident(forename="Olu", phones=["+447700900777"])
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)

    page = _send(call, _phone_id(other))

    assert "Choose one of the numbers on file for this resident" in page
    assert "<title>Error: " in page
    assert _codes_sent() == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.parametrize(
    "typed",
    ["+447700900999", "07700 900999", "holder", ""],
    ids=["e164", "national", "holder", "blank"],
)
def test_a_number_not_on_file_is_refused(resident_calling, typed):
    response = resident_calling.post("/text-code", {"text-phone": typed})

    assert response.status_code == 200
    assert _codes_sent() == 0


def test_a_send_from_a_form_shown_for_another_record_is_refused(
    signed_in_handler, start_call, resident
):
    other = factories.make_resident(forename="Olu", phones=["+447700900777"])
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)
    stale = hidden_inputs(call.page())["text-shown_for"]
    call.resident_calls_about(other)

    page = call.post(
        "/text-code", {"text-phone": _phone_id(other), "text-shown_for": stale}
    ).get_data(as_text=True)

    assert "changed after these answers were typed" in page
    assert _codes_sent() == 0


def test_a_neighbour_cannot_be_sent_the_residents_code(call_on_record, resident):
    call_on_record.caller("third-party", name="Pat", relationship="neighbour")
    token = call_on_record.client.get(call_on_record.url).get_data(as_text=True)

    page = call_on_record.post(
        "/text-code",
        {"text-phone": _phone_id(resident), "text-shown_for": f"{resident.id}:third-party:"},
    ).get_data(as_text=True)

    assert "Send a code by text" not in token
    assert "Only a caller recorded as the resident" in page
    assert _codes_sent() == 0


def test_a_representative_checked_by_text_is_verified_by_a_code_to_their_own_number(
    representative_calling, sms_permission
):
    page = representative_calling.page()
    assert "Text codes cannot be sent" not in page
    assert "Number ending 456 (representative)" in page

    _send(representative_calling, "holder")
    verified = _read_back(representative_calling, _console_code())

    assert "Verified" in verified
    assert _call_row(representative_calling).verified_as is VerifiedAs.REPRESENTATIVE
    assert db.session.scalar(select(TextCode.phone_number)) == "+447700900456"
    assert db.session.scalar(select(TextCode.permission_id)) == sms_permission.id


def test_a_representative_cannot_send_to_the_residents_number(representative_calling, resident):
    page = _send(representative_calling, _phone_id(resident))

    assert "representative's number on file" in page
    assert _codes_sent() == 0


def test_a_representative_checked_by_passcode_is_not_sent_a_code(
    signed_in_handler, start_call, resident
):
    permission, _ = factories.make_permission(resident)
    call = start_call(signed_in_handler)
    _as_representative(call, permission)
    shown_for = f"{resident.id}:representative:{permission.id}"

    page = call.post("/text-code", {"text-phone": "holder", "text-shown_for": shown_for}).get_data(
        as_text=True
    )

    assert "does not say they are checked by text" in page
    assert _codes_sent() == 0


def test_a_representatives_code_does_not_verify_the_caller_as_the_resident(representative_calling):
    _send(representative_calling, "holder")
    code = _console_code()
    representative_calling.caller("resident")

    page = _read_back(representative_calling, code)

    assert "Nothing was checked" in page
    assert _call_row(representative_calling).verified_as is VerifiedAs.NOBODY
    assert _attempts() == 0


def test_a_residents_code_does_not_verify_a_representative(
    signed_in_handler, start_call, resident, sms_permission
):
    call = _code_sent_to_resident(start_call(signed_in_handler), resident)
    code = _console_code()
    shown_for = hidden_inputs(call.page())["code-shown_for"]  # the resident's code form
    _as_representative(call, sms_permission)

    page = unescape(
        call.post("/verify", {"code-code": code, "code-shown_for": shown_for}).get_data(
            as_text=True
        )
    )

    assert "Nothing was checked" in page
    assert _call_row(call).verified_as is VerifiedAs.NOBODY
    assert _attempts() == 0


def test_a_code_typed_before_the_record_changed_is_refused(signed_in_handler, start_call, resident):
    other = factories.make_resident(forename="Olu", phones=["+447700900777"])
    call = _code_sent_to_resident(start_call(signed_in_handler), resident)
    stale = hidden_inputs(call.page())["code-shown_for"]
    call.resident_calls_about(other)

    page = call.post("/verify", {"code-code": _console_code(), "code-shown_for": stale}).get_data(
        as_text=True
    )

    assert "changed after these answers were typed" in page
    assert _call_row(call).verified_as is VerifiedAs.NOBODY
    assert _attempts() == 0


# ---- Twilio Verify and Lookup (fake) -----------------------------------------------------


@pytest.fixture
def verify(app, fake_twilio):
    saved = {k: app.config.get(k) for k in ("TWILIO_VERIFY_SERVICE_SID", "TWILIO_LOOKUP_ENABLED")}
    app.config.update(TWILIO_VERIFY_SERVICE_SID=VERIFY_SID, TWILIO_LOOKUP_ENABLED=True)
    yield fake_twilio
    app.config.update(saved)


def test_twilio_verify_sends_and_checks_the_code(resident_calling, resident, verify):
    _send(resident_calling, _phone_id(resident))
    wrong = _read_back(resident_calling, "654321")
    right = _read_back(resident_calling, "123456")

    (sent,) = verify.sent("/Verifications")
    assert sent.data == {"To": "+447700900123", "Channel": "sms"}
    assert len(verify.sent("/VerificationCheck")) == 2
    assert len(verify.sent("lookups.twilio.com/v2/PhoneNumbers/")) == 1
    assert "No match" in wrong
    assert "Verified" in right
    assert _call_row(resident_calling).verified_as is VerifiedAs.RESIDENT
    assert db.session.scalar(select(TextCode.code_hash)) is None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"swapped_period": "PT24H"}, "SIM card for this number was changed"),
        ({"swapped_period": "PT168H"}, "SIM card for this number was changed"),
        ({"line_type": "landline"}, "cannot take texts"),
    ],
    ids=["swapped-a-day-ago", "swapped-within-a-week", "landline"],
)
def test_lookup_holds_the_code_with_the_reason(
    signed_in_handler, start_call, resident, verify, answer, reason
):
    verify.look_up_as("+447700900123", **answer)
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)

    page = _send(call, _phone_id(resident))

    assert reason in page
    assert verify.sent("/Verifications") == []
    assert _codes_sent() == 0


def test_lookup_tells_the_handler_a_forwarded_number_and_sends(
    signed_in_handler, start_call, resident, verify
):
    verify.look_up_as("+447700900123", swapped_period=None, forwarded=True)
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)

    page = _send(call, _phone_id(resident))

    assert "forwarded" in page
    assert len(verify.sent("/Verifications")) == 1


@pytest.mark.parametrize("step", ["lookup", "verification"])
def test_a_provider_timeout_on_send_sends_nothing_and_says_so(
    resident_calling, resident, verify, step
):
    if step == "verification":
        verify.respond(200, verify.lookup_of("+447700900123"))
    verify.fail_next(TimeoutError("read timed out"))

    response = resident_calling.post("/text-code", {"text-phone": _phone_id(resident)})

    assert response.status_code == 200
    assert "The text service did not answer, so no code was sent" in response.get_data(as_text=True)
    assert _codes_sent() == 0
    assert _attempts() == 0


def test_a_provider_failure_on_check_counts_nothing_against_the_resident(
    signed_in_handler, start_call, resident, verify
):
    call = _code_sent_to_resident(start_call(signed_in_handler), resident)
    verify.down = True

    response = call.post("/verify", {"code-code": "123456"})

    assert response.status_code == 200
    assert "the code was not checked and nothing was counted" in response.get_data(as_text=True)
    assert _attempts() == 0
    assert db.session.scalar(select(TextCode.checks)) == 0
    verify.down = False
    _read_back(call, "123456")
    assert _call_row(call).verified_as is VerifiedAs.RESIDENT


@pytest.mark.parametrize(
    ("status", "message", "says", "failures"),
    [(503, "Service unavailable", "nothing was counted", 0), (404, "not found", "No match", 1)],
    ids=["an-error-answer-counts-nothing", "a-code-verify-forgot-is-a-failed-attempt"],
)
def test_verifys_answer_to_a_check_decides_whether_it_counts(
    signed_in_handler, start_call, resident, verify, status, message, says, failures
):
    call = _code_sent_to_resident(start_call(signed_in_handler), resident)
    verify.respond(status, {"code": 20000 + status, "message": message, "status": status})

    page = _read_back(call, "123456")

    assert says in page
    assert _attempts() == _attempts(VerificationResult.FAILED) == failures


def test_a_permission_recorded_lately_holds_the_representatives_code(
    signed_in_handler, start_call, resident
):
    permission, _ = factories.make_permission(resident)
    permission.verification_method = RepresentativeCheck.SMS
    db.session.commit()
    call = start_call(signed_in_handler)
    _as_representative(call, permission)

    page = _send(call, "holder")

    assert "This number was put on file on " in page
    assert "; codes can go to it from " in page
    assert _codes_sent() == 0


# ---- Lookup reads fail closed (real-shaped Lookup v2 answers) -----------------------------

NUMBER = "+447700900123"


def _lookup_says(fake, **parts) -> None:
    """Lookup v2's whole answer for the resident's number, with `parts` replaced."""
    answer = fake.lookup_of(NUMBER)
    answer.update(parts)
    fake.lookups[NUMBER] = answer


def _last_swap(date=None, period=None, in_period=None) -> dict:
    return {
        "last_sim_swap": {
            "last_sim_swap_date": date,
            "swapped_period": period,
            "swapped_in_period": in_period,
        },
        "carrier_name": "Vodafone UK",
        "mobile_country_code": "234",
        "mobile_network_code": "15",
        "error_code": None,
    }


def _iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


SIM_UNKNOWN_HOLD = "Twilio could not say whether this number's SIM was changed lately, so"
LOOKUPS = {
    "swapped-3-hours-ago-with-seconds": (
        lambda: {"sim_swap": _last_swap(period="PT3H12M5S", in_period=True)},
        False,
        "SIM card for this number was changed in the last 7 days",
    ),
    "swap-package-error-code": (
        lambda: {
            "sim_swap": {
                "last_sim_swap": None,
                "carrier_name": None,
                "mobile_country_code": None,
                "mobile_network_code": None,
                "error_code": 60620,
            }
        },
        False,
        SIM_UNKNOWN_HOLD,
    ),
    "no-swap-package": (lambda: {"sim_swap": None}, False, SIM_UNKNOWN_HOLD),
    "swap-period-unreadable": (
        lambda: {"sim_swap": _last_swap(period="about a day", in_period=True)},
        False,
        SIM_UNKNOWN_HOLD,
    ),
    "swap-date-two-days-ago": (
        lambda: {"sim_swap": _last_swap(date=_iso(clock.now() - timedelta(days=2)))},
        False,
        "SIM card for this number was changed in the last 7 days",
    ),
    "swap-date-636-days-ago": (
        lambda: {
            "sim_swap": _last_swap(
                date=_iso(clock.now() - timedelta(hours=15282, minutes=33, seconds=44)),
                period="PT15282H33M44S",
                in_period=True,
            )
        },
        True,
        None,
    ),
    "call-forwarding-enabled": (
        lambda: {"call_forwarding": {"call_forwarding_enabled": True, "error_code": None}},
        True,
        "Calls to this number are forwarded elsewhere: be sure the caller is who they say",
    ),
    "call-forwarding-error-code": (
        lambda: {"call_forwarding": {"call_forwarding_status": None, "error_code": 60607}},
        True,
        "Twilio could not say whether calls to this number are forwarded",
    ),
}


@pytest.mark.parametrize(("answer", "sent", "says"), LOOKUPS.values(), ids=LOOKUPS.keys())
def test_lookups_answer_is_read_fail_closed(
    signed_in_handler, start_call, resident, verify, answer, sent, says
):
    _lookup_says(verify, **answer())
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)

    page = _send(call, _phone_id(resident))

    assert len(verify.sent("/Verifications")) == int(sent)
    assert _codes_sent() == int(sent)
    assert ("Code sent by text to the number ending 123" in page) is sent
    if says:
        assert says in page


def test_a_council_may_choose_to_be_warned_when_lookup_cannot_say(
    app, monkeypatch, signed_in_handler, start_call, resident, verify
):
    policy = {**app.config["TEXT_CODE_POLICY"], "lookup_unknown": "warn"}
    monkeypatch.setitem(app.config, "TEXT_CODE_POLICY", policy)
    _lookup_says(verify, sim_swap=None)
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)

    page = _send(call, _phone_id(resident))

    assert "Code sent by text to the number ending 123" in page
    assert (
        "Twilio could not say whether this number's SIM was changed lately: be sure the caller"
        in page
    )
    assert len(verify.sent("/Verifications")) == 1


def test_a_code_held_after_lookup_counts_towards_nothing(
    app, monkeypatch, signed_in_handler, start_call, resident, verify
):
    _lookup_says(verify, sim_swap=_last_swap(period="PT1H", in_period=True))
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)
    for _ in range(4):
        _send(call, _phone_id(resident))
    _lookup_says(verify, sim_swap=_last_swap(period="PT720H", in_period=False))

    page = _send(call, _phone_id(resident))

    assert "Code sent by text to the number ending 123" in page
    assert _codes_sent() == 1


# ---- No lock is held while a provider answers ---------------------------------------------


def test_no_database_lock_is_held_while_lookup_and_verify_answer(
    signed_in_handler, start_call, resident, verify
):
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)
    noted = verify.note_locks((Call, call.id), (Resident, resident.id))

    page = _send(call, _phone_id(resident))

    assert "Code sent by text to the number ending 123" in page
    assert len(verify.requests) == 2  # Lookup, then Verify
    assert noted == [(True, False), (True, False)]  # rows free, and no transaction open
    assert db.session.scalar(select(TextCode.status)) is TextCodeStatus.PENDING


def test_no_database_lock_or_transaction_is_held_while_verify_checks_a_code(
    signed_in_handler, start_call, resident, verify
):
    call = _code_sent_to_resident(start_call(signed_in_handler), resident)
    noted = verify.note_locks((Call, call.id), (Resident, resident.id), only="/VerificationCheck")

    page = _read_back(call, APPROVED_CODE)

    assert "Verified" in page
    assert noted == [(True, False)]  # rows free, and no transaction open
    assert _call_row(call).verified_as is VerifiedAs.RESIDENT


def test_a_code_sent_while_verify_checked_the_last_one_is_refused_and_nothing_counted(
    signed_in_handler, start_call, resident, verify
):
    call = _code_sent_to_resident(start_call(signed_in_handler), resident)

    def send_another(request) -> None:
        if request.uri.endswith("/VerificationCheck"):
            verify.while_answering = None
            _send(call, _phone_id(resident))  # another tab, while Verify answers

    verify.while_answering = send_another

    page = _read_back(call, APPROVED_CODE)

    assert "The code was not checked and nothing was counted" in page
    assert _attempts() == 0
    assert db.session.scalars(select(TextCode.checks).order_by(TextCode.id)).all() == [0, 0]
    assert _call_row(call).verified_as is VerifiedAs.NOBODY
    _read_back(call, APPROVED_CODE)
    assert _call_row(call).verified_as is VerifiedAs.RESIDENT


# ---- Production: codes come only from a real provider -------------------------------------


@pytest.fixture(params=["no-twilio", "twilio-without-verify-or-messaging"])
def production_without_provider(request, production, app):
    if request.param == "twilio-without-verify-or-messaging":
        request.getfixturevalue("fake_twilio")
        assert not app.config.get("TWILIO_VERIFY_SERVICE_SID")
        assert not app.config.get("TWILIO_MESSAGING_FROM")


@pytest.fixture
def messaging(production, app, fake_twilio, monkeypatch):
    """Production with Twilio Messaging and Lookup, and no Verify service."""
    monkeypatch.setitem(app.config, "TWILIO_MESSAGING_FROM", "MG" + "a" * 32)
    monkeypatch.setitem(app.config, "TWILIO_LOOKUP_ENABLED", True)
    return fake_twilio


@pytest.fixture
def supervisor_calling(signed_in_client, start_call, resident, caplog):
    """A supervisor, who may also read the Messages page, on a call from the resident; every
    log line kept."""
    caplog.set_level(logging.DEBUG)
    supervisor = signed_in_client(Role.SUPERVISOR)
    call = start_call(supervisor)
    call.resident_calls_about(resident)
    return supervisor, call


def test_in_production_without_a_provider_no_code_is_ever_made(
    production_without_provider, supervisor_calling, resident, caplog
):
    supervisor, call = supervisor_calling

    page = unescape(call.page())
    sent = _send(call, _phone_id(resident))
    messages = supervisor.get("/messages").get_data(as_text=True)

    assert "Text codes are not available" in page and "Use the questions." in page
    assert 'name="text-phone"' not in page
    assert "Text codes are not available" in sent
    assert 'href="#text-phone"' in sent and 'id="text-phone"' in sent
    assert "Code sent by text" not in sent
    assert _codes_sent() == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert "console text code" not in caplog.text
    assert "Verification codes are not available" in messages
    assert MessageKind.TEXT_CODE.label not in messages


def test_in_production_a_representative_checked_by_text_is_told_codes_are_not_available(
    production, representative_calling
):
    page = unescape(representative_calling.page())

    sent = _send(representative_calling, "holder")

    assert "this representative cannot be checked by text now" in page
    assert "Text codes are not available" in sent
    assert _codes_sent() == 0


def test_in_production_twilio_verify_sends_and_checks_the_code(
    production, signed_in_client, start_call, resident, verify
):
    supervisor = signed_in_client(Role.SUPERVISOR)
    call = _code_sent_to_resident(start_call(supervisor), resident)

    page = _read_back(call, APPROVED_CODE)

    assert "Verified" in page
    assert len(verify.sent("/Verifications")) == 1
    assert db.session.scalar(select(TextCode.provider)) is TextCodeProvider.TWILIO_VERIFY
    assert "sent by Twilio Verify" in supervisor.get("/messages").get_data(as_text=True)


def test_in_production_with_messaging_the_apps_own_code_is_texted_and_kept_only_as_a_hash(
    messaging, supervisor_calling, resident, caplog
):
    supervisor, call = supervisor_calling

    sent = _send(call, _phone_id(resident))
    (text,) = messaging.sent("/Messages.json")
    code = re.search(r"\b(\d{6})\b", text.data["Body"]).group(1)
    wrong = _read_back(call, "000000" if code != "000000" else "111111")
    stored = text_in_database()
    messages = supervisor.get("/messages").get_data(as_text=True)
    right = _read_back(call, code)

    assert "Code sent by text to the number ending 123" in sent
    assert text.data["To"] == NUMBER
    assert text.data["MessagingServiceSid"] == "MG" + "a" * 32
    assert "Read it to the person at the council" in text.data["Body"]
    assert "No match" in wrong
    assert "Verified" in right
    assert _call_row(call).verified_as is VerifiedAs.RESIDENT
    assert db.session.scalar(select(TextCode.provider)) is TextCodeProvider.TWILIO_MESSAGING
    assert len(db.session.scalar(select(TextCode.code_hash))) == 64
    assert code not in stored
    assert code not in text_in_database()
    assert code not in caplog.text
    assert code not in messages
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert "sent by Twilio Messaging" in messages


def test_a_text_service_that_refuses_the_code_sends_nothing_and_counts_nothing(
    messaging, resident_calling, resident
):
    messaging.respond(200, messaging.lookup_of(NUMBER))
    messaging.respond(400, {"code": 21610, "message": "Unsubscribed recipient", "status": 400})

    page = _send(resident_calling, _phone_id(resident))

    assert len(messaging.sent("/Messages.json")) == 1
    assert "The text service did not answer, so no code was sent" in page
    assert _codes_sent() == 0
