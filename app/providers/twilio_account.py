"""The Twilio account every Twilio adapter talks through, and the one way its client is built.

Tests (and anything else that must not reach the network) put their own
`twilio.http.HttpClient` in `app.extensions["twilio_http_client"]`; the adapters chosen then
send every request through it (app/providers/registry.py).
"""

from dataclasses import dataclass, field

from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

# No request to Twilio waits longer than this: the outbox leases a message to one worker for
# far longer (app/services/outbox.py), so a slow send is never taken over by another.
TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class TwilioAccount:
    """The account SID with either its auth token or an API key and secret. (Webhook
    signatures need the auth token whichever is used: app/telephony/signatures.py.)"""

    account_sid: str
    auth_token: str | None = field(default=None, repr=False)
    api_key: str | None = None
    api_secret: str | None = field(default=None, repr=False)
    http_client: HttpClient | None = field(default=None, compare=False, repr=False)

    @property
    def has_api_key(self) -> bool:
        return bool(self.api_key and self.api_secret)

    def client(self) -> Client:
        """A client for one request or a few: built afresh each time, as it is cheap, and a
        client's HTTP session is not shared between threads."""
        http_client = self.http_client or TwilioHttpClient(timeout=TIMEOUT_SECONDS)
        if self.has_api_key:
            return Client(self.api_key, self.api_secret, self.account_sid, http_client=http_client)
        return Client(self.account_sid, self.auth_token, http_client=http_client)
