"""Configuration, read from the environment.

`Config` holds the defaults that work offline on one machine: a SQLite file
under `instance/`, in-memory rate limits and the console SMS backend (which makes
one-time codes outside production only: production sends them through Twilio or not at all).
Development without `SECRET_KEY` uses a secret made for this checkout and kept
in `instance/secret_key`; no secret is written here.
`ProductionConfig` refuses to start without a real secret key and database,
or with sign-in limits that each process would count on its own.
"""

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
# Templates, static files and migrations: in a checkout, beside this file; installed from
# the wheel, in the app package (setup.py puts them there).
IS_CHECKOUT = (BASE_DIR / "templates").is_dir()
RESOURCE_DIR = BASE_DIR if IS_CHECKOUT else BASE_DIR / "app" / "bundle"
# Files the app writes (the development database and secret, benchmark figures): INSTANCE_PATH,
# else instance/ in a checkout, else instance/ in the working directory.
INSTANCE_DIR = Path(
    os.environ.get("INSTANCE_PATH") or (BASE_DIR if IS_CHECKOUT else Path.cwd()) / "instance"
)


def database_url(url: str | None) -> str | None:
    """Accept the `postgres://` URLs hosting platforms hand out, and use psycopg 3."""
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def local_address(host: str | None, port: str | None) -> str:
    """The address `make run` serves the app on, from HOST and PORT (127.0.0.1 and 5000 by
    default): what the demo banner prints, and what residents' texts and the links `flask
    staff` prints use unless PUBLIC_BASE_URL or RESIDENT_PORTAL_URL say otherwise. A server
    listening on every interface is reached from this machine on localhost."""
    host = (host or "").strip() or "127.0.0.1"
    if host in {"0.0.0.0", "::", "[::]"}:  # noqa: S104 (a name for every interface, not a bind)
        host = "localhost"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{(port or '').strip() or '5000'}"


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise RuntimeError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def checkout_secret_key(instance_dir: Path) -> str:
    """This checkout's development secret: made on first use, then read from the file.

    Written under a temporary name and linked into place, so two processes starting
    together agree on one secret and neither reads a half-written file.
    """
    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        draft = instance_dir / f".secret_key.{secrets.token_hex(8)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


class _CheckoutSecretKey:
    """`SECRET_KEY` from the environment, else this checkout's own, read when the app
    loads its configuration (never when config.py is imported)."""

    def __get__(self, instance: object, owner: type) -> str:
        return os.environ.get("SECRET_KEY") or checkout_secret_key(INSTANCE_DIR)


def production_portal_url() -> str:
    """`RESIDENT_PORTAL_URL`, else the portal on the address the world reaches the app on."""
    return os.environ.get("RESIDENT_PORTAL_URL") or (
        os.environ.get("PUBLIC_BASE_URL", "").rstrip("/") + "/portal"
    )


class Config:
    SERVICE_NAME = "Caller verification"
    COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "City Council")
    SECRET_KEY = os.environ.get("SECRET_KEY")

    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL")) or (
        f"sqlite:///{INSTANCE_DIR / 'caller-verification.sqlite'}"
    )
    # A database error's message never carries the values it was given (names, numbers,
    # what a resident typed): it is written to the log with the traceback.
    # pool_pre_ping: a connection the database dropped (a restart, a failover) is replaced
    # before a request uses it, rather than failing that request.
    # On PostgreSQL, psycopg prepares a statement at its sixth run on a connection
    # (prepare_threshold 5, kept: a lower one measured no cheaper, and 0 prepares every
    # statement run once); requests that only read end with COMMIT (app/read_commits.py)
    # because a ROLLBACK makes it forget them.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    # No form is longer (there are no uploads): a larger body, even to a public page such as
    # the portal's, is refused with 413 before it is read.
    MAX_CONTENT_LENGTH = 1024 * 1024
    # Form fields drawn once for the same parameters, per process (app/templating.py).
    WIDGET_CACHE = True

    # Staff sessions: a signed cookie re-issued on every request and refused by the
    # server once older than the idle timeout, so an unattended console signs itself out.
    # The browser keeps it until the absolute lifetime (app/auth/session.py), so a page
    # left open is told it was signed out for want of activity.
    SESSION_COOKIE_NAME = "cv_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_REFRESH_EACH_REQUEST = True
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=_int("SESSION_IDLE_MINUTES", 30))
    # However busy the console, a sign-in lasts this long (checked on the server).
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=_int("SESSION_ABSOLUTE_HOURS", 12))
    # The call page warns this long before the idle timeout signs the handler out, with
    # "Stay signed in" (GOV.UK's timeout warning).
    SESSION_WARNING_BEFORE = timedelta(minutes=_int("SESSION_WARNING_MINUTES", 2))
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session that holds it
    WTF_CSRF_SSL_STRICT = True

    # Sign-in attempts are counted here, before the password is checked
    # (app/rules/sign_in_limits.py): per account from one address and per address, refused
    # past the limit; per account from every address, a brake that slows each address to one
    # attempt per SIGN_IN_SLOW_DOWN_SECONDS rather than refusing anyone.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    SIGN_IN_LIMIT_PER_ACCOUNT_AND_ADDRESS = os.environ.get(
        "SIGN_IN_LIMIT_PER_ACCOUNT_AND_ADDRESS", "5 per 15 minutes"
    )
    SIGN_IN_LIMIT_PER_ACCOUNT = os.environ.get("SIGN_IN_LIMIT_PER_ACCOUNT", "100 per 15 minutes")
    SIGN_IN_LIMIT_PER_ADDRESS = os.environ.get("SIGN_IN_LIMIT_PER_ADDRESS", "30 per 15 minutes")
    SIGN_IN_SLOW_DOWN_SECONDS = _int("SIGN_IN_SLOW_DOWN_SECONDS", 20)
    # The resident portal: attempts per reference number from one address, per client
    # address, and per reference from every address (the brake, as for staff); and how long
    # a resident stays signed in without a request.
    PORTAL_SIGN_IN_LIMIT_PER_REFERENCE_AND_ADDRESS = os.environ.get(
        "PORTAL_SIGN_IN_LIMIT_PER_REFERENCE_AND_ADDRESS", "5 per 15 minutes"
    )
    PORTAL_SIGN_IN_LIMIT_PER_REFERENCE = os.environ.get(
        "PORTAL_SIGN_IN_LIMIT_PER_REFERENCE", "50 per 15 minutes"
    )
    PORTAL_SIGN_IN_LIMIT_PER_ADDRESS = os.environ.get(
        "PORTAL_SIGN_IN_LIMIT_PER_ADDRESS", "30 per 15 minutes"
    )
    PORTAL_IDLE_LIFETIME = timedelta(minutes=_int("PORTAL_IDLE_MINUTES", 15))
    # How long before the idle limit a resident's page warns them, and offers to keep them
    # signed in (GOV.UK's timeout warning).
    PORTAL_IDLE_WARNING = timedelta(seconds=_int("PORTAL_IDLE_WARNING_SECONDS", 120))
    # With Twilio Verify, a wrong portal code is refused no sooner than this many seconds after
    # it was typed, so the time Verify takes to answer never tells whether the details matched.
    PORTAL_CODE_REFUSAL_SECONDS = float(os.environ.get("PORTAL_CODE_REFUSAL_SECONDS", "1.5"))

    # Number of proxies in front of the app that set X-Forwarded-* (0: none trusted).
    PROXY_COUNT = _int("PROXY_COUNT", 0)

    # Argon2 cost; the test profile only exists to keep the test suite quick.
    ARGON2_PROFILE = "rfc-9106-low-memory"

    TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID")
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN")
    # An API key and secret may stand in for the auth token when calling Twilio; webhook
    # signatures are still checked with the auth token.
    TWILIO_API_KEY = os.environ.get("TWILIO_API_KEY")
    TWILIO_API_SECRET = os.environ.get("TWILIO_API_SECRET")
    # The address Twilio calls us on (webhook signatures cover it), e.g. https://calls.example.gov.uk
    LOCAL_ADDRESS = local_address(os.environ.get("HOST"), os.environ.get("PORT"))
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", LOCAL_ADDRESS)
    # Where texts come from: a Messaging Service SID (MG...) or a number in E.164.
    TWILIO_MESSAGING_FROM = os.environ.get("TWILIO_MESSAGING_FROM") or os.environ.get(
        "TWILIO_MESSAGING_SERVICE_SID"
    )
    TWILIO_VERIFY_SERVICE_SID = os.environ.get("TWILIO_VERIFY_SERVICE_SID")
    # Ask Twilio Lookup v2 about a number (SIM swap, line type, forwarding) before texting a
    # code to it; needs Lookup's SIM swap package on the account.
    TWILIO_LOOKUP_ENABLED = os.environ.get("TWILIO_LOOKUP_ENABLED", "").lower() in {"1", "true"}
    # When Lookup cannot say whether the SIM was changed lately: "hold" refuses the code (the
    # handler is told why), "warn" sends it and tells the handler.
    TWILIO_LOOKUP_UNKNOWN = _choice("TWILIO_LOOKUP_UNKNOWN", "hold", ("hold", "warn"))
    TWILIO_QUEUE_NAME = os.environ.get("TWILIO_QUEUE_NAME", "contact-centre")
    # Answering in the browser (Twilio's Voice JavaScript SDK): the TwiML App its tokens name
    # (AP...), signed with TWILIO_API_KEY and TWILIO_API_SECRET; how long a token lasts (an
    # hour at most: the page asks for a new one before it runs out); where a caller on hold
    # waits, and what they hear.
    TWILIO_TWIML_APP_SID = os.environ.get("TWILIO_TWIML_APP_SID")
    # The council's number (E.164, a Twilio number or a verified caller ID) a call back to a
    # resident rings from; without it nobody is rung back.
    TWILIO_CALLER_ID = os.environ.get("TWILIO_CALLER_ID")
    VOICE_TOKEN_TTL_SECONDS = min(_int("VOICE_TOKEN_TTL_SECONDS", 3600), 3600)
    TWILIO_HOLD_QUEUE_NAME = os.environ.get("TWILIO_HOLD_QUEUE_NAME", "on-hold")
    TWILIO_HOLD_MESSAGE = os.environ.get(
        "TWILIO_HOLD_MESSAGE", "Please hold: the person you are speaking to will be back shortly."
    )
    TWILIO_QUEUE_MESSAGE = os.environ.get(
        "TWILIO_QUEUE_MESSAGE",
        "Thank you for calling the council. Please hold: the next person free will answer.",
    )

    # What verifies a caller as the resident, and how many failures lock it
    # (arguments of app.rules.verification.VerificationPolicy and lockout.LockoutPolicy).
    VERIFICATION_POLICY = {
        "knowledge_factors_needed": _int("VERIFY_KNOWLEDGE_FACTORS", 2),
        "secret_word_plus": _int("VERIFY_SECRET_WORD_PLUS", 1),
        "sms_code_alone": True,
    }
    # Codes sent by text (arguments of app.rules.text_codes.TextCodePolicy).
    TEXT_CODE_POLICY = {
        "expiry_minutes": _int("TEXT_CODE_EXPIRY_MINUTES", 10),
        "max_checks": _int("TEXT_CODE_MAX_CHECKS", 5),
        "sends_per_hour": _int("TEXT_CODE_SENDS_PER_HOUR", 3),
        "recent_change_days": _int("TEXT_CODE_RECENT_CHANGE_DAYS", 7),
        "lookup_unknown": TWILIO_LOOKUP_UNKNOWN,
    }
    LOCKOUT_POLICY = {
        "max_failures": _int("VERIFY_MAX_FAILURES", 3),
        "window": timedelta(hours=_int("VERIFY_FAILURE_WINDOW_HOURS", 24)),
    }
    # One caller number failing verification on this many different residents' records within
    # this window is warned about on its calls and listed for supervisors (never blocked).
    CROSS_RECORD_POLICY = {
        "window": timedelta(hours=_int("CROSS_RECORD_FAILURE_WINDOW_HOURS", 24)),
        "residents": _int("CROSS_RECORD_FAILURE_RESIDENTS", 3),
    }

    # Verbal consent given on a call lapses after this many months unless renewed.
    VERBAL_CONSENT_MONTHS = _int("VERBAL_CONSENT_MONTHS", 12)

    # A caller's verification ends after this long without a change or check on the call, and
    # a call left open this long is closed.
    VERIFICATION_IDLE_MINUTES = _int("VERIFICATION_IDLE_MINUTES", 20)
    CALL_MAX_MINUTES = _int("CALL_MAX_MINUTES", 240)

    # Hidden details (date of birth, address, postcode, reference, LPA access codes) each
    # member of staff may reveal outside a call per London day; 0 turns revealing off.
    REVEALS_PER_DAY = _int("REVEALS_PER_DAY", 20)

    # Messages to residents (app/services/outbox.py): where a resident sees what was reported,
    # how they reach the council, and how long the outbox keeps trying through an outage
    # (arguments of app.rules.outbox.RetryPolicy; the defaults keep trying for 3.5 to 7 hours).
    RESIDENT_PORTAL_URL = os.environ.get(
        "RESIDENT_PORTAL_URL", f"{PUBLIC_BASE_URL.rstrip('/')}/portal"
    )
    COUNCIL_CONTACT = os.environ.get("COUNCIL_CONTACT", "the phone number on our website")
    # Whom a member of staff whose account is deactivated is told to ask.
    STAFF_ACCOUNT_CONTACT = os.environ.get(
        "STAFF_ACCOUNT_CONTACT", "an administrator of this service"
    )
    OUTBOX_RETRY_POLICY = {
        "first_delay": timedelta(seconds=_int("OUTBOX_FIRST_RETRY_SECONDS", 30)),
        "max_delay": timedelta(seconds=_int("OUTBOX_MAX_RETRY_SECONDS", 3600)),
        "max_attempts": _int("OUTBOX_MAX_ATTEMPTS", 14),
    }
    OUTBOX_POLL_SECONDS = _int("OUTBOX_POLL_SECONDS", 5)
    # How long a message a worker took stays its own: a worker that stops mid-batch leaves
    # its messages to the others after this long (keep it well above a batch's sending time).
    OUTBOX_LEASE_SECONDS = _int("OUTBOX_LEASE_SECONDS", 600)

    # How many days each kind of record is kept before `flask retention purge` removes it
    # (app.rules.retention.Schedule.from_days; docs/rules.md, "Retention", says why).
    RETENTION_SCHEDULE_DAYS = {
        "calls": _int("RETENTION_CALLS_DAYS", 731),
        "entries": _int("RETENTION_ENTRIES_DAYS", 2192),
        # Service areas kept longer or shorter than the default, by code.
        "entries_by_area": {
            "adult-social-care": _int("RETENTION_ADULT_SOCIAL_CARE_ENTRIES_DAYS", 2922),
        },
        "hoax_entries": _int("RETENTION_HOAX_ENTRIES_DAYS", 3653),
        "verification_attempts": _int("RETENTION_VERIFICATION_ATTEMPTS_DAYS", 366),
        "messages": _int("RETENTION_MESSAGES_DAYS", 366),
        "audit_events": _int("RETENTION_AUDIT_EVENTS_DAYS", 2922),
        # Changes to residents' numbers on file: who, when, on what check, the numbers.
        "phone_changes": _int("RETENTION_PHONE_CHANGES_DAYS", 2192),
        "portal_sign_ins": _int("RETENTION_PORTAL_SIGN_INS_DAYS", 31),
    }
    # Rows removed in each transaction of a purge.
    RETENTION_BATCH_SIZE = _int("RETENTION_BATCH_SIZE", 1000)

    # Staff who must sign in with a code from an authenticator app as well as a password
    # (role values, comma-separated); add "handler" to ask it of call handlers too.
    TWO_FACTOR_ROLES = frozenset(
        role.strip()
        for role in os.environ.get("TWO_FACTOR_ROLES", "supervisor,admin").split(",")
        if role.strip()
    )
    # How long someone has, after a right password, to give their code.
    TWO_FACTOR_STEP_MINUTES = _int("TWO_FACTOR_STEP_MINUTES", 10)
    # How long a set-password link an administrator issues keeps working (it works once).
    PASSWORD_LINK_HOURS = _int("PASSWORD_LINK_HOURS", 24)

    # The audit log's chain key (HMAC-SHA256; app/services/audit.py): never stored with the
    # events. Development and tests derive one from SECRET_KEY; production must set it.
    AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY")
    # Off only in the benchmark, to measure what the MACs cost; never read from the environment.
    AUDIT_CHAIN_ENABLED = True
    # Where every sealing round that sealed something writes the chain's new head, out of the
    # database's reach (app/services/audit_head.py): an append-only file, which `flask audit
    # verify` checks the chain against, and/or a syslog address ("host:port", or a socket such
    # as /dev/log). Production needs one of them.
    AUDIT_HEAD_FILE = os.environ.get("AUDIT_HEAD_FILE")
    AUDIT_HEAD_SYSLOG = os.environ.get("AUDIT_HEAD_SYSLOG")
    # How long an event may wait to be sealed; one left unsealed longer fails `flask audit
    # verify` (the sealer is not running, or seals were deleted).
    AUDIT_SEALING_GRACE = timedelta(minutes=_int("AUDIT_SEALING_GRACE_MINUTES", 5))

    # The bearer token Prometheus scrapes /metrics with; unset, /metrics answers 404.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN")

    DEMO_DATA_ALLOWED = True
    IS_PRODUCTION = False
    # "Simulate a call" on the Calls page: a waiting call from any number, with no phone
    # system. Development (and the tests) only; never in production.
    SIMULATED_CALLS_ALLOWED = False


class DevelopmentConfig(Config):
    SIMULATED_CALLS_ALLOWED = True
    # A number in Ofcom's drama range: the console rings nobody from it.
    TWILIO_CALLER_ID = os.environ.get("TWILIO_CALLER_ID", "+441164960000")
    SECRET_KEY = _CheckoutSecretKey()
    # The default head file goes with the default database in instance/; a database named by
    # DATABASE_URL has one only where AUDIT_HEAD_FILE says, so no two databases share one.
    AUDIT_HEAD_FILE = os.environ.get("AUDIT_HEAD_FILE") or (
        None if os.environ.get("DATABASE_URL") else str(INSTANCE_DIR / "audit-head.log")
    )


class TestConfig(Config):
    TESTING = True
    SIMULATED_CALLS_ALLOWED = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL")) or "sqlite://"
    ARGON2_PROFILE = "cheapest"
    RATELIMIT_STORAGE_URI = "memory://"
    # No provider unless a test installs the fake one (tests/telephony/fake_twilio.py).
    TWILIO_ACCOUNT_SID = None
    TWILIO_AUTH_TOKEN = None
    TWILIO_API_KEY = None
    TWILIO_API_SECRET = None
    TWILIO_TWIML_APP_SID = None
    TWILIO_CALLER_ID = "+441164960000"
    PUBLIC_BASE_URL = "http://localhost"
    # The suite gives the head file a temporary path of its own (tests/conftest.py).
    AUDIT_HEAD_FILE = None
    AUDIT_HEAD_SYSLOG = None


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-cv_session"
    DEMO_DATA_ALLOWED = False
    IS_PRODUCTION = True
    # The portal is served by the app itself: by default, on the address the world reaches.
    RESIDENT_PORTAL_URL = production_portal_url()

    @classmethod
    def check(cls) -> None:
        """Refuse to start without a real secret and database, with sign-in limits that
        several processes would each count on their own, with nowhere to keep the audit
        chain's head, or with what cannot work in production: SQLite, a webhook address
        Twilio cannot reach, Twilio without a sender or a portal address, texts and codes on
        the console backend. Each refusal names the setting and what to set."""
        secret = os.environ.get("SECRET_KEY", "")
        if len(secret) < 32:
            raise RuntimeError("SECRET_KEY must be set to a random value of 32 characters or more")
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("DATABASE_URL must be set in production")
        storage = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        if storage.startswith("memory://") and os.environ.get("WEB_CONCURRENCY") != "1":
            raise RuntimeError(
                "RATELIMIT_STORAGE_URI must name a store shared by every process, such as "
                "redis://host:6379/0; memory:// is allowed only with WEB_CONCURRENCY=1 "
                "(one process in one instance)"
            )
        chain_key = os.environ.get("AUDIT_CHAIN_KEY", "")
        if len(chain_key) < 32 or chain_key == secret:
            raise RuntimeError(
                "AUDIT_CHAIN_KEY must be set to a random value of 32 characters or more, "
                "different from SECRET_KEY"
            )
        if not (os.environ.get("AUDIT_HEAD_FILE") or os.environ.get("AUDIT_HEAD_SYSLOG")):
            raise RuntimeError(
                "AUDIT_HEAD_FILE (a file on storage the database server cannot write) or "
                "AUDIT_HEAD_SYSLOG (a syslog address) must be set in production: the audit "
                "chain's head is kept there, out of the database's reach"
            )
        _check_reachable_addresses()
        _check_twilio()
        _check_voice()


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _public_https_url(name: str, example: str, why: str) -> None:
    """Refuse `name` unless it is an https:// address other machines can reach."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise RuntimeError(f"{name} must be set in production, e.g. {example}: {why}")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise RuntimeError(
            f"{name} must be an https:// address, e.g. {example}, not {value!r}: {why}"
        )
    if _is_loopback(value):
        raise RuntimeError(
            f"{name} names this machine ({value!r}); set it to the address the world "
            f"reaches the app on, e.g. {example}: {why}"
        )


def _check_reachable_addresses() -> None:
    """SQLite in production, and addresses nobody outside this machine can open."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("sqlite"):
        raise RuntimeError(
            "DATABASE_URL names a SQLite file; production needs PostgreSQL, e.g. "
            "postgresql+psycopg://app:password@db.internal:5432/caller_verification (several "
            "processes write at once, and the periodic jobs lock with PostgreSQL)"
        )
    _public_https_url(
        "PUBLIC_BASE_URL",
        "https://calls.example.gov.uk",
        "Twilio calls the webhooks there and signs that address; any other is refused",
    )


def _check_twilio() -> None:
    """Twilio set up so that texts and codes reach residents, or knowingly not used."""
    has_token = os.environ.get("TWILIO_AUTH_TOKEN") or (
        os.environ.get("TWILIO_API_KEY") and os.environ.get("TWILIO_API_SECRET")
    )
    if not (os.environ.get("TWILIO_ACCOUNT_SID") and has_token):
        if os.environ.get("TWILIO_OFF", "").lower() in {"1", "true", "yes"}:
            return
        raise RuntimeError(
            "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and "
            "TWILIO_API_SECRET) must be set in production: without them texts to residents "
            "would go to the console backend (the log) and no code could be sent. Set "
            "TWILIO_OFF=1 to run knowingly without texts, codes or calls"
        )
    if not (
        os.environ.get("TWILIO_MESSAGING_FROM") or os.environ.get("TWILIO_MESSAGING_SERVICE_SID")
    ):
        raise RuntimeError(
            "TWILIO_MESSAGING_FROM must be set with Twilio's credentials: a Messaging Service "
            "SID (MG...) or a sending number in E.164 such as +447700900123. Without a sender "
            "every text to a resident is retried for hours and then dropped"
        )
    if os.environ.get("RESIDENT_PORTAL_URL"):
        _public_https_url(
            "RESIDENT_PORTAL_URL",
            "https://calls.example.gov.uk/portal",
            "texts to residents link there, so it must open on a resident's phone (unset, "
            "it is PUBLIC_BASE_URL followed by /portal)",
        )


def _check_voice() -> None:
    """Answering calls in the browser set up whole, or not at all."""
    voice_missing = voice_settings_missing(os.environ)
    if voice_missing:
        raise RuntimeError(
            f"Answering calls in the browser needs {', '.join(voice_missing)} as well: "
            "set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_API_KEY, TWILIO_API_SECRET "
            "and TWILIO_TWIML_APP_SID together, or none of the last three"
        )


VOICE_SETTINGS = ("TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_TWIML_APP_SID")


def voice_settings_missing(environ) -> list[str]:
    """The settings missing for Twilio voice when some of it is set: browser voice needs the
    account, the auth token (webhook signatures), an API key and secret and a TwiML App.
    None set (voice off in production), or all of them: nothing missing."""
    if not any(environ.get(name) for name in VOICE_SETTINGS):
        return []
    needed = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", *VOICE_SETTINGS)
    return [name for name in needed if not environ.get(name)]


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}


# Said when APP_ENV is unset and production's settings are missing.
DEVELOPMENT_HINT = (
    "APP_ENV is not set, so the app runs as in production. For a development checkout, set "
    "APP_ENV=development (make run, make db and make demo do)"
)


def config_from_environment() -> type[Config]:
    """The configuration APP_ENV names. Unset means production, which refuses to start
    without its settings: a deployment that forgot APP_ENV never accepts unsigned webhooks or
    loads demo data."""
    name = os.environ.get("APP_ENV")
    if name is None:
        try:
            ProductionConfig.check()
        except RuntimeError as error:
            raise RuntimeError(f"{error}. {DEVELOPMENT_HINT}") from None
        return ProductionConfig
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
