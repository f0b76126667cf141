"""Codes sent by text: made, sent and checked by one of three adapters.

- **Twilio Verify** (`TWILIO_VERIFY_SERVICE_SID`, with credentials) makes, sends and checks
  its own codes: nothing about the code is kept here, and only Verify can say whether a code
  typed is right, by being asked (`asks_provider_to_check`).
- **Twilio Messaging** (`TWILIO_MESSAGING_FROM`, with credentials, and no Verify service): the
  app makes a six-digit code with `secrets`, hands it to Twilio in a text at once, and keeps
  only an HMAC of it (keyed with the app's secret). The text never goes through the outbox
  table: nothing readable of the code is stored anywhere.
- **The console**, in development and tests only: the app makes the code and keeps its HMAC
  as above, and shows the code on the staff-only Messages page and in the log instead of
  sending it. Production never chooses it (app/providers/registry.py).

A provider that fails or does not answer raises `ProviderUnavailable`: nothing is sent, and
nothing counts against the resident.
"""

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from twilio.base.exceptions import TwilioRestException

from app.providers.errors import ProviderUnavailable, SendFailed
from app.providers.texts import OutgoingText, TextSender
from app.providers.twilio_account import TwilioAccount
from app.rules.outbox import last_digits
from app.rules.vocabulary import TextCodeProvider

CODE_DIGITS = 6


@dataclass(frozen=True)
class CodeDelivery:
    """What is kept of a code once sent: who sent it, and for a code the app made, its HMAC.
    `shown` is only the console's: the text it would have sent, code and all, for the
    Messages page and the log (development only)."""

    provider: TextCodeProvider
    code_hash: str | None = None
    shown: str | None = None


class CodeSender(Protocol):
    provider: TextCodeProvider
    # True when only the provider can say whether a code is right, by being asked over the
    # network: the services ask it before they take any database lock. False when checking
    # is comparing an HMAC here, which takes no time and asks nobody.
    asks_provider_to_check: bool

    def send(self, number: str, text: Callable[[str], str]) -> CodeDelivery:
        """Send a code to `number`; `text` words the message around a code the app makes.
        Raises `ProviderUnavailable`."""
        ...

    def check(self, number: str, typed: str, code_hash: str | None) -> bool:
        """Whether `typed` is the code sent to `number` (`code_hash`: what was kept of a code
        the app made). Raises `ProviderUnavailable` when the provider cannot say."""
        ...


class TwilioVerifyCodes:
    provider = TextCodeProvider.TWILIO_VERIFY
    asks_provider_to_check = True

    def __init__(self, account: TwilioAccount, service_sid: str):
        self.account = account
        self.service_sid = service_sid

    def _service(self):
        return self.account.client().verify.v2.services(self.service_sid)

    def send(self, number: str, text: Callable[[str], str]) -> CodeDelivery:
        """Ask Verify to text a code of its own to `number`: `text` is not used."""
        try:
            self._service().verifications.create(to=number, channel="sms")
        except TwilioRestException as error:
            raise ProviderUnavailable(f"Verify {error.status} (code {error.code})") from error
        except Exception as error:  # no answer: a timeout, a refused or broken connection
            raise ProviderUnavailable(f"no answer from Verify: {type(error).__name__}") from error
        return CodeDelivery(self.provider)

    def check(self, number: str, typed: str, code_hash: str | None) -> bool:
        """A code Verify no longer knows (expired, used up, already approved: a 404) is not
        approved."""
        try:
            checked = self._service().verification_checks.create(to=number, code=typed.strip())
        except TwilioRestException as error:
            if error.status == 404:
                return False
            raise ProviderUnavailable(f"Verify {error.status} (code {error.code})") from error
        except Exception as error:
            raise ProviderUnavailable(f"no answer from Verify: {type(error).__name__}") from error
        return checked.status == "approved"


class AppMadeCodes:
    """A code the app makes and keeps only the HMAC of; checking compares HMACs here."""

    provider: TextCodeProvider
    asks_provider_to_check = False

    def __init__(self, secret_key: str):
        self._key = str(secret_key).encode()

    def make(self) -> tuple[str, str]:
        """A new code and its HMAC."""
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        return code, self.code_hash(code)

    def code_hash(self, code: str) -> str:
        """An HMAC of the code, keyed with the app's secret: all that is kept of it."""
        return hmac.new(self._key, code.strip().encode(), hashlib.sha256).hexdigest()

    def check(self, number: str, typed: str, code_hash: str | None) -> bool:
        return bool(code_hash) and hmac.compare_digest(code_hash, self.code_hash(typed))


class MessagingCodes(AppMadeCodes):
    provider = TextCodeProvider.TWILIO_MESSAGING

    def __init__(self, texts: TextSender, secret_key: str):
        super().__init__(secret_key)
        self.texts = texts

    def send(self, number: str, text: Callable[[str], str]) -> CodeDelivery:
        code, kept = self.make()
        try:
            self.texts.send(OutgoingText(number, text(code)))
        except SendFailed as error:
            raise ProviderUnavailable(error.detail) from error
        return CodeDelivery(self.provider, kept)


class ConsoleCodes(AppMadeCodes):
    """Development only: the code is shown, never sent."""

    provider = TextCodeProvider.CONSOLE

    def __init__(self, secret_key: str, logger: logging.Logger):
        super().__init__(secret_key)
        self.logger = logger

    def send(self, number: str, text: Callable[[str], str]) -> CodeDelivery:
        code, kept = self.make()
        return CodeDelivery(self.provider, kept, shown=text(code))

    def show(self, text: str, number: str) -> None:
        """The console's stand-in for sending a code: its text in the log."""
        self.logger.info("console text code to number ending %s: %s", last_digits(number), text)
