"""Signing a resident in to the portal as a browser would, reading the console's code."""

import re

from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import OutboxMessage
from app.rules.vocabulary import MessageKind
from tests.helpers import csrf_token

BORN = "14/03/1948"  # the `resident` fixture's date of birth


def texts_sent() -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == MessageKind.TEXT_CODE)
        )
        or 0
    )


def console_code() -> str:
    db.session.expire_all()
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
