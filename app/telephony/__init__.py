"""Telephony: the provider's webhooks, the provider client, and the console backend used when
no provider credentials are set."""

from flask import Blueprint

bp = Blueprint("telephony", __name__)

from app.telephony import message_status, voice  # noqa: E402, F401
