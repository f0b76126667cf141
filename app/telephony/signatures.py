"""Webhooks are believed only when Twilio signed them.

The signature covers the URL Twilio called, so it is checked against the public URL
(`PUBLIC_BASE_URL` and the request's path and query), not the address the app saw behind a
proxy. A request that fails the check is refused with 403 before anything is read or written.
Checking is on whenever `TWILIO_AUTH_TOKEN` is set; without it, production refuses everything.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator

from app.observability import WEBHOOKS_REFUSED
from app.typed_input import as_sent


def public_url() -> str:
    """The URL Twilio called for this request."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    query = request.query_string.decode("latin-1")
    return base + request.path + (f"?{query}" if query else "")


def is_signed_by_twilio() -> bool:
    """Whether to believe this webhook request.

    With `TWILIO_AUTH_TOKEN` set, only a valid signature will do, in development too. Without
    it, production refuses every request; development (no provider, the console backend
    standing in) accepts them unsigned, so an inbound call can be tried offline.
    """
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    if not token:
        return not current_app.config["IS_PRODUCTION"]
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    validator = RequestValidator(token)
    # Every value of every field: Twilio signs them all, and a field sent twice must not
    # pass on the signature of its first value alone.
    return validator.validate(public_url(), as_sent(request.form), signature)


def twilio_signed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse (403) a webhook request that Twilio did not sign for this URL."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not is_signed_by_twilio():
            current_app.logger.warning("webhook refused: bad or missing Twilio signature")
            WEBHOOKS_REFUSED.inc()
            abort(403)
        return view(*args, **kwargs)

    return checked
