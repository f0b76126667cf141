"""Health check, security headers and error pages."""

import pytest
from flask import Flask

from app import create_app
from config import ProductionConfig, TestConfig


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
        ("development-only-secret-key-not-for-production", "postgresql+psycopg://db/x"),
        ("short", "postgresql+psycopg://db/x"),
        ("x" * 40, None),
    ],
    ids=["no-secret", "development-secret", "short-secret", "no-database"],
)
def test_production_refuses_to_start_without_real_secrets(monkeypatch, secret, database):
    for name, value in (("SECRET_KEY", secret), ("DATABASE_URL", database)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)

    with pytest.raises(RuntimeError):
        create_app(ProductionConfig)
