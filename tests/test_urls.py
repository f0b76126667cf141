"""Addresses built once per process (app/urls.py): kept by endpoint, values and where the app
is served from; never when they could carry anything personal."""

import pytest
from flask import Flask, url_for

from app import urls


@pytest.fixture
def built(app, monkeypatch):
    """Every address Flask itself builds, while the app's store starts empty."""
    monkeypatch.setattr(app, "built_urls", {})
    own = Flask.url_for
    calls = []

    def counted(self, endpoint, **values):
        calls.append(endpoint)
        return own(self, endpoint, **values)

    monkeypatch.setattr(Flask, "url_for", counted)
    return calls


def test_an_address_is_built_once_for_the_same_values(app, built):
    with app.test_request_context("/"):
        first = [url_for("calls.show_call", call_id=7) for _ in range(3)]
        other = url_for("calls.show_call", call_id=8)
        static = [url_for("static", filename="js/waiting_count.js") for _ in range(2)]

    assert first == ["/calls/7"] * 3 and other == "/calls/8"
    assert static[0] == static[1] == "/static/js/waiting_count.js"
    assert built == ["calls.show_call", "calls.show_call", "static"]


def test_templates_keep_what_they_built_too(app, built):
    with app.test_request_context("/"):
        drawn = app.jinja_env.from_string("{{ url_for('calls.show_call', call_id=7) }}")
        assert [drawn.render(), drawn.render()] == ["/calls/7"] * 2
    assert len(built) == 1


def test_where_the_app_is_served_from_is_part_of_the_address(app, built):
    with app.test_request_context("/", base_url="http://localhost/"):
        plain = url_for("calls.show_call", call_id=7)
    with app.test_request_context("/", base_url="http://localhost/council/"):
        prefixed = url_for("calls.show_call", call_id=7)
    with app.test_request_context("/", base_url="https://other.example/"):
        external = url_for("calls.show_call", call_id=7, _external=True)

    assert (plain, prefixed) == ("/calls/7", "/council/calls/7")
    assert external == "https://other.example/calls/7"


@pytest.mark.parametrize(
    "values",
    [
        {"call_id": 7, "_anchor": "phones"},
        {"call_id": 7, "_external": True},
        {"call_id": 7, "q": "Smith"},  # text the code does not give: a search, say
        {"call_id": 7, "step": ["report"]},
        {"call_id": True},
    ],
)
def test_an_address_with_anything_else_is_built_afresh(app, built, values):
    with app.test_request_context("/"):
        first, second = (url_for("calls.show_call", **values) for _ in range(2))

    assert first == second
    assert len(built) == 2 and app.built_urls == {}


def test_anchors_are_still_written(app, built):
    with app.test_request_context("/"):
        url_for("calls.show_call", call_id=7)
        assert url_for("calls.show_call", call_id=7, _anchor="phones") == "/calls/7#phones"


def test_the_store_is_bounded(app, built, monkeypatch):
    monkeypatch.setattr(urls, "BUILT_URLS_SIZE", 3)
    with app.test_request_context("/"):
        for call_id in range(10):
            url_for("calls.show_call", call_id=call_id)
    assert len(app.built_urls) <= 3


def test_nothing_is_kept_outside_a_request(app, built):
    app.config["SERVER_NAME"], server_name = "localhost", app.config.get("SERVER_NAME")
    try:
        with app.app_context():
            url_for("calls.show_call", call_id=7)
    finally:
        app.config["SERVER_NAME"] = server_name
    assert app.built_urls == {}
