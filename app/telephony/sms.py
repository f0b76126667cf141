"""Sending one text message: through Twilio when it is configured, otherwise to the console.

The outbox worker (app/services/outbox.py) calls `send_sms` for each message it has claimed.
It returns the provider's id for the message, or raises `SendFailed` saying whether the
provider answered at all (its HTTP status) so that the worker can decide whether to try again.
Before sending again a message whose earlier attempt got no answer, the worker asks
`messages_held_for` what the provider already holds for that number.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from twilio.base.exceptions import TwilioRestException

from app.rules.outbox import HeldMessage, last_digits
from app.telephony.client import has_credentials, twilio_client

# Twilio calls this with the message's delivery status; `message` is our id for it, so a
# report that arrives before the worker has recorded Twilio's id still finds its message.
STATUS_CALLBACK_PATH = "/twilio/messages/status"
# How many of the newest messages to a number are read when checking whether the provider
# took one whose send got no answer: a resident is sent a few texts a year.
HELD_MESSAGES_READ = 50


@dataclass(frozen=True)
class OutgoingSms:
    message_id: int
    to_number: str  # E.164
    body: str
    # When an earlier attempt whose outcome was never heard began, if one did.
    unconfirmed_since: datetime | None = None


class SendFailed(Exception):
    """The provider did not take the message. `http_status` is None when it did not answer;
    `error_code` is the provider's own code for the refusal (Twilio's, e.g. 21211)."""

    def __init__(self, http_status: int | None, detail: str, error_code: int | None = None):
        super().__init__(detail)
        self.http_status = http_status
        self.detail = detail
        self.error_code = error_code


def send_sms(sms: OutgoingSms) -> str:
    """Hand the message to the provider and return its id for it (Twilio's MessageSid)."""
    if has_credentials():
        return _send_with_twilio(sms)
    return _send_to_console(sms)


def messages_held_for(number: str) -> list[HeldMessage]:
    """The newest messages the provider holds to `number`, or raises `SendFailed` (with no
    HTTP status: it is always worth asking again later) when it does not answer.

    Twilio filters its list by the date a message was sent, to the day, and a message it
    took but still has queued has no such date yet; so the list is read by number alone,
    newest first, and the caller compares when each was created. The console backend never
    loses a message: it holds none to look for.
    """
    if not has_credentials():
        return []
    try:
        listed = twilio_client().messages.list(
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
            created_at=message.date_created if isinstance(message.date_created, datetime) else None,
            status=str(message.status or ""),
            outgoing=not str(message.direction or "").startswith("inbound"),
        )
        for message in listed
    ]


def status_callback_url(message_id: int) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}{STATUS_CALLBACK_PATH}?message={message_id}"


def _send_with_twilio(sms: OutgoingSms) -> str:
    return create_message(sms.to_number, sms.body, status_callback_url(sms.message_id))


def create_message(to_number: str, body: str, status_callback: str | None = None) -> str:
    """Hand one text to Twilio's Messages API from `TWILIO_MESSAGING_FROM` and return its id.
    Raises `SendFailed`. Neither the body nor the number is logged here."""
    sender = current_app.config.get("TWILIO_MESSAGING_FROM")
    if not sender:
        # Not the message's fault: it waits, and goes once the setting is there.
        raise SendFailed(None, "TWILIO_MESSAGING_FROM is not set")
    origin = {"messaging_service_sid": sender} if sender.startswith("MG") else {"from_": sender}
    if status_callback:
        origin["status_callback"] = status_callback
    try:
        sent = twilio_client().messages.create(to=to_number, body=body, **origin)
    except TwilioRestException as error:
        raise SendFailed(
            error.status, f"Twilio {error.status} (code {error.code}): {error.msg}", error.code
        ) from error
    except Exception as error:  # no answer: a timeout, a refused or broken connection
        raise SendFailed(None, f"no answer from Twilio: {type(error).__name__}: {error}") from error
    return sent.sid


def _send_to_console(sms: OutgoingSms) -> str:
    # The body never carries personal data (app/rules/outbox.py); the number is cut short.
    current_app.logger.info(
        "console SMS %d to number ending %s: %s",
        sms.message_id,
        last_digits(sms.to_number),
        sms.body,
    )
    return f"console-{sms.message_id}"
