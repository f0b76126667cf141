"""Voice: what the app asks of a call in progress, and the token a handler's browser answers
calls with.

- `connect_to_client` / `connect_to_number`: move a call waiting in the queue to a handler,
  in their browser (the Voice JavaScript SDK, registered under `identity`) or on a desk
  number. Twilio does it by replacing the call's instructions (`calls(sid).update(twiml=...)`),
  which takes the caller out of the queue.
- `hang_up`: end a call.
- `access_token`: a signed token for the browser SDK, allowed to receive calls under
  `identity` for `ttl_seconds`. Twilio signs it with an API key and secret
  (`TWILIO_API_KEY`, `TWILIO_API_SECRET`), never the auth token.

Each raises `ProviderUnavailable` when the provider failed or did not answer.
"""

import logging
import threading
from dataclasses import dataclass
from typing import Protocol

from twilio.base.exceptions import TwilioRestException
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant
from twilio.twiml.voice_response import VoiceResponse

from app.providers.errors import ProviderUnavailable
from app.providers.twilio_account import TwilioAccount
from app.rules.outbox import last_digits


class Voice(Protocol):
    def connect_to_client(self, call_sid: str, identity: str) -> None: ...

    def connect_to_number(self, call_sid: str, number: str) -> None: ...

    def hang_up(self, call_sid: str) -> None: ...

    def access_token(self, identity: str, ttl_seconds: int) -> str: ...


class TwilioVoice:
    def __init__(self, account: TwilioAccount):
        self.account = account

    def connect_to_client(self, call_sid: str, identity: str) -> None:
        answer = VoiceResponse()
        answer.dial().client(identity)
        self._update(call_sid, twiml=str(answer))

    def connect_to_number(self, call_sid: str, number: str) -> None:
        answer = VoiceResponse()
        answer.dial(number)
        self._update(call_sid, twiml=str(answer))

    def hang_up(self, call_sid: str) -> None:
        self._update(call_sid, status="completed")

    def access_token(self, identity: str, ttl_seconds: int) -> str:
        if not self.account.has_api_key:
            raise ProviderUnavailable(
                "a browser's token needs TWILIO_API_KEY and TWILIO_API_SECRET"
            )
        token = AccessToken(
            self.account.account_sid,
            self.account.api_key,
            self.account.api_secret,
            identity=identity,
            ttl=ttl_seconds,
        )
        token.add_grant(VoiceGrant(incoming_allow=True))
        return token.to_jwt()

    def _update(self, call_sid: str, **change: str) -> None:
        try:
            self.account.client().calls(call_sid).update(**change)
        except TwilioRestException as error:
            raise ProviderUnavailable(f"Calls {error.status} (code {error.code})") from error
        except Exception as error:  # no answer: a timeout, a refused or broken connection
            raise ProviderUnavailable(f"no answer from Calls: {type(error).__name__}") from error


@dataclass(frozen=True)
class VoiceRequest:
    """What the console was asked to do: `action` ("connect-client", "connect-number",
    "hang-up", "token"), the call, and whom to connect it to or sign a token for."""

    action: str
    call_sid: str | None
    target: str | None = None


class ConsoleVoice:
    """Development only: nothing reaches a telephone. Every request is kept in `asked`, in
    order, and logged (a number by its last digits), so the calls page can be tried offline
    and tests can read what was asked. Its tokens are not signed: no SDK accepts them."""

    def __init__(self, logger: logging.Logger):
        self.logger = logger
        self.asked: list[VoiceRequest] = []
        self._lock = threading.Lock()

    def connect_to_client(self, call_sid: str, identity: str) -> None:
        self._record(VoiceRequest("connect-client", call_sid, identity), identity)

    def connect_to_number(self, call_sid: str, number: str) -> None:
        self._record(VoiceRequest("connect-number", call_sid, number), last_digits(number))

    def hang_up(self, call_sid: str) -> None:
        self._record(VoiceRequest("hang-up", call_sid), None)

    def access_token(self, identity: str, ttl_seconds: int) -> str:
        self._record(VoiceRequest("token", None, identity), identity)
        return f"console-voice-token:{identity}"

    def _record(self, request: VoiceRequest, shown: str | None) -> None:
        with self._lock:
            self.asked.append(request)
        self.logger.info("console voice %s %s %s", request.action, request.call_sid, shown or "")
