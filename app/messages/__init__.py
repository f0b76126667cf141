"""Messages to residents: what the outbox sent, or is still trying to send, for supervisors."""

from flask import Blueprint

bp = Blueprint("messages", __name__)

from app.messages import views  # noqa: E402, F401
