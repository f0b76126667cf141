"""Telephony: Twilio's webhooks (a call comes in, a call ends, a text's delivery report),
their signature checks, and `flask outbox work`. What the app asks of Twilio (texts, codes,
Lookup, voice) is in app/providers/, below the services."""

from flask import Blueprint

bp = Blueprint("telephony", __name__)

from app.telephony import message_status, voice  # noqa: E402, F401
