"""Sending one text message, and asking what the provider already holds to a number.

`TextSender.send` returns the provider's id for the message, or raises `SendFailed` saying
whether the provider answered at all (its HTTP status), so that the outbox worker can decide
whether to try again. Before sending again a message whose earlier attempt got no answer, the
worker asks `held_for` what the provider already holds for that number.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from twilio.base.exceptions import TwilioRestException

from app.providers.errors import SendFailed
from app.providers.twilio_account import TwilioAccount
from app.rules.outbox import HeldMessage, last_digits

# Twilio calls this with the message's delivery status; `message` is our id for it, so a
# report that arrives before the worker has recorded Twilio's id still finds its message.
STATUS_CALLBACK_PATH = "/twilio/messages/status"
# How many of the newest messages to a number are read when checking whether the provider
# took one whose send got no answer: a resident is sent a few texts a year.
HELD_MESSAGES_READ = 50


@dataclass(frozen=True)
class OutgoingText:
    """One text to send. `message_id` is the outbox's id for it, which delivery reports name;
    None for a text that is not in the outbox (a code the app made)."""

    to_number: str  # E.164
    body: str
    message_id: int | None = None


class TextSender(Protocol):
    def send(self, text: OutgoingText) -> str:
        """Hand the text to the provider and return its id for it. Raises `SendFailed`."""
        ...

    def held_for(self, number: str) -> list[HeldMessage]:
        """The newest messages the provider holds to `number`. Raises `SendFailed` (with no
        HTTP status: it is always worth asking again later) when it does not answer."""
        ...


class TwilioTexts:
    """Twilio's Messages API, from `TWILIO_MESSAGING_FROM` (a number, or a Messaging Service
    SID starting "MG"). Neither the body nor the number is logged here."""

    def __init__(self, account: TwilioAccount, sender: str | None, public_base_url: str):
        self.account = account
        self.sender = sender
        self.public_base_url = public_base_url.rstrip("/")

    def status_callback_url(self, message_id: int) -> str:
        return f"{self.public_base_url}{STATUS_CALLBACK_PATH}?message={message_id}"

    def send(self, text: OutgoingText) -> str:
        if not self.sender:
            # Not the message's fault: it waits, and goes once the setting is there.
            raise SendFailed(None, "TWILIO_MESSAGING_FROM is not set")
        origin = (
            {"messaging_service_sid": self.sender}
            if self.sender.startswith("MG")
            else {"from_": self.sender}
        )
        if text.message_id is not None:
            origin["status_callback"] = self.status_callback_url(text.message_id)
        try:
            sent = self.account.client().messages.create(
                to=text.to_number, body=text.body, **origin
            )
        except TwilioRestException as error:
            raise SendFailed(
                error.status, f"Twilio {error.status} (code {error.code}): {error.msg}", error.code
            ) from error
        except Exception as error:  # no answer: a timeout, a refused or broken connection
            raise SendFailed(
                None, f"no answer from Twilio: {type(error).__name__}: {error}"
            ) from error
        return sent.sid

    def held_for(self, number: str) -> list[HeldMessage]:
        """Twilio filters its list by the date a message was sent, to the day, and a message
        it took but still has queued has no such date yet; so the list is read by number
        alone, newest first, and the caller compares when each was created."""
        try:
            listed = self.account.client().messages.list(
                to=number, limit=HELD_MESSAGES_READ, page_size=HELD_MESSAGES_READ
            )
        except Exception as error:  # no answer, or one we cannot read: ask again next round
            raise SendFailed(
                None, f"could not ask Twilio whether it took the message: {type(error).__name__}"
            ) from error
        return [
            HeldMessage(
                sid=message.sid,
                body=message.body,
                created_at=message.date_created
                if isinstance(message.date_created, datetime)
                else None,
                status=str(message.status or ""),
                outgoing=not str(message.direction or "").startswith("inbound"),
            )
            for message in listed
        ]


class ConsoleTexts:
    """Without Twilio: each text is written to the log and taken as sent. Its body never
    carries personal data (app/rules/outbox.py); the number is cut short. It never loses a
    message, so it holds none to look for."""

    def __init__(self, logger: logging.Logger):
        self.logger = logger

    def send(self, text: OutgoingText) -> str:
        self.logger.info(
            "console SMS %s to number ending %s: %s",
            text.message_id,
            last_digits(text.to_number),
            text.body,
        )
        return f"console-{text.message_id}"

    def held_for(self, number: str) -> list[HeldMessage]:
        return []
