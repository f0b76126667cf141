"""Signing a resident in to the portal as a browser would, reading the console's code.

A sign-in only queues its code; the outbox worker sends it. `send_queued_codes` is that
worker's round, and reading the phone (`console_code`, `texts_sent`) runs one first, as the
worker beside the app would have by the time a resident looks.
"""

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage
from app.rules.vocabulary import MessageKind
from app.services import portal_codes
from tests.helpers import count_rows, csrf_token

BORN = "14/03/1948"  # the `resident` fixture's date of birth


def send_queued_codes() -> portal_codes.CodesDone:
    """One round of the worker's portal codes."""
    done = portal_codes.send_queued_codes()
    db.session.expire_all()
    return done


def texts_sent() -> int:
    send_queued_codes()
    return count_rows(OutboxMessage, OutboxMessage.kind == MessageKind.TEXT_CODE)


def console_code() -> str:
    send_queued_codes()
    body = db.session.scalar(
        select(OutboxMessage.body)
        .where(OutboxMessage.kind == MessageKind.TEXT_CODE)
        .order_by(OutboxMessage.id.desc())
    )
    return re.search(r"\d{6}", body).group()


def give_details(client: FlaskClient, reference: str, born: str = BORN):
    return client.post(
        "/portal",
        data={
            "reference": reference,
            "date_of_birth": born,
            "csrf_token": csrf_token(client, "/portal"),
        },
    )


def give_code(client: FlaskClient, code: str):
    return client.post(
        "/portal/code", data={"code": code, "csrf_token": csrf_token(client, "/portal/code")}
    )


def portal_sign_in(client: FlaskClient, resident, born: str = BORN) -> FlaskClient:
    assert give_details(client, resident.reference, born).status_code == 302
    response = give_code(client, console_code())
    assert response.headers["Location"] == "/portal/your-record", response.get_data(as_text=True)
    return client
