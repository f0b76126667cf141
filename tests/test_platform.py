"""Health check, security headers and error pages."""

import logging
import stat
from pathlib import Path

import pytest
from flask import Flask

import config
from app import create_app
from config import DevelopmentConfig, ProductionConfig, TestConfig


def test_health_check_says_ok_and_nothing_else(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_health_check_answers_503_when_the_database_does_not(tmp_path):
    class BrokenDatabase(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/missing/dir/db.sqlite"

    broken: Flask = create_app(BrokenDatabase)

    response = broken.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Cache-Control", "no-store"),
    ],
    ids=["nosniff", "no-framing", "referrer-same-origin-only", "no-store"],
)
def test_pages_carry_security_headers(client, header, expected):
    response = client.get("/login")

    assert response.headers[header] == expected


def test_content_security_policy_allows_no_inline_script_or_eval(client):
    response = client.get("/login")

    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"].startswith("'self' 'nonce-")


def test_the_one_inline_script_carries_this_responses_nonce(client):
    response = client.get("/login")

    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.get_data(as_text=True)


def test_nonce_is_new_for_every_response(client):
    first = client.get("/login").headers["Content-Security-Policy"]
    second = client.get("/login").headers["Content-Security-Policy"]

    assert first != second


def test_unknown_page_gets_the_gov_uk_not_found_page(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_wrong_method_gets_405_with_a_page(client):
    response = client.delete("/login")

    assert response.status_code == 405
    assert "Sorry, there is a problem with the request" in response.get_data(as_text=True)


def test_unexpected_errors_are_logged_and_never_shown(app, client, caplog):
    def explode():
        raise RuntimeError("secret internal detail")

    explode.is_public = True
    app.view_functions["auth.login"], original = explode, app.view_functions["auth.login"]
    try:
        response = client.get("/login")
    finally:
        app.view_functions["auth.login"] = original

    assert response.status_code == 500
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)
    assert "secret internal detail" in caplog.text


def test_gov_uk_assets_are_served_where_the_stylesheet_expects_them(client):
    response = client.get("/assets/images/favicon.svg")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("secret", "database"),
    [
        (None, "postgresql+psycopg://db/x"),
        ("short", "postgresql+psycopg://db/x"),
        ("x" * 40, None),
    ],
    ids=["no-secret", "short-secret", "no-database"],
)
def test_production_refuses_to_start_without_real_secrets(monkeypatch, secret, database):
    for name, value in (("SECRET_KEY", secret), ("DATABASE_URL", database)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)

    with pytest.raises(RuntimeError):
        create_app(ProductionConfig)


PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 40,
    "DATABASE_URL": "postgresql+psycopg://db/x",
    "AUDIT_CHAIN_KEY": "k" * 40,
    "AUDIT_HEAD_FILE": "/var/log/caller-verification/audit-head.log",
    "PUBLIC_BASE_URL": "https://calls.council.example",
    "TWILIO_OFF": "1",
}


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"RATELIMIT_STORAGE_URI": "memory://"},
        {"RATELIMIT_STORAGE_URI": "memory://", "WEB_CONCURRENCY": "4"},
    ],
    ids=["storage-unset", "memory", "memory-with-four-workers"],
)
def test_production_refuses_per_process_sign_in_limits(monkeypatch, settings):
    for name in ("RATELIMIT_STORAGE_URI", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**PRODUCTION_ENV, **settings}.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        ProductionConfig.check()


@pytest.mark.parametrize(
    "settings",
    [
        {"RATELIMIT_STORAGE_URI": "redis://redis:6379/0"},
        {"RATELIMIT_STORAGE_URI": "memory://", "WEB_CONCURRENCY": "1"},
    ],
    ids=["shared-redis", "memory-in-one-process"],
)
def test_production_starts_with_shared_limits_or_one_process(monkeypatch, settings):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    for name, value in {**PRODUCTION_ENV, **settings}.items():
        monkeypatch.setenv(name, value)

    ProductionConfig.check()


def _production_env(monkeypatch, **head: str) -> None:
    """Production's settings with shared limits, and the head destinations given only."""
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://redis:6379/0")
    for name in ("AUDIT_HEAD_FILE", "AUDIT_HEAD_SYSLOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in PRODUCTION_ENV.items():
        if name != "AUDIT_HEAD_FILE":
            monkeypatch.setenv(name, value)
    for name, value in head.items():
        monkeypatch.setenv(name, value)


def test_production_refuses_to_start_with_nowhere_to_keep_the_audit_chains_head(monkeypatch):
    _production_env(monkeypatch)

    with pytest.raises(RuntimeError, match="AUDIT_HEAD_FILE"):
        ProductionConfig.check()


@pytest.mark.parametrize(
    "head",
    [
        {"AUDIT_HEAD_FILE": "/var/log/caller-verification/audit-head.log"},
        {"AUDIT_HEAD_SYSLOG": "logs.council.example:514"},
    ],
    ids=["file", "syslog"],
)
def test_production_starts_with_a_head_file_or_syslog(monkeypatch, head):
    _production_env(monkeypatch, **head)

    ProductionConfig.check()


VOICE_ENV = {
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "token",
    "TWILIO_API_KEY": "SK" + "2" * 32,
    "TWILIO_API_SECRET": "secret",
    "TWILIO_TWIML_APP_SID": "AP" + "3" * 32,
}


def _production_env_with_voice(monkeypatch, voice_names) -> None:
    """Production's settings, texts on, and of browser voice's settings only those named."""
    _production_env(
        monkeypatch,
        AUDIT_HEAD_FILE="/var/log/audit-head.log",
        TWILIO_MESSAGING_FROM="+447700900123",
    )
    for name, value in VOICE_ENV.items():
        if name in voice_names:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("left_out", sorted(VOICE_ENV), ids=sorted(VOICE_ENV))
def test_production_refuses_to_start_with_browser_voice_half_set_up(monkeypatch, left_out):
    _production_env_with_voice(monkeypatch, set(VOICE_ENV) - {left_out})

    with pytest.raises(RuntimeError, match=left_out):
        ProductionConfig.check()


@pytest.mark.parametrize("voice", [set(VOICE_ENV), set()], ids=["all", "none"])
def test_production_starts_with_browser_voice_all_set_up_or_none_of_it(monkeypatch, voice):
    _production_env_with_voice(monkeypatch, voice)

    ProductionConfig.check()


def _development_app(monkeypatch, instance: Path) -> Flask:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", instance)
    return create_app(DevelopmentConfig)


def test_development_makes_a_secret_of_its_own_and_keeps_it_private(monkeypatch, tmp_path):
    app = _development_app(monkeypatch, tmp_path)
    again = _development_app(monkeypatch, tmp_path)

    stored = (tmp_path / "secret_key").read_text().strip()
    assert app.secret_key == stored
    assert again.secret_key == stored
    assert len(stored) >= 43
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_each_checkout_gets_a_different_development_secret(monkeypatch, tmp_path):
    first = _development_app(monkeypatch, tmp_path / "one")
    second = _development_app(monkeypatch, tmp_path / "two")

    assert first.secret_key != second.secret_key


def test_development_uses_secret_key_from_the_environment_when_set(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.setenv("SECRET_KEY", "a-secret-from-the-environment")

    app = create_app(DevelopmentConfig)

    assert app.secret_key == "a-secret-from-the-environment"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("app_env", "expected"),
    [("development", DevelopmentConfig), ("test", TestConfig), ("production", ProductionConfig)],
    ids=["development", "test", "production"],
)
def test_app_env_names_the_configuration(monkeypatch, app_env, expected):
    monkeypatch.setenv("APP_ENV", app_env)

    assert config.config_from_environment() is expected


def test_app_env_unset_means_production(monkeypatch):
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    for name, value in {**PRODUCTION_ENV, "RATELIMIT_STORAGE_URI": "redis://redis:6379/0"}.items():
        monkeypatch.setenv(name, value)

    assert config.config_from_environment() is ProductionConfig


def test_app_env_unset_without_production_settings_refuses_and_says_how_to_develop(monkeypatch):
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)

    with pytest.raises(RuntimeError) as refused:
        create_app()

    assert "SECRET_KEY" in str(refused.value)
    assert "set APP_ENV=development" in str(refused.value)


def test_app_env_unset_refuses_unsigned_webhooks_and_demo_data(monkeypatch):
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    for name, value in {**PRODUCTION_ENV, "RATELIMIT_STORAGE_URI": "redis://redis:6379/0"}.items():
        monkeypatch.setenv(name, value)

    unset = create_app()
    # Read from the environment when config.py is imported, as a deployment's process does.
    unset.config["SECRET_KEY"] = PRODUCTION_ENV["SECRET_KEY"]
    webhook = unset.test_client().post("/twilio/voice", data={"CallSid": "CA" + "1" * 32})
    with unset.app_context():  # the suite's own app context is pushed already
        demo = unset.test_cli_runner().invoke(args=["demo-data", "--residents", "1"])

    assert unset.config["IS_PRODUCTION"] is True
    assert webhook.status_code == 403
    assert demo.exit_code != 0
    assert "production" in demo.output


def test_twilios_http_client_never_logs_the_addresses_it_asks_with_their_phone_numbers(app):
    twilio_log = logging.getLogger("twilio.http_client")

    assert not twilio_log.isEnabledFor(logging.INFO)
    assert twilio_log.isEnabledFor(logging.WARNING)


TWILIO_ENV = {
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "t" * 32,
    "TWILIO_MESSAGING_FROM": "MG" + "2" * 32,
}
TWILIO_SETTINGS = (
    *TWILIO_ENV, "TWILIO_OFF", "TWILIO_API_KEY", "TWILIO_API_SECRET",
    "TWILIO_MESSAGING_SERVICE_SID", "RESIDENT_PORTAL_URL",
)  # fmt: skip


def _ready_for_production(monkeypatch, **changes: str | None) -> None:
    """Production's settings, every one of them fine, then `changes` (None: unset)."""
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    for name in TWILIO_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    settings = {**PRODUCTION_ENV, "RATELIMIT_STORAGE_URI": "redis://redis:6379/0", **changes}
    for name, value in settings.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    "changes",
    [{}, {**TWILIO_ENV, "TWILIO_OFF": None}, {**TWILIO_ENV, "TWILIO_OFF": None,
     "RESIDENT_PORTAL_URL": "https://residents.council.example/portal"}],
    ids=["texts-knowingly-off", "twilio-with-a-sender", "twilio-with-a-portal-address"],
)  # fmt: skip
def test_production_starts_with_every_setting_it_needs(monkeypatch, changes):
    _ready_for_production(monkeypatch, **changes)

    ProductionConfig.check()


@pytest.mark.parametrize(
    ("changes", "setting", "what_to_set"),
    [
        (
            {"DATABASE_URL": "sqlite:////srv/cv/db.sqlite"},
            "DATABASE_URL",
            "postgresql+psycopg://",
        ),
        ({"PUBLIC_BASE_URL": None}, "PUBLIC_BASE_URL", "https://calls.example.gov.uk"),
        ({"PUBLIC_BASE_URL": "http://calls.council.example"}, "PUBLIC_BASE_URL", "https://"),
        ({"PUBLIC_BASE_URL": "https://127.0.0.1:5000"}, "PUBLIC_BASE_URL", "https://calls."),
        ({"PUBLIC_BASE_URL": "https://localhost"}, "PUBLIC_BASE_URL", "names this machine"),
        ({"PUBLIC_BASE_URL": "https://[::1]:8443"}, "PUBLIC_BASE_URL", "names this machine"),
        ({"TWILIO_OFF": None}, "TWILIO_ACCOUNT_SID", "TWILIO_OFF=1"),
        (
            {**TWILIO_ENV, "TWILIO_OFF": None, "TWILIO_MESSAGING_FROM": None},
            "TWILIO_MESSAGING_FROM",
            "Messaging Service SID",
        ),
        (
            {**TWILIO_ENV, "TWILIO_OFF": None, "RESIDENT_PORTAL_URL": "http://127.0.0.1:5000/portal"},
            "RESIDENT_PORTAL_URL",
            "https://calls.example.gov.uk/portal",
        ),
        (
            {**TWILIO_ENV, "TWILIO_OFF": None, "RESIDENT_PORTAL_URL": "https://0.0.0.0/portal"},
            "RESIDENT_PORTAL_URL",
            "names this machine",
        ),
    ],
    ids=[
        "sqlite", "no-public-address", "public-address-over-http", "public-address-loopback",
        "public-address-localhost", "public-address-ipv6-loopback", "console-backend",
        "twilio-without-a-sender", "twilio-with-the-default-portal-address",
        "twilio-with-a-portal-address-on-this-machine",
    ],
)  # fmt: skip
def test_production_refuses_what_cannot_work_naming_the_setting(
    monkeypatch, changes, setting, what_to_set
):
    _ready_for_production(monkeypatch, **changes)

    with pytest.raises(RuntimeError) as refused:
        ProductionConfig.check()

    assert str(refused.value).startswith(setting)
    assert what_to_set in str(refused.value)


def test_productions_portal_address_defaults_to_the_public_address(monkeypatch):
    _ready_for_production(monkeypatch, PUBLIC_BASE_URL="https://calls.council.example/")

    assert config.production_portal_url() == "https://calls.council.example/portal"
