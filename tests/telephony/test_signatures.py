"""A webhook's signature covers every value of every field, as Twilio signs them: a field sent
more than once is checked with all its values, never only the first."""

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Call
from tests.telephony.fake_twilio import ACCOUNT_SID, AUTH_TOKEN

PATH = "/twilio/voice"
FIELDS = [
    ("CallSid", "CA" + "1" * 32),
    ("AccountSid", ACCOUNT_SID),
    ("From", "+447700900123"),
    ("To", "+441164960000"),
    ("CallStatus", "ringing"),
]


def post(client, app, sent: MultiDict, signed_over: MultiDict):
    url = app.config["PUBLIC_BASE_URL"] + PATH
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, signed_over)
    return client.post(PATH, data=sent, headers={"X-Twilio-Signature": signature})


def calls() -> int:
    return db.session.scalar(select(func.count()).select_from(Call))


def test_a_request_signed_over_a_field_sent_twice_is_believed(fake_twilio, client, app):
    form = MultiDict([*FIELDS, ("StirVerstat", "TN-Validation-Passed-A"), ("StirVerstat", "B")])

    response = post(client, app, form, signed_over=form)

    assert response.status_code == 200
    assert calls() == 1


@pytest.mark.parametrize(
    ("sent", "signed_over"),
    [
        (
            MultiDict([*FIELDS, ("StirVerstat", "A"), ("StirVerstat", "tampered")]),
            MultiDict([*FIELDS, ("StirVerstat", "A"), ("StirVerstat", "B")]),
        ),
        (
            MultiDict([*FIELDS, ("From", "+447700900999")]),
            MultiDict(FIELDS),
        ),
        (
            MultiDict([*FIELDS, ("StirVerstat", "A")]),
            MultiDict([*FIELDS, ("StirVerstat", "A"), ("StirVerstat", "B")]),
        ),
    ],
    ids=["a-repeated-value-changed", "a-value-added-to-a-signed-field", "a-repeated-value-dropped"],
)
def test_a_request_whose_repeated_values_were_tampered_with_is_refused(
    fake_twilio, client, app, sent, signed_over
):
    response = post(client, app, sent, signed_over)

    assert response.status_code == 403
    assert calls() == 0
