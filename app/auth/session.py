"""Who is signed in: Flask-Login wiring for staff accounts and portal residents, and when a
session ends.

A staff session ends at sign-out (the account's session token is replaced, so a
copied cookie opens nothing), after the idle timeout (the signed cookie is refused
once older than `PERMANENT_SESSION_LIFETIME`), a fixed time after sign-in however
busy the console (`SESSION_ABSOLUTE_LIFETIME`), and when its cookie turns up from
another address or browser. A resident's session ends the same ways, and after
`PORTAL_IDLE_LIFETIME` without a request.

Between a right password and the second factor, the session signs nobody in: it holds only
whose password it was (`start_second_step`), for `TWO_FACTOR_STEP_MINUTES`, from the same
address and browser.
"""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from flask import current_app, flash, g, jsonify, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, login_user, logout_user

from app import clock
from app.htmx import is_htmx
from app.models import StaffUser
from app.services import portal as portal_service
from app.services import staff as staff_service

_SIGNED_IN_AT = "signed_in_at"
_CLIENT = "client"
_SEEN_AT = "seen_at"  # residents only: the idle timeout of the portal
# Residents only: a fingerprint of the date of birth and number they signed in with.
_SIGNED_IN_WITH = "signed_in_with"
# Staff part-way through signing in: the password was right, a second factor is still due.
_SECOND_STEP = "second_step"


def _client_key() -> str:
    """The address and browser a session was opened from, keyed with the app's secret
    so the cookie carries no readable trace of either."""
    seen = f"{request.remote_addr or ''}\0{request.headers.get('User-Agent', '')}"
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, seen.encode(), hashlib.sha256).hexdigest()


class StaffSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, renewed by every request (the idle timeout slides) except one a
    page makes on its own, such as the waiting-calls poll: a console left open is not a
    member of staff at work, and must still be signed out when idle."""

    def should_set_cookie(self, app, session) -> bool:
        if g.get("background_request"):
            return session.modified
        return super().should_set_cookie(app, session)


def background_request() -> None:
    """Mark this request as the page asking by itself: it does not keep the session alive."""
    g.background_request = True


def start_session(user: StaffUser) -> None:
    """A new session for a member of staff who has just signed in: no fixation."""
    session.clear()
    session.permanent = True
    login_user(user, remember=False)
    session[_SIGNED_IN_AT] = int(clock.now().timestamp())
    session[_CLIENT] = _client_key()


def start_second_step(user: StaffUser) -> None:
    """Remember, in a fresh session that signs nobody in, whose password was right: the
    account's session token (which only signing in replaces), when, and from where."""
    session.clear()
    session[_SECOND_STEP] = {
        "token": user.session_token,
        "at": int(clock.now().timestamp()),
        "client": _client_key(),
    }


def second_step_token() -> str | None:
    """The session token of the account part-way through signing in here, while its
    `TWO_FACTOR_STEP_MINUTES` last and from the same address and browser; else None."""
    pending = session.get(_SECOND_STEP)
    if not isinstance(pending, dict):
        return None
    at, token = pending.get("at"), pending.get("token")
    if not isinstance(at, int) or not isinstance(token, str):
        return None
    age = clock.now() - datetime.fromtimestamp(at, UTC)
    if age >= timedelta(minutes=current_app.config["TWO_FACTOR_STEP_MINUTES"]) or age.days < 0:
        return None
    if not hmac.compare_digest(str(pending.get("client", "")), _client_key()):
        return None
    return token


def start_resident_session(user) -> None:
    """A new session for a resident who has just signed in to the portal: no fixation, and
    nothing of any staff session in the same browser survives it."""
    session.clear()
    session.permanent = True
    login_user(user, remember=False)
    now = int(clock.now().timestamp())
    session[_SIGNED_IN_AT] = now
    session[_SEEN_AT] = now
    session[_CLIENT] = _client_key()
    session[_SIGNED_IN_WITH] = user.signed_in_with


def _resident_is_active() -> bool:
    """A resident is signed out after `PORTAL_IDLE_LIFETIME` without a request; each request
    moves the mark on."""
    seen_at = session.get(_SEEN_AT)
    if not isinstance(seen_at, int):
        return False
    now = clock.now()
    if now - datetime.fromtimestamp(seen_at, UTC) >= current_app.config["PORTAL_IDLE_LIFETIME"]:
        return False
    session[_SEEN_AT] = int(now.timestamp())
    return True


def end_session() -> None:
    logout_user()
    session.clear()


def _session_is_current() -> bool:
    signed_in_at = session.get(_SIGNED_IN_AT)
    if not isinstance(signed_in_at, int):
        return False
    age = clock.now() - datetime.fromtimestamp(signed_in_at, UTC)
    if age >= current_app.config["SESSION_ABSOLUTE_LIFETIME"]:
        return False
    return hmac.compare_digest(str(session.get(_CLIENT, "")), _client_key())


def init_login(manager: LoginManager) -> None:
    # Flask-Login's own "strong" protection only marks a permanent session as not
    # fresh; `_session_is_current` drops a session used from another address or browser.
    manager.session_protection = None
    manager.login_view = "auth.login"
    manager.login_message = "Sign in to continue"
    manager.login_message_category = "info"

    @manager.user_loader
    def load_user(user_id: str):
        if not _session_is_current():
            session.clear()
            return None
        kind, _, token = user_id.partition(":")
        if kind == "staff" and token:
            return staff_service.fetch_staff_by_session_token(token)
        if kind == "resident" and token:
            if not _resident_is_active():
                session.clear()
                return None
            try:
                return portal_service.fetch_signed_in(token, session.get(_SIGNED_IN_WITH))
            except portal_service.SignInDetailsChanged:
                session.clear()
                flash(portal_service.SIGNED_OUT_DETAILS_CHANGED, "info")
                return None
        return None

    @manager.unauthorized_handler
    def unauthorized():
        if is_htmx():
            # htmx cannot follow a redirect to a full page: ask it to navigate.
            response = jsonify(error="sign in required")
            response.status_code = 401
            response.headers["HX-Redirect"] = url_for("auth.login")
            return response
        # The path alone: a query string may carry what someone typed.
        return redirect(url_for("auth.login", next=request.path))
