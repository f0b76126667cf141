"""Request ids on every log line, readiness, and Prometheus's figures behind a token."""

import io
import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import text as sql
from sqlalchemy.exc import DBAPIError

from app import clock
from app.extensions import db
from app.observability import log_handler
from app.services import periodic

TOKEN = "m" * 40


def test_a_request_answers_with_the_id_the_load_balancer_gave(client):
    response = client.get("/healthz", headers={"X-Request-Id": "lb-7f3a9c2e11"})

    assert response.headers["X-Request-Id"] == "lb-7f3a9c2e11"


def test_a_request_without_a_usable_id_is_given_one(client):
    made = client.get("/healthz").headers["X-Request-Id"]
    refused = client.get("/healthz", headers={"X-Request-Id": "bad id <script>"})

    assert len(made) == 32
    assert refused.headers["X-Request-Id"] not in {"", "bad id <script>"}
    assert refused.headers["X-Request-Id"] != made


def test_every_log_line_of_a_request_is_json_with_its_request_id(app, client):
    stream = io.StringIO()
    handler = log_handler(json_lines=True)
    handler.setStream(stream)
    app.logger.addHandler(handler)
    level = app.logger.level
    app.logger.setLevel(logging.INFO)
    try:
        client.get("/healthz", headers={"X-Request-Id": "req-0000000042"})
        app.logger.info("outside any request")
    finally:
        app.logger.setLevel(level)
        app.logger.removeHandler(handler)

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    [during, outside] = lines
    assert during["request_id"] == "req-0000000042"
    assert during["message"].startswith("GET /healthz 200 ")
    assert (during["route"], during["status"]) == ("/healthz", 200)
    assert outside["request_id"] == "-"


def test_not_ready_until_a_worker_has_been_seen_lately(app, client):
    never = client.get("/readyz")
    periodic.beat("worker", clock.now() - timedelta(seconds=90), process="w:1")
    stale = client.get("/readyz")
    periodic.beat("worker", clock.now(), process="w:2")
    ready = client.get("/readyz")

    assert never.status_code == 503
    assert never.get_json()["problems"] == ["worker: no outbox worker has ever run"]
    assert stale.status_code == 503
    assert stale.get_json()["problems"][0].startswith("worker: none seen for 9")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ok"}


def test_not_ready_when_redis_does_not_answer(app, client, monkeypatch):
    periodic.beat("worker", clock.now())
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:1/0")

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.get_json()["problems"] == ["redis: did not answer"]


def test_metrics_are_hidden_without_a_token_set(app, client):
    assert app.config["METRICS_TOKEN"] is None

    assert client.get("/metrics").status_code == 404


def test_metrics_refuse_a_wrong_or_missing_bearer(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)

    missing = client.get("/metrics")
    wrong = client.get("/metrics", headers={"Authorization": "Bearer " + "x" * 40})
    basic = client.get("/metrics", headers={"Authorization": "Basic " + TOKEN})

    assert [r.status_code for r in (missing, wrong, basic)] == [401, 401, 401]


def test_metrics_count_requests_by_route_and_webhook_refusals(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", "t" * 32)
    client.get("/healthz")
    client.post("/twilio/voice", data={"CallSid": "CA" + "1" * 32})

    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'cv_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'cv_http_request_seconds_bucket{le="0.005",route="/healthz"}' in text
    assert "cv_webhooks_refused_total" in text
    assert 'cv_outbox_messages{status="failed"} 0.0' in text
    assert "cv_outbox_due 0.0" in text
    assert "cv_verification_locks 0.0" in text


def test_a_request_id_with_a_line_break_is_replaced_not_logged_or_echoed(app, client):
    # `$` in a pattern matches before a final line break: "…\n" must not pass as an id, or
    # it would start a forged log line and the answer's header could not be written (a 500).
    forged = "lb-7f3a9c2e11\n"

    response = client.get("/healthz", environ_overrides={"HTTP_X_REQUEST_ID": forged})

    assert response.status_code == 200
    assert response.headers["X-Request-Id"] != forged.strip()
    assert "\n" not in response.headers["X-Request-Id"]


def test_a_request_id_too_long_or_with_odd_characters_is_replaced(client):
    for forged in ["a" * 65, "abcdefgh\r\nlevel: ERROR", "abcdefgh\x00", "ａｂｃｄｅｆｇｈ"]:
        response = client.get("/healthz", environ_overrides={"HTTP_X_REQUEST_ID": forged})

        assert response.status_code == 200
        assert response.headers["X-Request-Id"] != forged


def test_metrics_label_a_route_by_its_rule_never_by_what_was_in_the_address(
    app, client, signed_in_supervisor, monkeypatch
):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    signed_in_supervisor.get("/residents/424242")
    client.get("/portal/07700900123/Jane-Smith")

    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(
        as_text=True
    )

    assert 'route="/residents/<int:resident_id>"' in text
    assert 'route="unmatched"' in text
    for typed in ["424242", "07700900123", "Jane"]:
        assert typed not in text


def test_metrics_with_an_odd_bearer_are_refused_not_an_error(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)

    for given in ["Bearer ", "Bearer é" + TOKEN, "Bearer " + TOKEN + " ", "bearer " + TOKEN]:
        response = client.get("/metrics", headers={"Authorization": given})

        assert response.status_code == 401, given


def test_a_database_error_in_the_log_never_carries_the_values_it_was_given(app, caplog):
    # An unhandled error is logged with its traceback; SQLAlchemy's message would quote every
    # parameter of the statement (a resident's name, a number, what they typed).
    with pytest.raises(DBAPIError) as raised:
        db.session.execute(
            sql("INSERT INTO no_such_table (name) VALUES (:name)"), {"name": "Zebedee Okafor"}
        )
    db.session.rollback()

    assert "Zebedee" not in str(raised.value)


def test_a_request_refused_before_its_view_still_carries_its_request_id(client):
    # The CSRF check runs before every view: a post it refuses is logged and answered with
    # the request's id too, not "-" and an empty header.
    response = client.post("/portal/timed-out", headers={"X-Request-Id": "lb-refused-0001"})

    assert response.headers["X-Request-Id"] == "lb-refused-0001"
