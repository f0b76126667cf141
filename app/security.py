"""Security headers, the content security policy and access guards.

Every endpoint must say who may use it: `public`, `staff_required(...)` with the
capability it needs (app/rules/capabilities.py), or `resident_required` for the portal. A
request to an endpoint that says none of these is refused (default deny), so a new route
cannot be left open by omission. Templates ask `can(Capability.X)` before offering a link,
from the same table.
"""

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from app.rules.capabilities import Capability, roles_that_may

_STATIC_ENDPOINTS = frozenset({"static", "assets"})


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view as open to anyone, signed in or not."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def staff_required(*capabilities: Capability) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow signed-in, active staff whose role may do every one of `capabilities` (any member
    of staff if none is named). `allowed_roles` on the view says which roles that is."""
    needed = frozenset(capabilities)

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = signed_in_user()
            if not (user.is_authenticated and user.is_staff):
                return current_app.login_manager.unauthorized()
            if not all(user.can(capability) for capability in needed):
                abort(403)
            return view(*args, **kwargs)

        guarded.capabilities = needed  # type: ignore[attr-defined]
        guarded.allowed_roles = roles_that_may(*needed)  # type: ignore[attr-defined]
        return guarded

    return decorator


def signed_in_user() -> Any:
    """Who is signed in (the anonymous user if nobody), itself rather than `current_user`: each
    attribute read through that proxy looks the user up in the request again, a dozen Python
    calls. Read it once where a request reads several of its attributes."""
    return current_user._get_current_object()


def signed_in_staff() -> bool:
    """A member of staff is signed in (not a resident, not nobody)."""
    user = signed_in_user()
    return user.is_authenticated and user.is_staff


def signed_in_resident() -> bool:
    """A resident is signed in to the portal (not a member of staff, not nobody)."""
    return current_user.is_authenticated and current_user.is_resident


def can(capability: Capability | str) -> bool:
    """Whether the signed-in member of staff may do `capability`: templates offer a link or a
    section only where the server would allow it. An unknown capability is an error, not a
    quiet "no"."""
    wanted = Capability(capability)
    user = signed_in_user()
    return user.is_authenticated and user.is_staff and user.can(wanted)


def resident_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Allow only a resident signed in to the portal; anyone else (a member of staff too) is
    sent to the portal's sign-in. What the page shows is loaded for that resident alone."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not signed_in_resident():
            return redirect(url_for("portal.start"))
        return view(*args, **kwargs)

    guarded.for_residents = True  # type: ignore[attr-defined]
    return guarded


def is_declared(view: Callable[..., Any]) -> bool:
    return (
        getattr(view, "is_public", False)
        or hasattr(view, "capabilities")
        or getattr(view, "for_residents", False)
    )


def _refuse_undeclared_endpoints() -> None:
    if request.endpoint is None or request.endpoint in _STATIC_ENDPOINTS:
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is not None and not is_declared(view):
        current_app.logger.error("endpoint %s has no access rule; refused", request.endpoint)
        abort(403)


def _make_nonce() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)


def _content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            # The Voice SDK signals over Twilio's websockets and reports call quality to
            # Twilio; its ringing and other sounds come from Twilio's SDK host.
            "connect-src 'self' wss://*.twilio.com https://*.twilio.com",
            "media-src 'self' blob: https://sdk.twilio.com",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _set_security_headers(response):
    headers = response.headers
    headers["Content-Security-Policy"] = _content_security_policy(g.get("csp_nonce", "none"))
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    # Same-origin: other sites never see our URLs, and our own forms still carry the
    # Referer that the CSRF check demands over HTTPS (WTF_CSRF_SSL_STRICT).
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(self), geolocation=(), payment=()"
    if current_app.config["IS_PRODUCTION"]:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint in _STATIC_ENDPOINTS:
        headers.setdefault("Cache-Control", "public, max-age=3600")
    else:
        # Pages may carry personal data: never keep them in any cache.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def init_security(app: Flask) -> None:
    app.add_template_global(can)
    app.add_template_global(Capability, "Capability")
    app.before_request(_make_nonce)
    app.before_request(_refuse_undeclared_endpoints)
    app.after_request(_set_security_headers)
