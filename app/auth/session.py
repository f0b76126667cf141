"""Who is signed in: Flask-Login wiring for staff accounts and portal residents, and when a
session ends.

A staff session ends at sign-out (the account's session token is replaced, so a
copied cookie opens nothing), after the idle timeout (the signed cookie is refused
once older than `PERMANENT_SESSION_LIFETIME`), a fixed time after sign-in however
busy the console (`SESSION_ABSOLUTE_LIFETIME`), and when its cookie turns up from
another address or browser. A resident's session ends the same ways, and after
`PORTAL_IDLE_LIFETIME` without a request.

When a staff session has ended, the cookie still says whose it was and why it ended
(app/rules/sessions.py): a page left open is told "You have been signed out: you signed in
on another browser or device", never just shown the sign-in page, and the sign-in brings
the member of staff back to the page they were on.

Between a right password and the second factor, the session signs nobody in: it holds only
whose password it was (`start_second_step`), for `TWO_FACTOR_STEP_MINUTES`, from the same
address and browser.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, g, jsonify, redirect, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import AnonymousUserMixin, LoginManager, login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired

from app import clock
from app.audit_origin import staff_loaded
from app.htmx import is_htmx, wants_json
from app.models import StaffUser
from app.rules.capabilities import SignedInKind, UserKind
from app.rules.sessions import SessionEnd, SessionLimits, end_by_time_or_place, signed_out_message
from app.services import portal as portal_service
from app.services import staff as staff_service

_SIGNED_IN_AT = "signed_in_at"
_CLIENT = "client"
_SEEN_AT = "seen_at"  # residents only: the idle timeout of the portal
# Residents only: a fingerprint of the date of birth and number they signed in with.
_SIGNED_IN_WITH = "signed_in_with"
# Staff part-way through signing in: the password was right, a second factor is still due.
_SECOND_STEP = "second_step"
_STAFF_ID = "staff_id"  # whose session it is, to say why it ended once its token is replaced
_ENDED = "ended_because"  # why this browser's session ended, until the next sign-in
_FLASK_LOGIN_USER = "_user_id"


def _client_key() -> str:
    """The address and browser a session was opened from, keyed with the app's secret
    so the cookie carries no readable trace of either."""
    seen = f"{request.remote_addr or ''}\0{request.headers.get('User-Agent', '')}"
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, seen.encode(), hashlib.sha256).hexdigest()


class StaffSession(SecureCookieSession):
    """The signed cookie's contents, and when the cookie was last renewed: the idle timeout
    runs from then."""

    renewed_at: datetime | None = None


class StaffSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, renewed by every request (the idle timeout slides) except one a
    page makes on its own, such as the waiting-calls poll: a console left open is not a
    member of staff at work, and must still be signed out when idle."""

    session_class = StaffSession
    _made_for: tuple | None = None
    _serializer = None

    def get_signing_serializer(self, app):
        """Flask's signer of the cookie, made once for the app's keys rather than twice on
        every request: it holds nothing of any request, and a key changed is a new one."""
        if not app.secret_key:
            return None
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if self._made_for != keys:
            self._serializer = super().get_signing_serializer(app)
            self._made_for = keys
        return self._serializer

    def open_session(self, app, request) -> StaffSession | None:
        serializer = self.get_signing_serializer(app)
        cookie = request.cookies.get(self.get_cookie_name(app))
        if serializer is None or not cookie:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, renewed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except SignatureExpired:
            return self._idle_session_ended(serializer, cookie)
        except BadSignature:
            return self.session_class()
        opened = self.session_class(data)
        opened.renewed_at = renewed_at
        return opened

    def _idle_session_ended(self, serializer, cookie: str) -> StaffSession:
        """A cookie past the idle timeout opens nothing. Its signature is still good, so when
        it was a member of staff's, the new session remembers that it ended for want of
        activity (or why it had ended before that)."""
        fresh = self.session_class()
        data = serializer.loads(cookie)  # the signature was checked; only its age failed
        if not isinstance(data, dict):
            return fresh
        if str(data.get(_FLASK_LOGIN_USER, "")).startswith(f"{UserKind.STAFF}:"):
            fresh[_ENDED] = SessionEnd.IDLE.value
        elif _ENDED in data:
            fresh[_ENDED] = data[_ENDED]
        return fresh

    def should_set_cookie(self, app, session) -> bool:
        if g.get("background_request"):
            return session.modified
        return super().should_set_cookie(app, session)

    def get_expiration_time(self, app, session) -> datetime | None:
        """The browser keeps the cookie as long as a sign-in can last; the server refuses it
        once idle (its signature's age). Were the browser to drop it at the idle timeout, a
        page left open could not be told whose session it was, or that it ended for want of
        activity."""
        if not session.permanent:
            return None
        return datetime.now(UTC) + app.config["SESSION_ABSOLUTE_LIFETIME"]


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
    session[_STAFF_ID] = user.id


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


def end_session(because: SessionEnd | None = None) -> None:
    """Sign out in this browser; `because`, when given, is what other pages still open in it
    are told."""
    logout_user()
    session.clear()
    if because is not None:
        session[_ENDED] = because.value


def _ended_by_time_or_place() -> SessionEnd | None:
    signed_in_at = session.get(_SIGNED_IN_AT)
    return end_by_time_or_place(
        datetime.fromtimestamp(signed_in_at, UTC) if isinstance(signed_in_at, int) else None,
        clock.now(),
        current_app.config["SESSION_ABSOLUTE_LIFETIME"],
        hmac.compare_digest(str(session.get(_CLIENT, "")), _client_key()),
    )


def _remember_end(because: SessionEnd) -> None:
    """Drop the session, keeping only why it ended."""
    session.clear()
    session[_ENDED] = because.value


def ended_because() -> SessionEnd | None:
    """Why the staff session in this browser ended, or None if nobody was signed in here."""
    if g.get("session_ended") is not None:
        return g.session_ended
    try:
        return SessionEnd(session.get(_ENDED))
    except ValueError:
        return None


def session_limits() -> SessionLimits:
    config = current_app.config
    return SessionLimits(config["PERMANENT_SESSION_LIFETIME"], config["SESSION_ABSOLUTE_LIFETIME"])


@dataclass(frozen=True)
class TimeLeft:
    """How long the signed-in member of staff has before their session ends by itself."""

    ends_in: timedelta
    can_stay: bool  # the idle timeout comes first, so activity keeps the session going


def time_left() -> TimeLeft:
    """Time left before the idle timeout or the absolute lifetime ends this session. A
    background request does not renew the cookie, so the idle timeout runs from the last
    request that did; any other request renews it now. The idle timeout is the cookie's own,
    timed by the clock its signature carries."""
    limits = session_limits()
    cookie_now = datetime.now(UTC)
    renewed_at = session.renewed_at if g.get("background_request") else None
    idle_left = limits.idle - (cookie_now - (renewed_at or cookie_now))
    signed_in_at = datetime.fromtimestamp(session.get(_SIGNED_IN_AT, 0), UTC)
    absolute_left = limits.absolute - (clock.now() - signed_in_at)
    return TimeLeft(max(min(idle_left, absolute_left), timedelta(0)), idle_left < absolute_left)


def _return_to() -> dict:
    """`next` for the sign-in: the page the person was on. A page's own request (htmx, or
    asking for JSON) names its page in HX-Current-URL or Referer; a form posted without
    htmx came from its Referer too. Only a path on this site, without its query string,
    which may carry what someone typed."""
    if request.method == "GET" and not is_htmx() and not wants_json():
        return {"next": request.path}
    page = request.headers.get("HX-Current-URL") if is_htmx() else request.referrer
    parts = urlsplit(page or "")
    if parts.netloc == request.host and parts.path.startswith("/"):
        return {"next": parts.path}
    return {} if is_htmx() or wants_json() else {"next": request.path}


def _flash_once(message: str) -> None:
    """Flash `message` unless it is already waiting to be shown (a page's requests each
    find the session ended)."""
    if message not in [waiting for _, waiting in session.get("_flashes", [])]:
        flash(message, "info")


class Nobody(AnonymousUserMixin, SignedInKind):
    """Nobody signed in: neither a member of staff nor a resident."""


def init_login(manager: LoginManager) -> None:
    # Flask-Login's own "strong" protection only marks a permanent session as not
    # fresh; `_session_is_current` drops a session used from another address or browser.
    manager.session_protection = None
    manager.login_view = "auth.login"
    manager.login_message = "Sign in to continue"
    manager.login_message_category = "info"
    manager.anonymous_user = Nobody

    @manager.user_loader
    def load_user(user_id: str):
        ended = _ended_by_time_or_place()
        if ended is not None:
            _remember_end(ended)
            return None
        kind, _, token = user_id.partition(":")
        if kind == UserKind.STAFF and token:
            user = staff_service.fetch_staff_by_session_token(token)
            if user is not None:
                staff_loaded(user.id, user.role.value)
            if user is None:
                # Asked afresh on each request: the cookie (and its CSRF token) stays, so a
                # form posted from a page still open is told why, not that it expired.
                g.session_ended = staff_service.why_sessions_ended(session.get(_STAFF_ID))
            return user
        if kind == UserKind.RESIDENT and token:
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
        ended = ended_because()
        sign_in = url_for("auth.login", **_return_to())
        message = (
            signed_out_message(ended, session_limits(), current_app.config["STAFF_ACCOUNT_CONTACT"])
            if ended
            else None
        )
        if message:
            _flash_once(message)
        if is_htmx() or wants_json():
            # A page's own request cannot follow a redirect to a full page: say why, and
            # where to sign in. htmx navigates there unless the page handles it itself.
            response = jsonify(
                error="sign in required",
                reason=ended.value if ended else "not-signed-in",
                message=message or "Sign in to continue",
                sign_in=sign_in,
            )
            response.status_code = 401
            response.headers["X-Session-Ended"] = ended.value if ended else "not-signed-in"
            if is_htmx():
                response.headers["HX-Redirect"] = sign_in
            return response
        return redirect(sign_in)
