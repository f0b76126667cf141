"""The Twilio client: an account's auth token, or an API key and secret."""

from app.telephony.client import has_credentials, twilio_client
from tests.telephony.fake_twilio import ACCOUNT_SID


def test_without_credentials_the_console_backend_stands_in(app):
    assert not has_credentials()


def test_an_api_key_and_secret_sign_requests_for_the_account(app, fake_twilio, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", None)
    monkeypatch.setitem(app.config, "TWILIO_API_KEY", "SK" + "1" * 32)
    monkeypatch.setitem(app.config, "TWILIO_API_SECRET", "key-secret")

    client = twilio_client()

    assert has_credentials()
    assert client.username == "SK" + "1" * 32
    assert client.account_sid == ACCOUNT_SID
