"""Which adapter stands behind each interface: chosen in `create_app` from the settings, and
chosen again when a setting changes (a test installing the fake Twilio on an app already
made); the console never makes codes in production."""

from app import create_app
from app.providers import providers
from app.providers.codes import ConsoleCodes, MessagingCodes, TwilioVerifyCodes
from app.providers.lookup import ConsoleLookup, TwilioLookup
from app.providers.registry import EXTENSION
from app.providers.texts import ConsoleTexts, OutgoingText, TwilioTexts
from app.providers.voice import ConsoleVoice, TwilioVoice
from app.rules.vocabulary import TextCodeProvider
from config import TestConfig
from tests.telephony.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, install_fake_twilio

NUMBER = "+447700900123"


def test_the_adapters_are_chosen_when_the_app_is_made():
    class WithTwilio(TestConfig):
        TWILIO_ACCOUNT_SID = ACCOUNT_SID
        TWILIO_AUTH_TOKEN = AUTH_TOKEN
        TWILIO_VERIFY_SERVICE_SID = "VA" + "1" * 32
        TWILIO_LOOKUP_ENABLED = True

    made = create_app(WithTwilio)

    chosen = made.extensions[EXTENSION]
    assert isinstance(chosen.texts, TwilioTexts)
    assert isinstance(chosen.codes, TwilioVerifyCodes)
    assert isinstance(chosen.lookup, TwilioLookup)
    assert isinstance(chosen.voice, TwilioVoice)
    with made.app_context():
        assert providers() is chosen  # nothing changed: the same choice, not a new one


def test_without_twilio_the_console_stands_in_for_everything(app):
    chosen = providers()

    assert not chosen.settings.has_twilio
    assert isinstance(chosen.texts, ConsoleTexts)
    assert chosen.texts_to_console
    assert isinstance(chosen.codes, ConsoleCodes)
    assert isinstance(chosen.lookup, ConsoleLookup)
    assert isinstance(chosen.voice, ConsoleVoice)


def test_in_production_without_twilio_nothing_makes_codes_or_moves_calls(app, production):
    chosen = providers()

    assert chosen.codes is None
    assert chosen.codes_for(TextCodeProvider.CONSOLE) is None
    assert chosen.voice is None
    assert isinstance(chosen.texts, ConsoleTexts)  # texts carry nothing personal (as before)


def test_a_fake_installed_after_the_app_was_made_takes_every_request(app, fake_twilio, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_LOOKUP_ENABLED", True)

    facts = providers().lookup.look_up(NUMBER)

    assert facts.can_take_texts
    (asked,) = fake_twilio.requests
    assert asked.uri.endswith(f"/v2/PhoneNumbers/{NUMBER}")


def test_a_second_fake_replaces_the_first_even_when_they_look_alike(app, fake_twilio, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_MESSAGING_FROM", "+441164960000")
    providers().texts.send(OutgoingText(NUMBER, "First"))
    second = install_fake_twilio(app)

    providers().texts.send(OutgoingText(NUMBER, "Second"))

    assert [m["body"] for m in fake_twilio.messages] == ["First"]
    assert [m["body"] for m in second.messages] == ["Second"]


def test_a_setting_changed_on_a_running_app_chooses_again(app, fake_twilio, monkeypatch):
    before = providers()
    monkeypatch.setitem(app.config, "TWILIO_MESSAGING_FROM", "MG" + "a" * 32)

    after = providers()

    assert after is not before
    assert isinstance(before.codes, ConsoleCodes)
    assert isinstance(after.codes, MessagingCodes)
    assert providers() is after


def test_an_api_key_and_secret_sign_requests_for_the_account(app, fake_twilio, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", None)
    monkeypatch.setitem(app.config, "TWILIO_API_KEY", "SK" + "1" * 32)
    monkeypatch.setitem(app.config, "TWILIO_API_SECRET", "key-secret")

    client = providers().texts.account.client()

    assert providers().settings.has_twilio
    assert client.username == "SK" + "1" * 32
    assert client.account_sid == ACCOUNT_SID


def test_no_secret_is_shown_when_the_choice_is_printed(app, fake_twilio):
    shown = repr(providers())

    assert AUTH_TOKEN not in shown
    assert app.config["SECRET_KEY"] not in shown
