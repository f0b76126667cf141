"""Security headers, the content security policy and access guards.

Every endpoint must say who may use it: `public`, `staff_required(...)`
with the roles allowed, or `resident_required` for the portal. A request to an
endpoint that says none of these is refused (default deny), so a new route cannot
be left open by omission.
"""

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from app.rules.vocabulary import Role

ALL_STAFF = frozenset(Role)
_STATIC_ENDPOINTS = frozenset({"static", "assets"})


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view as open to anyone, signed in or not."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def staff_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow signed-in, active staff whose role is one of `roles` (all staff if none)."""
    allowed = frozenset(roles) or ALL_STAFF

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated or not hasattr(current_user, "role"):
                return current_app.login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        guarded.allowed_roles = allowed  # type: ignore[attr-defined]
        return guarded

    return decorator


def resident_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Allow only a resident signed in to the portal; anyone else (a member of staff too) is
    sent to the portal's sign-in. What the page shows is loaded for that resident alone."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated or not hasattr(current_user, "resident_id"):
            return redirect(url_for("portal.start"))
        return view(*args, **kwargs)

    guarded.for_residents = True  # type: ignore[attr-defined]
    return guarded


def is_declared(view: Callable[..., Any]) -> bool:
    return (
        getattr(view, "is_public", False)
        or hasattr(view, "allowed_roles")
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
            "connect-src 'self'",
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
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
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
    app.before_request(_make_nonce)
    app.before_request(_refuse_undeclared_endpoints)
    app.after_request(_set_security_headers)
