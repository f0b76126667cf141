"""The live call: "Take call" puts exactly the taken caller through to the handler's browser
(or desk number), the browser's token, hold and hang up, the line's end as Twilio tells it,
and nothing disclosed or verified after it."""

import re
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import func, select

import config
from app import clock
from app.extensions import db
from app.models import AuditEvent, Call
from app.providers import providers
from app.rules.vocabulary import Role
from app.services import inbound_calls
from tests.calls.conftest import CallDriver
from tests.helpers import csrf_token
from tests.telephony.fake_twilio import ACCOUNT_SID
from tests.telephony.test_voice_webhooks import post_signed

RIGHT_ANSWERS = {"date_of_birth": "14/3/1948", "postcode": "LE1 5AB"}
API_KEY = "SK" + "2" * 32
API_SECRET = "api-key-secret-of-thirty-two-bytes"
TWIML_APP = "AP" + "3" * 32
_sids = iter(range(1, 10_000))


def new_sid() -> str:
    return f"CA{next(_sids) + 0xABC000:032x}"


def arrive(number: str | None = "+447700900123") -> Call:
    return inbound_calls.record_inbound_call(new_sid(), number)


def take(client, call_id: int):
    return client.post(f"/calls/{call_id}/take", data={"csrf_token": csrf_token(client, "/calls")})


def line(client, call_id: int, action: str, json: bool = True):
    headers = {"Accept": "application/json"} if json else {}
    data = {"csrf_token": csrf_token(client, f"/calls/{call_id}"), "action": action}
    return client.post(f"/calls/{call_id}/line", data=data, headers=headers)


def actions(call_id: int) -> list[str]:
    stmt = select(AuditEvent.action).where(AuditEvent.call_id == call_id).order_by(AuditEvent.id)
    return list(db.session.scalars(stmt))


def fresh(call_id: int) -> Call:
    db.session.expire_all()
    return db.session.get(Call, call_id)


def status_callback(client, app, call_sid: str, status: str = "completed", **extra):
    params = {
        "CallSid": call_sid,
        "AccountSid": ACCOUNT_SID,
        "CallStatus": status,
        "CallDuration": "42",
        **extra,
    }
    return post_signed(client, app, "/twilio/voice/status", params)


@pytest.fixture
def voice_keys(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_API_KEY", API_KEY)
    monkeypatch.setitem(app.config, "TWILIO_API_SECRET", API_SECRET)
    monkeypatch.setitem(app.config, "TWILIO_TWIML_APP_SID", TWIML_APP)


# Taking a call: exactly that caller, to that handler ----------------------------------------


def test_taking_a_call_puts_exactly_that_caller_through_to_the_handlers_browser(
    fake_twilio, signed_in_handler
):
    other = arrive("+447700900999")  # waiting longer: a first-in-first-out dequeue takes it
    taken = arrive("+447700900123")

    response = take(signed_in_handler, taken.id)

    assert response.headers["Location"].endswith(f"/calls/{taken.id}")
    (moved,) = fake_twilio.sent("/Calls/")
    assert moved.method == "POST"
    assert moved.uri.endswith(f"/Calls/{taken.provider_call_sid}.json")
    assert other.provider_call_sid not in moved.uri
    twiml = moved.data["Twiml"]
    assert f"<Identity>staff-{signed_in_handler.user.id}</Identity>" in twiml
    assert f'<Parameter name="call" value="{taken.id}" />' in twiml
    assert signed_in_handler.user.email not in twiml
    assert actions(taken.id)[-2:] == ["call.taken", "line.answered"]


def test_a_handler_with_a_desk_number_is_rung_there(fake_twilio, signed_in_client):
    client = signed_in_client(Role.HANDLER, desk_number="sip:desk-4@council.sip.twilio.com")
    call = arrive()

    take(client, call.id)

    (moved,) = fake_twilio.sent("/Calls/")
    assert "<Sip>sip:desk-4@council.sip.twilio.com</Sip>" in moved.data["Twiml"]
    assert "<Client>" not in moved.data["Twiml"]


def test_a_second_click_on_take_call_moves_the_caller_once(fake_twilio, signed_in_handler):
    call = arrive()

    take(signed_in_handler, call.id)
    again = take(signed_in_handler, call.id)

    assert again.headers["Location"].endswith(f"/calls/{call.id}")
    assert len(fake_twilio.sent("/Calls/")) == 1


def test_a_second_handler_taking_the_same_call_moves_nothing(
    fake_twilio, signed_in_handler, signed_in_client
):
    call = arrive()
    take(signed_in_handler, call.id)
    other = signed_in_client(Role.HANDLER)

    response = take(other, call.id)

    assert response.headers["Location"].endswith("/calls")
    assert "Another handler has taken this call" in other.get("/calls").get_data(as_text=True)
    assert len(fake_twilio.sent("/Calls/")) == 1


@pytest.mark.parametrize("failure", ["refused", "timeout"])
def test_when_twilio_will_not_move_the_caller_the_call_waits_again_and_the_handler_is_told(
    fake_twilio, signed_in_handler, failure
):
    call = arrive()
    if failure == "refused":
        fake_twilio.respond(400, {"code": 21220, "message": "not in progress", "status": 400})
    else:
        fake_twilio.fail_next(TimeoutError("read timed out"))

    response = take(signed_in_handler, call.id)

    assert response.headers["Location"].endswith("/calls")
    page = signed_in_handler.get("/calls").get_data(as_text=True)
    assert "could not be put through to you" in page
    assert "Take call" in page  # waiting again, for anyone
    call = fresh(call.id)
    assert call.handler_id is None and call.taken_at is None
    assert actions(call.id)[-1] == "line.connect_failed"


def test_the_provider_is_asked_with_no_transaction_open_and_the_call_free(
    fake_twilio, signed_in_handler
):
    call = arrive()
    noted = fake_twilio.note_locks((Call, call.id), only="/Calls/")

    take(signed_in_handler, call.id)
    line(signed_in_handler, call.id, "hold")
    line(signed_in_handler, call.id, "resume")
    line(signed_in_handler, call.id, "hang-up")

    assert noted == [(True, False)] * 4


def test_taking_a_call_offline_asks_the_console_and_reaches_no_phone(signed_in_handler):
    call = arrive()

    take(signed_in_handler, call.id)

    console = providers().voice
    assert console.is_console
    asked = [r for r in console.asked if r.call_sid == call.provider_call_sid]
    assert [(r.action, r.target) for r in asked] == [
        ("connect-client", f"staff-{signed_in_handler.user.id}")
    ]


# Not answered: the dial's end puts the call back ------------------------------------------


def dial_ended(client, app, call: Call, status: str, call_id=None):
    path = f"/twilio/voice/dial-ended?call={call_id if call_id is not None else call.id}"
    params = {
        "CallSid": call.provider_call_sid,
        "AccountSid": ACCOUNT_SID,
        "DialCallStatus": status,
    }
    return post_signed(client, app, path, params)


def test_a_browser_that_never_answers_sends_the_call_back_to_waiting_once(
    fake_twilio, signed_in_handler, client, app
):
    call = arrive()
    take(signed_in_handler, call.id)

    first = dial_ended(client, app, call, "no-answer")
    again = dial_ended(client, app, call, "no-answer")

    assert first.status_code == again.status_code == 200
    assert "<Enqueue>" in first.get_data(as_text=True)
    assert fresh(call.id).handler_id is None
    assert actions(call.id).count("line.connect_failed") == 1


def test_an_answered_call_whose_handler_leg_ended_is_hung_up_and_stays_taken(
    fake_twilio, signed_in_handler, client, app
):
    call = arrive()
    take(signed_in_handler, call.id)

    response = dial_ended(client, app, call, "completed")

    assert "<Hangup />" in response.get_data(as_text=True)
    assert fresh(call.id).handler_id == signed_in_handler.user.id


@pytest.mark.parametrize("call_id", ["999999", "abc", "0", str(2**40)])
def test_a_dial_end_for_no_call_we_know_changes_nothing(fake_twilio, client, app, call_id):
    call = arrive()

    response = dial_ended(client, app, call, "no-answer", call_id=call_id)

    assert response.status_code == 200
    assert fresh(call.id).handler_id is None
    assert actions(call.id) == ["call.arrived"]


def test_an_unsigned_dial_end_is_refused(fake_twilio, client):
    call = arrive()
    response = client.post(
        f"/twilio/voice/dial-ended?call={call.id}",
        data={"CallSid": call.provider_call_sid, "DialCallStatus": "no-answer"},
    )

    assert response.status_code == 403


# The browser's token ----------------------------------------------------------------------


def test_the_token_lets_this_handlers_browser_answer_under_its_staff_id_for_an_hour_at_most(
    fake_twilio, voice_keys, signed_in_handler, app, monkeypatch
):
    monkeypatch.setitem(app.config, "VOICE_TOKEN_TTL_SECONDS", 7200)  # asked for too long

    response = signed_in_handler.get("/calls/voice-token")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    answer = response.get_json()
    claims = jwt.decode(answer["token"], API_SECRET, algorithms=["HS256"])
    identity = f"staff-{signed_in_handler.user.id}"
    assert answer["identity"] == claims["grants"]["identity"] == identity
    assert claims["grants"]["voice"] == {
        "incoming": {"allow": True},
        "outgoing": {"application_sid": TWIML_APP},
    }
    assert (claims["iss"], claims["sub"]) == (API_KEY, ACCOUNT_SID)
    assert claims["exp"] - claims["nbf"] <= 3600
    assert claims["exp"] - clock.now().timestamp() <= 3600 + 5
    assert answer["console"] is False
    assert signed_in_handler.user.email not in str(claims)
    assert fake_twilio.requests == []


def test_an_administrator_gets_no_token(fake_twilio, voice_keys, signed_in_admin):
    assert signed_in_admin.get("/calls/voice-token").status_code == 403


def test_without_an_api_key_the_browser_is_told_plainly(fake_twilio, signed_in_handler):
    response = signed_in_handler.get("/calls/voice-token")

    assert response.status_code == 503
    assert "not set up" in response.get_json()["error"]


def test_offline_the_console_token_says_nothing_will_ring(signed_in_handler):
    answer = signed_in_handler.get("/calls/voice-token").get_json()

    assert answer["console"] is True
    assert answer["identity"] == f"staff-{signed_in_handler.user.id}"


# Hold, resume, hang up ---------------------------------------------------------------------


@pytest.fixture
def taken_call(fake_twilio, signed_in_handler):
    call = arrive()
    take(signed_in_handler, call.id)
    fake_twilio.requests.clear()
    return call


def test_hold_plays_the_hold_message_and_resume_puts_the_caller_back_through(
    fake_twilio, signed_in_handler, taken_call, app
):
    held = line(signed_in_handler, taken_call.id, "hold")
    status = signed_in_handler.get(f"/calls/{taken_call.id}/status").get_json()
    resumed = line(signed_in_handler, taken_call.id, "resume")

    assert held.get_json() == {"held": True, "ended": False}
    assert status["line"] == {"live": True, "ended": None, "held": True}
    assert resumed.get_json() == {"held": False, "ended": False}
    hold, back = fake_twilio.sent("/Calls/")
    assert hold.uri.endswith(f"/Calls/{taken_call.provider_call_sid}.json")
    assert app.config["TWILIO_HOLD_MESSAGE"] in hold.data["Twiml"]
    assert f"<Identity>staff-{signed_in_handler.user.id}</Identity>" in back.data["Twiml"]
    assert actions(taken_call.id)[-2:] == ["line.held", "line.resumed"]


def test_hanging_up_ends_the_line_and_disclosure_with_it(
    fake_twilio, signed_in_handler, taken_call, resident
):
    driver = CallDriver.taken(signed_in_handler, taken_call.id)
    driver.resident_calls_about(resident)
    driver.verify(**RIGHT_ANSWERS)

    response = line(signed_in_handler, taken_call.id, "hang-up")

    assert response.get_json() == {"held": False, "ended": True}
    (ended,) = fake_twilio.sent("/Calls/")
    assert ended.data == {"Status": "completed"}
    status = signed_in_handler.get(f"/calls/{taken_call.id}/status").get_json()
    assert status["may_disclose"] is False
    assert status["line"]["ended"].startswith("You hung up at ")
    assert "Do not disclose" in driver.record_fragment()


def test_without_javascript_hold_is_a_form_that_comes_back_to_the_call(
    fake_twilio, signed_in_handler, taken_call
):
    response = line(signed_in_handler, taken_call.id, "hold", json=False)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/calls/{taken_call.id}")
    assert "The caller is on hold" in signed_in_handler.get(f"/calls/{taken_call.id}").get_data(
        as_text=True
    )


def test_the_page_shows_the_line_controls_with_their_labels(signed_in_handler, taken_call):
    page = signed_in_handler.get(f"/calls/{taken_call.id}").get_data(as_text=True)

    assert 'id="line-mute" aria-pressed="false"' in page
    assert re.search(r'value="hold"[^>]*>Hold<span class="govuk-visually-hidden"> the caller', page)
    assert "Hang up<span" in page
    assert "vendor/twilio-voice.min.js" in page


def test_a_call_started_by_hand_has_no_line_to_hold(fake_twilio, signed_in_handler):
    driver = CallDriver(signed_in_handler)

    response = line(signed_in_handler, driver.id, "hold")

    assert response.status_code == 409
    assert "no line" in response.get_json()["error"]
    assert 'id="line"' not in driver.page()
    assert fake_twilio.requests == []


def test_another_handlers_call_line_is_not_found(fake_twilio, taken_call, signed_in_client):
    other = signed_in_client(Role.HANDLER)

    assert line(other, taken_call.id, "hang-up").status_code == 404
    assert fake_twilio.requests == []


def test_a_line_action_that_is_none_of_hold_resume_or_hang_up_does_nothing(
    fake_twilio, signed_in_handler, taken_call
):
    response = line(signed_in_handler, taken_call.id, "transfer")

    assert response.status_code == 400
    assert fake_twilio.requests == []


def test_twilio_failing_to_hold_says_so_and_records_nothing_held(
    fake_twilio, signed_in_handler, taken_call
):
    fake_twilio.fail_next(TimeoutError("read timed out"))

    response = line(signed_in_handler, taken_call.id, "hold")

    assert response.status_code == 409
    assert "did not answer" in response.get_json()["error"]
    assert fresh(taken_call.id).line_held is False
    assert actions(taken_call.id)[-1] == "line.action_failed"


# The caller hangs up: the status callback ---------------------------------------------------


@pytest.fixture
def verified_on_the_line(fake_twilio, signed_in_handler, resident):
    call = arrive()
    take(signed_in_handler, call.id)
    driver = CallDriver.taken(signed_in_handler, call.id)
    driver.resident_calls_about(resident)
    driver.verify(**RIGHT_ANSWERS)
    assert signed_in_handler.get(f"/calls/{call.id}/status").get_json()["may_disclose"]
    return driver


def test_the_caller_hanging_up_is_told_to_the_page_and_stops_disclosure(
    verified_on_the_line, client, app
):
    call = db.session.get(Call, verified_on_the_line.id)

    response = status_callback(client, app, call.provider_call_sid)

    assert response.status_code == 204
    call = fresh(call.id)
    assert call.line_ended_at is not None and call.ended_at is None
    hhmm = clock.local(call.line_ended_at).strftime("%H:%M")
    status = verified_on_the_line.client.get(f"/calls/{call.id}/status").get_json()
    assert status["ended"] == f"The caller hung up at {hhmm}"
    assert status["may_disclose"] is False
    assert status["line"] == {
        "live": False,
        "ended": f"The caller hung up at {hhmm}",
        "held": False,
    }
    panel = verified_on_the_line.record_fragment()
    assert f"The caller hung up at {hhmm}" in panel or f"the caller hung up at {hhmm}" in panel
    assert "Do not disclose" in panel


def test_after_the_caller_hung_up_nobody_can_be_verified_on_the_call(
    verified_on_the_line, client, app
):
    call = db.session.get(Call, verified_on_the_line.id)
    status_callback(client, app, call.provider_call_sid)
    attempts_before = actions(call.id).count("verification.passed")

    page = verified_on_the_line.verify(**RIGHT_ANSWERS).get_data(as_text=True)

    assert "Nobody is on the line" in page
    assert actions(call.id).count("verification.passed") == attempts_before
    assert (
        verified_on_the_line.client.get(f"/calls/{call.id}/status").get_json()["verified"] is False
    )


def test_after_the_caller_hung_up_the_end_of_the_call_offers_call_dropped(
    verified_on_the_line, client, app
):
    call = db.session.get(Call, verified_on_the_line.id)
    status_callback(client, app, call.provider_call_sid)

    page = verified_on_the_line.client.get(
        f"/calls/{call.id}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)

    assert re.search(r'<input[^>]*value="dropped"[^>]*checked', page)
    assert re.search(r'id="line-controls"[^>]*hidden', verified_on_the_line.page())


def test_a_replayed_hang_up_changes_nothing_a_second_time(verified_on_the_line, client, app):
    call = db.session.get(Call, verified_on_the_line.id)
    status_callback(client, app, call.provider_call_sid)
    first = fresh(call.id).line_ended_at
    events = actions(call.id)

    clock.set_now(clock.now() + timedelta(minutes=3))
    try:
        again = status_callback(client, app, call.provider_call_sid)
        failed_late = status_callback(client, app, call.provider_call_sid, "failed")
    finally:
        clock.set_now(None)

    assert again.status_code == failed_late.status_code == 204
    assert fresh(call.id).line_ended_at == first
    assert fresh(call.id).provider_status == "completed"
    assert actions(call.id) == events


@pytest.mark.parametrize("late", ["ringing", "in-progress", "queued"])
def test_a_status_arriving_out_of_order_after_the_hang_up_changes_nothing(
    verified_on_the_line, client, app, late
):
    call = db.session.get(Call, verified_on_the_line.id)
    status_callback(client, app, call.provider_call_sid)
    events = actions(call.id)

    response = status_callback(client, app, call.provider_call_sid, late)

    assert response.status_code == 204
    assert fresh(call.id).line_ended_at is not None
    assert actions(call.id) == events


def test_a_progress_status_before_the_end_changes_nothing(verified_on_the_line, client, app):
    call = db.session.get(Call, verified_on_the_line.id)

    response = status_callback(client, app, call.provider_call_sid, "in-progress")

    assert response.status_code == 204
    assert fresh(call.id).line_ended_at is None
    assert verified_on_the_line.client.get(f"/calls/{call.id}/status").get_json()["may_disclose"]


def test_a_hang_up_for_an_unknown_call_is_answered_and_changes_nothing(fake_twilio, client, app):
    call = arrive()
    count = db.session.scalar(select(func.count()).select_from(AuditEvent))

    response = status_callback(client, app, "CA" + "e" * 32)

    assert response.status_code == 204
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == count
    assert fresh(call.id).line_ended_at is None


def test_a_forged_hang_up_is_refused_and_the_line_stays(verified_on_the_line, client):
    call = db.session.get(Call, verified_on_the_line.id)

    response = client.post(
        "/twilio/voice/status",
        data={"CallSid": call.provider_call_sid, "CallStatus": "completed"},
        headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
    )

    assert response.status_code == 403
    assert fresh(call.id).line_ended_at is None


# Offline: simulating a call ----------------------------------------------------------------


def simulate(client, **data):
    token = csrf_token(client, "/calls")
    return client.post("/calls/simulate", data={"csrf_token": token, **data})


def test_a_simulated_call_waits_to_be_taken_like_a_real_one(signed_in_handler):
    response = simulate(signed_in_handler, **{"simulate-caller_number": "07700 900123"})

    assert response.status_code == 302
    call = db.session.scalar(select(Call).order_by(Call.id.desc()))
    assert call.caller_number == "+447700900123" and call.handler_id is None
    assert re.fullmatch(r"CA[0-9a-f]{32}", call.provider_call_sid)
    assert actions(call.id) == ["call.arrived", "call.simulated"]
    page = signed_in_handler.get("/calls").get_data(as_text=True)
    assert "A simulated call is waiting" in page
    assert "Take call" in page


def test_a_simulated_call_from_a_withheld_number(signed_in_handler):
    simulate(signed_in_handler, **{"simulate-withheld": "y"})

    call = db.session.scalar(select(Call))
    assert call.caller_number is None and call.caller_number_withheld


def test_a_simulated_call_with_a_bad_number_says_so_next_to_the_field(signed_in_handler):
    response = simulate(signed_in_handler, **{"simulate-caller_number": "not a number"})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Enter a phone number in the correct format" in page
    assert "Number the simulated call comes from" in page
    assert "Caller&#39;s phone number" in page or "Caller's phone number" in page  # Start a call
    assert db.session.scalar(select(func.count()).select_from(Call)) == 0


def test_a_simulated_call_needs_the_forms_csrf_token(signed_in_handler):
    response = signed_in_handler.post(
        "/calls/simulate", data={"simulate-caller_number": "07700 900123"}
    )

    assert response.status_code in (200, 302, 400)
    assert db.session.scalar(select(func.count()).select_from(Call)) == 0


def test_there_is_no_simulating_calls_in_production(signed_in_handler, app, monkeypatch):
    monkeypatch.setitem(app.config, "SIMULATED_CALLS_ALLOWED", False)

    assert "Simulate a call" not in signed_in_handler.get("/calls").get_data(as_text=True)
    response = simulate(signed_in_handler, **{"simulate-caller_number": "07700 900123"})

    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Call)) == 0


def test_only_development_allows_simulated_calls():
    assert config.DevelopmentConfig.SIMULATED_CALLS_ALLOWED is True
    assert config.ProductionConfig.SIMULATED_CALLS_ALLOWED is False


# Settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("set_", "missing"),
    [
        (
            {"TWILIO_API_KEY": API_KEY},
            [
                "TWILIO_ACCOUNT_SID",
                "TWILIO_AUTH_TOKEN",
                "TWILIO_API_SECRET",
                "TWILIO_TWIML_APP_SID",
            ],
        ),
        (
            {
                "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN": "t",
                "TWILIO_API_KEY": API_KEY,
                "TWILIO_API_SECRET": API_SECRET,
            },
            ["TWILIO_TWIML_APP_SID"],
        ),
        ({"TWILIO_TWIML_APP_SID": TWIML_APP, "TWILIO_ACCOUNT_SID": ACCOUNT_SID}, None),
        ({}, []),
        (
            {
                "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN": "t",
                "TWILIO_API_KEY": API_KEY,
                "TWILIO_API_SECRET": API_SECRET,
                "TWILIO_TWIML_APP_SID": TWIML_APP,
            },
            [],
        ),
    ],
    ids=["key-alone", "no-twiml-app", "app-without-key", "none", "all"],
)
def test_voice_half_configured_is_named_and_production_refuses_it(set_, missing):
    found = config.voice_settings_missing(set_)

    if missing is None:
        assert "TWILIO_API_KEY" in found and "TWILIO_API_SECRET" in found
    else:
        assert found == missing


def test_hold_pressed_twice_or_resume_without_hold_asks_the_phone_system_nothing_more(
    fake_twilio, signed_in_handler, taken_call
):
    line(signed_in_handler, taken_call.id, "hold")
    again = line(signed_in_handler, taken_call.id, "hold")
    line(signed_in_handler, taken_call.id, "resume")
    resumed_again = line(signed_in_handler, taken_call.id, "resume")

    assert again.get_json() == {"held": True, "ended": False}
    assert resumed_again.get_json() == {"held": False, "ended": False}
    assert len(fake_twilio.sent("/Calls/")) == 2
    assert actions(taken_call.id)[-2:] == ["line.held", "line.resumed"]


def test_a_call_sent_back_to_waiting_is_no_longer_the_handlers(
    fake_twilio, signed_in_handler, client, app
):
    call = arrive()
    take(signed_in_handler, call.id)

    dial_ended(client, app, call, "no-answer")

    assert signed_in_handler.get(f"/calls/{call.id}/status").status_code == 404
    assert line(signed_in_handler, call.id, "hang-up").status_code == 404
