"""The staff-only Messages page, and `flask outbox work` that sends what it lists."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import OutboxMessage
from app.rules.vocabulary import MessageKind, MessageStatus, Role
from app.services import outbox
from config import BASE_DIR


def queue(resident, n: int = 1, first: datetime | None = None) -> None:
    for i in range(n):
        if first:
            clock.set_now(first + timedelta(minutes=i))
        outbox.queue_message(MessageKind.REPORT_MADE, resident, f"Message {i}")
    db.session.commit()
    clock.set_now(None)


def test_supervisors_see_messages_newest_first_with_the_number_cut_short(
    signed_in_supervisor, resident
):
    queue(resident, 2, first=datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    failing = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    failing.attempts = 2
    failing.last_error = "no answer from Twilio: TimeoutError"

    db.session.commit()
    page = signed_in_supervisor.get("/messages").get_data(as_text=True)

    assert page.index("Message 1") < page.index("Message 0")
    assert "Number ending 123" in page
    assert "+447700900123" not in page and "07700 900123" not in page
    assert "Waiting to be sent" in page
    assert "Last error: no answer from Twilio: TimeoutError" in page
    assert "Someone reported something on your record" in page
    assert "2 messages." in page


def test_without_twilio_the_page_says_texts_go_to_the_console(signed_in_supervisor, resident):
    queue(resident)
    outbox.send_all_due()

    page = signed_in_supervisor.get("/messages").get_data(as_text=True)

    assert "Twilio is not set up" in page
    assert "Sent" in page


def test_with_twilio_the_page_does_not_mention_the_console(signed_in_supervisor, fake_twilio):
    page = signed_in_supervisor.get("/messages").get_data(as_text=True)

    assert "Twilio is not set up" not in page


def test_no_messages_shows_an_empty_state(signed_in_admin):
    page = signed_in_admin.get("/messages").get_data(as_text=True)

    assert "No messages yet" in page


def test_messages_come_a_page_at_a_time(signed_in_supervisor, resident):
    queue(resident, 30, first=datetime(2026, 11, 30, 9, 0, tzinfo=UTC))

    first = signed_in_supervisor.get("/messages").get_data(as_text=True)
    second = signed_in_supervisor.get("/messages?page=2").get_data(as_text=True)
    beyond = signed_in_supervisor.get("/messages?page=3")

    assert "Message 29" in first and "Message 5" in first and "Message 4" not in first
    assert "Message 4" in second and "Message 0" in second and "Message 29" not in second
    assert "2 of 2" in first
    assert beyond.status_code == 404


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.SUPERVISOR, True), (Role.ADMIN, True), (Role.HANDLER, False)],
    ids=["supervisor", "admin", "handler"],
)
def test_only_supervisors_and_admins_see_messages(signed_in_client, role, allowed):
    client = signed_in_client(role)

    response = client.get("/messages")
    console = client.get("/").get_data(as_text=True)

    assert response.status_code == (200 if allowed else 403)
    assert ('href="/messages"' in console) is allowed


def test_outbox_work_once_sends_what_is_due_and_prints_counts(app, resident):
    queue(resident, 3)

    result = app.test_cli_runner().invoke(args=["outbox", "work", "--once"])

    assert result.exit_code == 0
    assert "Sent 3, to retry later 0, failed 0." in result.output
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses == [MessageStatus.SENT] * 3


def test_outbox_work_keeps_sending_until_sigterm_then_stops_cleanly(app, resident):
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_AUTH_TOKEN": "",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "outbox", "work", "--poll-seconds", "0.2"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        queue(resident)
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and status is not MessageStatus.SENT:
            time.sleep(0.2)
            db.session.expire_all()
            status = db.session.scalar(select(OutboxMessage.status))
            db.session.commit()
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()

    assert status is MessageStatus.SENT, output
    assert worker.returncode == 0, output
    assert "Outbox worker stopped. Sent 1" in output
