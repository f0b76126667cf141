"""The Twilio client, built one way for the whole app.

Tests (and anything else that must not reach the network) put their own
`twilio.http.HttpClient` in `app.extensions["twilio_http_client"]`; the client then sends
every request through it.
"""

from flask import current_app
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

# No request to Twilio waits longer than this: the outbox leases a message to one worker for
# far longer (app/services/outbox.py), so a slow send is never taken over by another.
TIMEOUT_SECONDS = 15


def has_credentials() -> bool:
    """Whether the provider is configured; without it the console backend does its jobs.

    The account SID with either its auth token or an API key and secret. (Webhook signatures
    need the auth token whichever is used: app/telephony/signatures.py.)
    """
    config = current_app.config
    api_key = config.get("TWILIO_API_KEY") and config.get("TWILIO_API_SECRET")
    return bool(config.get("TWILIO_ACCOUNT_SID") and (config.get("TWILIO_AUTH_TOKEN") or api_key))


def twilio_client() -> Client:
    config = current_app.config
    http_client = current_app.extensions.get("twilio_http_client")
    if http_client is None:
        http_client = TwilioHttpClient(timeout=TIMEOUT_SECONDS)
    if config.get("TWILIO_API_KEY") and config.get("TWILIO_API_SECRET"):
        return Client(
            config["TWILIO_API_KEY"],
            config["TWILIO_API_SECRET"],
            config["TWILIO_ACCOUNT_SID"],
            http_client=http_client,
        )
    return Client(
        config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], http_client=http_client
    )
