"""Voice: what the app asks of a call in progress, and the token a handler's browser answers
calls with.

- `connect_to_client` / `connect_to_number`: move one call, by its `CallSid`, to a handler,
  in their browser (the Voice JavaScript SDK, registered under `identity`) or on a desk
  number or SIP address. Twilio does it by replacing the call's instructions
  (`calls(sid).update(twiml=...)`), which takes exactly that caller out of the queue. The
  dial reports how it ended to `DIAL_ENDED_PATH` (app/telephony/voice.py), which puts a call
  nobody answered back in the queue. The browser is told which of our calls it is (`call`).
- `hold`: the caller hears the hold message and music, away from the handler, until the call
  is connected again.
- `hang_up`: end a call.
- `call_back`: ring a resident back on a number on file from the council's caller ID, a new
  leg of the same call; whoever answers presses 1 to be put through.
- `access_token`: a signed token for the browser SDK, allowed to receive calls under
  `identity` (and to ring out through the TwiML App) for `ttl_seconds`. Twilio signs it with
  an API key and secret (`TWILIO_API_KEY`, `TWILIO_API_SECRET`), never the auth token.

Each raises `ProviderUnavailable` when the provider failed or did not answer.
"""

import logging
import secrets
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

DIAL_ENDED_PATH = "/twilio/voice/dial-ended"
CALL_BACK_ANSWERED_PATH = "/twilio/voice/call-back-answered"
STATUS_PATH = "/twilio/voice/status"
# How long the handler's browser or desk phone rings before the call goes back to waiting.
RING_SECONDS = 30


def put_through(
    call_id: int, public_base_url: str, *, identity: str | None = None, number: str | None = None
) -> str:
    """TwiML that puts a call through to its handler: their browser (`identity`, told which
    of our calls it is) or their desk number or SIP address (`number`). How the dial ended
    goes to `DIAL_ENDED_PATH`, which puts a call nobody answered back in the queue."""
    answer = VoiceResponse()
    action = f"{public_base_url.rstrip('/')}{DIAL_ENDED_PATH}?call={call_id}"
    dial = answer.dial(action=action, method="POST", timeout=RING_SECONDS)
    if number is None:
        client = dial.client()
        client.identity(identity)
        client.parameter(name="call", value=str(call_id))
    elif number.startswith("sip:"):
        dial.sip(number)
    else:
        dial.number(number)
    return str(answer)


class Voice(Protocol):
    is_console: bool

    def connect_to_client(self, call_sid: str, identity: str, call_id: int) -> None: ...

    def connect_to_number(self, call_sid: str, number: str, call_id: int) -> None: ...

    def hold(self, call_sid: str, message: str) -> None: ...

    def hang_up(self, call_sid: str) -> None: ...

    def call_back(self, to: str, caller_id: str, leg_id: int, greeting: str) -> str: ...

    def access_token(self, identity: str, ttl_seconds: int) -> str: ...


class TwilioVoice:
    is_console = False

    def __init__(
        self,
        account: TwilioAccount,
        public_base_url: str = "",
        twiml_app_sid: str | None = None,
        hold_queue: str = "on-hold",
    ):
        self.account = account
        self.public_base_url = public_base_url.rstrip("/")
        self.twiml_app_sid = twiml_app_sid
        self.hold_queue = hold_queue

    def connect_to_client(self, call_sid: str, identity: str, call_id: int) -> None:
        twiml = put_through(call_id, self.public_base_url, identity=identity)
        self._update(call_sid, twiml=twiml)

    def connect_to_number(self, call_sid: str, number: str, call_id: int) -> None:
        twiml = put_through(call_id, self.public_base_url, number=number)
        self._update(call_sid, twiml=twiml)

    def hold(self, call_sid: str, message: str) -> None:
        answer = VoiceResponse()
        answer.say(message, language="en-GB")
        answer.enqueue(self.hold_queue)
        self._update(call_sid, twiml=str(answer))

    def hang_up(self, call_sid: str) -> None:
        self._update(call_sid, status="completed")

    def call_back(self, to: str, caller_id: str, leg_id: int, greeting: str) -> str:
        """Ring `to` from the council's `caller_id`; whoever answers hears `greeting` and is put
        through by pressing 1 (which `CALL_BACK_ANSWERED_PATH` is told: a person, not a
        voicemail, holds the number). Its status goes where the calls' does. The new CallSid."""
        answer = VoiceResponse()
        gather = answer.gather(
            num_digits=1,
            timeout=10,
            action=f"{self.public_base_url}{CALL_BACK_ANSWERED_PATH}?leg={leg_id}",
            method="POST",
        )
        gather.say(greeting, language="en-GB")
        answer.say("We did not hear a key press. Goodbye.", language="en-GB")
        try:
            created = self.account.client().calls.create(
                to=to,
                from_=caller_id,
                twiml=str(answer),
                status_callback=f"{self.public_base_url}{STATUS_PATH}",
                status_callback_method="POST",
            )
        except TwilioRestException as error:
            raise ProviderUnavailable(f"Calls {error.status} (code {error.code})") from error
        except Exception as error:  # no answer: a timeout, a refused or broken connection
            raise ProviderUnavailable(f"no answer from Calls: {type(error).__name__}") from error
        return created.sid

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
        token.add_grant(
            VoiceGrant(outgoing_application_sid=self.twiml_app_sid, incoming_allow=True)
        )
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
    """What the console was asked to do: `action` ("connect-client", "connect-number", "hold",
    "hang-up", "call-back", "token"), the call, and whom to connect it to or sign a token for."""

    action: str
    call_sid: str | None
    target: str | None = None


class ConsoleVoice:
    """Development only: nothing reaches a telephone. Every request is kept in `asked`, in
    order, and logged (a number by its last digits), so the calls page can be tried offline
    and tests can read what was asked. Its tokens are not signed: no SDK accepts them."""

    is_console = True

    def __init__(self, logger: logging.Logger):
        self.logger = logger
        self.asked: list[VoiceRequest] = []
        self._lock = threading.Lock()

    def connect_to_client(self, call_sid: str, identity: str, call_id: int) -> None:
        self._record(VoiceRequest("connect-client", call_sid, identity), identity)

    def connect_to_number(self, call_sid: str, number: str, call_id: int) -> None:
        self._record(VoiceRequest("connect-number", call_sid, number), last_digits(number))

    def hold(self, call_sid: str, message: str) -> None:
        self._record(VoiceRequest("hold", call_sid), None)

    def call_back(self, to: str, caller_id: str, leg_id: int, greeting: str) -> str:
        call_sid = "CA" + secrets.token_hex(16)
        self._record(VoiceRequest("call-back", call_sid, to), last_digits(to))
        return call_sid

    def hang_up(self, call_sid: str) -> None:
        self._record(VoiceRequest("hang-up", call_sid), None)

    def access_token(self, identity: str, ttl_seconds: int) -> str:
        self._record(VoiceRequest("token", None, identity), identity)
        return f"console-voice-token:{identity}"

    def _record(self, request: VoiceRequest, shown: str | None) -> None:
        with self._lock:
            self.asked.append(request)
        self.logger.info("console voice %s %s %s", request.action, request.call_sid, shown or "")
