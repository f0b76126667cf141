"""Voice: moving a queued call to a handler's browser or desk number, hanging up, and the
browser SDK's access token, through Twilio (the fake) or the console."""

import jwt
import pytest

from app.providers import ProviderUnavailable, providers
from app.providers.voice import ConsoleVoice, VoiceRequest
from tests.telephony.fake_twilio import ACCOUNT_SID

CALL_SID = "CA" + "1" * 32
API_KEY = "SK" + "2" * 32
API_SECRET = "api-key-secret-of-thirty-two-bytes"
TWIML_APP = "AP" + "3" * 32


@pytest.fixture
def voice(app, fake_twilio):
    return providers().voice


def test_a_queued_call_is_moved_to_the_handlers_browser(voice, fake_twilio):
    voice.connect_to_client(CALL_SID, "staff-7", 12)

    (moved,) = fake_twilio.requests
    assert moved.method == "POST"
    assert moved.uri.endswith(f"/Calls/{CALL_SID}.json")
    assert moved.data["Twiml"] == (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Response><Dial action="http://localhost/twilio/voice/dial-ended?call=12" '
        'method="POST" timeout="30"><Client><Identity>staff-7</Identity>'
        '<Parameter name="call" value="12" /></Client></Dial></Response>'
    )


@pytest.mark.parametrize(
    ("desk", "dialled"),
    [
        ("+441164960123", "<Number>+441164960123</Number>"),
        ("sip:desk-7@council.sip.twilio.com", "<Sip>sip:desk-7@council.sip.twilio.com</Sip>"),
    ],
    ids=["number", "sip"],
)
def test_a_queued_call_is_moved_to_a_desk_number_or_sip_address(voice, fake_twilio, desk, dialled):
    voice.connect_to_number(CALL_SID, desk, 12)

    (moved,) = fake_twilio.requests
    assert dialled in moved.data["Twiml"]
    assert "dial-ended?call=12" in moved.data["Twiml"]


def test_holding_plays_the_hold_message_away_from_the_handler(voice, fake_twilio):
    voice.hold(CALL_SID, "Please hold.")

    (held,) = fake_twilio.requests
    assert held.uri.endswith(f"/Calls/{CALL_SID}.json")
    assert (
        '<Say language="en-GB">Please hold.</Say><Enqueue>on-hold</Enqueue>' in held.data["Twiml"]
    )


def test_hanging_up_completes_the_call(voice, fake_twilio):
    voice.hang_up(CALL_SID)

    (ended,) = fake_twilio.requests
    assert ended.uri.endswith(f"/Calls/{CALL_SID}.json")
    assert ended.data == {"Status": "completed"}


@pytest.mark.parametrize("failure", ["refused", "no-answer"])
def test_twilio_failing_to_move_a_call_is_provider_unavailable(voice, fake_twilio, failure):
    if failure == "refused":
        fake_twilio.respond(404, {"code": 20404, "message": "not found", "status": 404})
    else:
        fake_twilio.fail_next(TimeoutError("read timed out"))

    with pytest.raises(ProviderUnavailable):
        voice.connect_to_client(CALL_SID, "staff-7", 12)


def test_the_browsers_token_lets_it_receive_calls_under_its_identity(app, fake_twilio, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_API_KEY", API_KEY)
    monkeypatch.setitem(app.config, "TWILIO_API_SECRET", API_SECRET)
    monkeypatch.setitem(app.config, "TWILIO_TWIML_APP_SID", TWIML_APP)

    token = providers().voice.access_token("staff-7", ttl_seconds=600)

    claims = jwt.decode(token, API_SECRET, algorithms=["HS256"])
    assert (claims["iss"], claims["sub"]) == (API_KEY, ACCOUNT_SID)
    assert claims["grants"]["identity"] == "staff-7"
    assert claims["grants"]["voice"] == {
        "incoming": {"allow": True},
        "outgoing": {"application_sid": TWIML_APP},
    }
    assert claims["exp"] - claims["nbf"] <= 600
    assert fake_twilio.requests == []  # signed here: no request to Twilio


def test_without_an_api_key_no_token_is_made(voice):
    with pytest.raises(ProviderUnavailable, match="TWILIO_API_KEY"):
        voice.access_token("staff-7", ttl_seconds=600)


def test_the_console_records_what_it_was_asked_and_reaches_no_telephone(app):
    console = providers().voice
    assert isinstance(console, ConsoleVoice)

    console.connect_to_client(CALL_SID, "staff-7", 12)
    console.connect_to_number(CALL_SID, "+441164960123", 12)
    console.hold(CALL_SID, "Please hold.")
    console.hang_up(CALL_SID)
    token = console.access_token("staff-7", ttl_seconds=600)

    assert console.asked == [
        VoiceRequest("connect-client", CALL_SID, "staff-7"),
        VoiceRequest("connect-number", CALL_SID, "+441164960123"),
        VoiceRequest("hold", CALL_SID),
        VoiceRequest("hang-up", CALL_SID),
        VoiceRequest("token", None, "staff-7"),
    ]
    assert token == "console-voice-token:staff-7"
