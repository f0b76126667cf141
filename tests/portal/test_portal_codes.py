"""The portal's codes: queued by the sign-in request, sent by the worker (Lookup first), never
twice, never stored or logged readably, unavailable in production without a provider; and
the text telling a resident someone signed in."""

import logging
import re
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import OutboxMessage, PortalSession, Resident
from app.models.portal_session import PortalCodeState
from app.models.staff import new_session_token
from app.rules.vocabulary import MessageKind, TextCodeProvider
from app.services import portal_codes
from tests import factories
from tests.helpers import audit_events, count_rows, text_in_database, without_tokens
from tests.portal.helpers import (
    BORN,
    console_code,
    give_code,
    give_details,
    portal_sign_in,
    send_queued_codes,
)
from tests.telephony.fake_twilio import APPROVED_CODE

VERIFY_SID = "VA" + "1" * 32
SERVICE_SID = "MG" + "b" * 32
NUMBER = "+447700900123"  # the `resident` fixture's mobile


@pytest.fixture
def verify(app, fake_twilio, monkeypatch):
    """Twilio Verify and Lookup, through the fake."""
    monkeypatch.setitem(app.config, "TWILIO_VERIFY_SERVICE_SID", VERIFY_SID)
    monkeypatch.setitem(app.config, "TWILIO_LOOKUP_ENABLED", True)
    return fake_twilio


@pytest.fixture
def messaging(production, app, fake_twilio, monkeypatch):
    """Production with Twilio Messaging and Lookup, and no Verify service."""
    monkeypatch.setitem(app.config, "TWILIO_MESSAGING_FROM", SERVICE_SID)
    monkeypatch.setitem(app.config, "TWILIO_LOOKUP_ENABLED", True)
    return fake_twilio


def _code_page(client) -> str:
    """The page a visitor sees after giving details, without the tokens every page has."""
    return without_tokens(client.get("/portal/code"))


CASES = {
    "right-details": ("right", BORN),
    "right-reference-wrong-date": ("right", "1/1/1950"),
    "unknown-reference": ("ZZZZ-ZZZZ-ZZZ", BORN),
}


def test_the_sign_in_request_never_asks_a_provider_and_the_worker_sends_one_code(
    app, resident, verify, stopped_clock
):
    pages = {}
    for name, (reference, born) in CASES.items():
        client = app.test_client()

        response = give_details(
            client, resident.reference if reference == "right" else reference, born
        )

        assert response.headers["Location"] == "/portal/code"
        assert verify.requests == [], f"{name}: the request asked the provider"
        pages[name] = _code_page(client)

    done = send_queued_codes()

    assert done.sent == 1
    (lookup,) = verify.sent("lookups.twilio.com/v2/PhoneNumbers/")
    (sent,) = verify.sent("/Verifications")
    assert verify.requests.index(lookup) < verify.requests.index(sent)
    assert sent.data == {"To": NUMBER, "Channel": "sms"}
    assert len(set(pages.values())) == 1
    assert send_queued_codes().taken == 0
    assert len(verify.requests) == 2


def test_a_code_typed_before_the_worker_sent_it_asks_no_provider(client, resident, verify):
    give_details(client, resident.reference, BORN)

    refused = give_code(client, APPROVED_CODE)

    assert "The code is not right" in refused.get_data(as_text=True)
    assert verify.requests == []


def test_the_code_the_worker_sent_signs_the_resident_in(client, resident, verify):
    give_details(client, resident.reference, BORN)
    send_queued_codes()

    response = give_code(client, APPROVED_CODE)

    assert response.headers["Location"] == "/portal/your-record"
    row = db.session.scalar(select(PortalSession))
    assert row.provider is TextCodeProvider.TWILIO_VERIFY
    assert row.code_hash is None
    assert row.code_state is PortalCodeState.SENT


def test_no_database_lock_or_transaction_is_held_while_the_worker_sends_a_code(
    client, resident, verify
):
    give_details(client, resident.reference, BORN)
    row_id, resident_id = db.session.execute(
        select(PortalSession.id, PortalSession.resident_id)
    ).one()  # read now: nothing loads while the worker sends
    noted = verify.note_locks((PortalSession, row_id), (Resident, resident_id))

    done = send_queued_codes()

    assert done.sent == 1
    assert noted == [(True, False), (True, False)]  # Lookup, then Verify


def test_no_database_lock_or_transaction_is_held_while_verify_checks_a_portal_code(
    client, resident, verify
):
    give_details(client, resident.reference, BORN)
    send_queued_codes()
    row = (PortalSession, db.session.scalar(select(PortalSession.id)))
    noted = verify.note_locks(row, (Resident, resident.id), only="/VerificationCheck")

    response = give_code(client, APPROVED_CODE)

    assert response.headers["Location"] == "/portal/your-record"
    assert noted == [(True, False)]  # rows free, and no transaction open


def test_an_approval_that_comes_back_after_the_sign_ins_checks_ran_out_is_refused(
    app, client, resident, verify, monkeypatch
):
    monkeypatch.setitem(app.config, "PORTAL_CODE_REFUSAL_SECONDS", 0)
    give_details(client, resident.reference, BORN)
    send_queued_codes()
    max_checks = app.config["TEXT_CODE_POLICY"]["max_checks"]

    def use_up_the_checks(request) -> None:
        if request.uri.endswith("/VerificationCheck"):
            verify.while_answering = None
            for _ in range(max_checks):  # another tab, while Verify answers the right code
                give_code(client, "000000")

    verify.while_answering = use_up_the_checks

    response = give_code(client, APPROVED_CODE)

    assert "The code is not right" in response.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.scalar(select(PortalSession))
    assert row.checks == max_checks
    assert row.signed_in_at is None
    assert len(verify.sent("/VerificationCheck")) == max_checks + 1


@pytest.mark.parametrize(
    "sim_swap",
    [
        {
            "last_sim_swap": {
                "last_sim_swap_date": None,
                "swapped_period": "PT3H12M5S",
                "swapped_in_period": True,
            },
            "error_code": None,
        },
        {"last_sim_swap": None, "error_code": 60620},
    ],
    ids=["swapped-hours-ago", "lookup-could-not-say"],
)
def test_a_held_portal_code_is_simply_not_sent(app, resident, verify, sim_swap):
    answer = verify.lookup_of(NUMBER)
    answer["sim_swap"] = {**answer["sim_swap"], **sim_swap}
    verify.lookups[NUMBER] = answer
    matched, stranger = app.test_client(), app.test_client()
    give_details(matched, resident.reference, BORN)
    give_details(stranger, resident.reference, "2/2/1952")

    done = send_queued_codes()

    assert done.sent == 0 and done.not_sent == 1
    assert len(verify.sent("lookups.twilio.com")) == 1
    assert verify.sent("/Verifications") == []
    assert _code_page(matched) == _code_page(stranger)
    (event,) = audit_events("portal.code_not_sent")
    assert event.detail["reason"].startswith("held: ")
    assert (
        db.session.scalar(
            select(PortalSession.provider).where(PortalSession.resident_id.is_not(None))
        )
        is None
    )


def test_a_code_the_provider_would_not_take_is_not_sent_and_counts_towards_nothing(
    app, resident, verify
):
    verify.respond(200, verify.lookup_of(NUMBER))
    verify.fail_next(TimeoutError("read timed out"))
    give_details(app.test_client(), resident.reference, BORN)

    done = send_queued_codes()

    assert done.not_sent == 1
    assert db.session.scalar(select(PortalSession.code_state)) is PortalCodeState.NOT_SENT
    for _ in range(3):
        give_details(app.test_client(), resident.reference, BORN)
    assert send_queued_codes().sent == 3


def test_a_code_taken_by_a_worker_is_never_sent_again(client, resident, verify):
    give_details(client, resident.reference, BORN)
    taken, _ = portal_codes._claim(portal_codes.BATCH_SIZE)  # a worker that then stopped

    done = send_queued_codes()

    assert len(taken) == 1
    assert done.taken == 0
    assert verify.sent("/Verifications") == []
    assert db.session.scalar(select(PortalSession.code_state)) is PortalCodeState.SENDING
    assert "The code is not right" in give_code(client, APPROVED_CODE).get_data(as_text=True)


def test_a_sign_in_that_expired_before_the_worker_came_is_not_sent_a_code(
    app, client, resident, verify
):
    give_details(client, resident.reference, BORN)
    clock.set_now(clock.now() + timedelta(minutes=app.config["TEXT_CODE_POLICY"]["expiry_minutes"]))

    assert send_queued_codes().not_sent == 1
    assert verify.requests == []


def _queue_codes(residents) -> None:
    now = clock.now()
    for resident in residents:
        db.session.add(
            PortalSession(
                token=new_session_token(),
                resident_id=resident.id,
                created_at=now,
                expires_at=now + timedelta(minutes=10),
                checks=0,
                code_state=PortalCodeState.QUEUED,
            )
        )
    db.session.commit()


def test_two_workers_at_once_send_each_queued_code_exactly_once(app, verify):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("several workers need PostgreSQL (SKIP LOCKED); run one on SQLite")
    residents = [factories.make_resident(phones=[f"+4477009{n:05d}"]) for n in range(40)]
    _queue_codes(residents)
    verify.delay = 0.01
    taken_by = Counter()

    def worker(name: str) -> None:
        with app.app_context():
            taken_by[name] += portal_codes.send_queued_codes().taken

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    sent_to = Counter(request.data["To"] for request in verify.sent("/Verifications"))
    assert sent_to == {resident.phones[0].number: 1 for resident in residents}
    assert taken_by["a"] > 0 and taken_by["b"] > 0
    db.session.expire_all()
    states = set(db.session.scalars(select(PortalSession.code_state)))
    assert states == {PortalCodeState.SENT}


# ---- Production ---------------------------------------------------------------------------


@pytest.mark.parametrize("twilio", [False, True], ids=["no-twilio", "twilio-without-a-sender"])
def test_in_production_without_a_provider_residents_cannot_sign_in_online(
    request, app, production, resident, twilio, caplog
):
    if twilio:
        request.getfixturevalue("fake_twilio")
    caplog.set_level(logging.DEBUG)
    client = app.test_client()

    shown = client.get("/portal").get_data(as_text=True)
    posted = give_details(client, resident.reference, BORN)

    for page in (shown, posted.get_data(as_text=True)):
        assert "You cannot sign in online at the moment" in page
        assert app.config["COUNCIL_CONTACT"] in page
        assert 'name="reference"' not in page
    assert posted.status_code == 200
    assert send_queued_codes().taken == 0
    assert count_rows(PortalSession) == 0
    assert count_rows(OutboxMessage) == 0
    assert "console text code" not in caplog.text


def test_in_production_with_messaging_the_portal_code_is_texted_and_only_its_hash_kept(
    app, messaging, client, resident, caplog
):
    caplog.set_level(logging.DEBUG)
    give_details(client, resident.reference, BORN)

    send_queued_codes()
    (text,) = messaging.sent("/Messages.json")
    code = re.search(r"\b(\d{6})\b", text.data["Body"]).group(1)
    stored = text_in_database()
    response = give_code(client, code)

    assert text.data["To"] == NUMBER
    assert text.data["MessagingServiceSid"] == SERVICE_SID
    assert "sign in to see your council record" in text.data["Body"]
    assert "StatusCallback" not in text.data
    assert response.headers["Location"] == "/portal/your-record"
    assert code not in stored
    assert code not in text_in_database()
    assert code not in caplog.text
    row = db.session.scalar(select(PortalSession))
    assert row.provider is TextCodeProvider.TWILIO_MESSAGING
    assert len(row.code_hash) == 64


# ---- Telling the resident -----------------------------------------------------------------


def _sign_in_notices() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == MessageKind.PORTAL_SIGNED_IN)
        )
    )


def test_a_resident_is_told_by_text_when_someone_signs_in_to_their_record(app, client, resident):
    clock.set_now(datetime(2026, 7, 3, 13, 5, tzinfo=UTC))

    portal_sign_in(client, resident)

    (notice,) = _sign_in_notices()
    assert notice.to_number == NUMBER
    assert notice.body == (
        "City Council: someone signed in to see your council record online at 14:05 on "
        "3 July 2026. If this was not you, contact us straight away: the phone number on "
        "our website"
    )
    assert not re.search(r"\d{6}", notice.body)
    assert resident.surname not in notice.body and resident.reference not in notice.body


def test_no_one_is_told_of_a_sign_in_that_did_not_happen(client, resident):
    give_details(client, resident.reference, BORN)
    code = console_code()

    give_code(client, "000000" if code != "000000" else "111111")

    assert _sign_in_notices() == []


def test_with_verify_a_wrong_code_takes_as_long_whether_or_not_the_details_matched(
    app, resident, verify, monkeypatch
):
    # Verify answers in 0.1 s; a refusal is held to 0.3 s after the code was typed.
    monkeypatch.setitem(app.config, "PORTAL_CODE_REFUSAL_SECONDS", 0.3)
    waited = {}
    for name, (reference, born) in CASES.items():
        client = app.test_client()
        give_details(client, resident.reference if reference == "right" else reference, born)
        send_queued_codes()
        verify.delay = 0.1
        started = time.monotonic()

        response = give_code(client, "000000")

        waited[name] = time.monotonic() - started
        verify.delay = 0.0
        assert "The code is not right" in response.get_data(as_text=True)

    assert len(verify.sent("/VerificationCheck")) == 1  # only the matched sign-in asks Verify
    assert all(0.3 <= seconds < 0.6 for seconds in waited.values()), waited


def test_a_code_the_app_made_is_refused_without_a_wait(app, resident, messaging, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_CODE_REFUSAL_SECONDS", 5)
    client = app.test_client()
    give_details(client, resident.reference, BORN)
    send_queued_codes()
    started = time.monotonic()

    response = give_code(client, "000000")

    assert "The code is not right" in response.get_data(as_text=True)
    assert time.monotonic() - started < 2
