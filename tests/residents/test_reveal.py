"""Outside a call the answers that verify a caller stay hidden: revealing one takes a reason,
is audited without the value, and is limited per member of staff per day (docs/rules.md rule 7)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent
from app.references import format_reference
from app.rules.need_to_know import age_band, start_of_day
from app.rules.vocabulary import Role
from app.services import reveals
from tests import factories
from tests.helpers import audit_events, csrf_token
from tests.residents.conftest import REASONS_TOO_SHORT

REASON = "Writing to her about complaint C-1042"


def _values(resident) -> dict[str, str]:
    """What each reveal shows, as the page writes it."""
    return {
        "date-of-birth": "14 March 1948",
        "address": "Flat 2, 14 Mill Lane, Leicester",
        "postcode": "LE1 5AB",
        "reference": format_reference(resident.reference),
    }


def _never_shown(resident) -> list[str]:
    """Every way the hidden answers could leak into a page before they are revealed."""
    return [
        "14 March 1948",
        "1948",
        "14/03/1948",
        "Flat 2",
        "14 Mill Lane",
        "LE1 5AB",
        "LE15AB",
        resident.reference,
        format_reference(resident.reference),
    ]


def _reveal(client, resident_id, detail="date-of-birth", reason=REASON, *, htmx=False, **data):
    token = data.pop("token", None) or csrf_token(client, "/")
    form = {f"{detail}-csrf_token": token, f"{detail}-reason": reason} | data
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/residents/{resident_id}/reveal/{detail}", data=form, headers=headers)


def _add_event(action: str, staff_id: int, resident_id: int, at, **detail) -> None:
    db.session.add(
        AuditEvent(action=action, staff_id=staff_id, resident_id=resident_id, at=at, detail=detail)
    )
    db.session.commit()


def test_outside_a_call_the_record_never_shows_the_answers_that_verify_a_caller(
    signed_in_handler, resident, view_record
):
    page = view_record(signed_in_handler, resident.id).get_data(as_text=True)

    for hidden in _never_shown(resident):
        assert hidden not in page, hidden
    assert f"Hidden (aged {age_band(resident.date_of_birth, clock.today())})" in page
    assert "Mill Lane, Leicester (house number hidden)" in page
    assert "LE1 (full postcode hidden)" in page
    assert f"Record ending {resident.reference[-3:]}" in page


def test_the_record_offers_a_reveal_form_with_a_reason_for_each_hidden_answer(
    signed_in_handler, resident, view_record
):
    page = view_record(signed_in_handler, resident.id).get_data(as_text=True)

    for detail in ("date-of-birth", "address", "postcode", "reference"):
        action = f"/residents/{resident.id}/reveal/{detail}"
        assert f'action="{action}" hx-post="{action}"' in page
        assert f'name="{detail}-reason"' in page
        assert f'name="{detail}-csrf_token"' in page
    assert "Why do you need to see the date of birth?" in page


@pytest.mark.parametrize(
    "detail", ["date-of-birth", "address", "postcode", "reference"], ids=lambda d: d
)
def test_revealing_an_answer_shows_it_in_the_response_and_audits_the_field_and_reason(
    signed_in_client, resident, view_record, detail
):
    client = signed_in_client(Role.HANDLER)
    view_record(client, resident.id)

    response = _reveal(client, resident.id, detail)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _values(resident)[detail] in page
    others = [value for name, value in _values(resident).items() if name != detail]
    assert not any(value in page for value in others)
    [event] = audit_events(reveals.REVEALED)
    assert (event.staff_id, event.resident_id, event.call_id) == (client.user.id, resident.id, None)
    assert event.purpose == REASON
    assert event.detail == {"field": detail}


def test_a_reveal_with_htmx_answers_with_the_row_alone(signed_in_handler, resident, view_record):
    view_record(signed_in_handler, resident.id)

    response = _reveal(signed_in_handler, resident.id, "postcode", htmx=True)

    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in fragment
    assert 'id="detail-postcode"' in fragment
    assert "LE1 5AB" in fragment
    assert "You can reveal 19 more today" in fragment


def test_the_revealed_value_never_reaches_an_address_a_cookie_or_the_audit_log(
    signed_in_handler, resident, view_record
):
    view_record(signed_in_handler, resident.id)

    responses = [_reveal(signed_in_handler, resident.id, d) for d in _values(resident)]

    assert all(r.status_code == 200 and "Location" not in r.headers for r in responses)
    with signed_in_handler.session_transaction() as session:
        kept = str(dict(session))
    stored = " ".join(f"{e.purpose} {e.detail}" for e in db.session.scalars(select(AuditEvent)))
    for value in [*_values(resident).values(), resident.reference, "1948-03-14", "LE15AB"]:
        assert value not in kept
        assert value not in stored


@REASONS_TOO_SHORT
def test_a_reveal_without_a_real_reason_shows_the_error_and_reveals_nothing(
    signed_in_handler, resident, view_record, reason
):
    view_record(signed_in_handler, resident.id)

    response = _reveal(signed_in_handler, resident.id, "date-of-birth", reason)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "There is a problem" in page
    message = "Enter why you need to see the date of birth, in at least 10 characters"
    assert page.count(message) == 2  # in the summary, and next to the field
    assert 'href="#date-of-birth-reason"' in page
    assert "14 March 1948" not in page
    assert audit_events(reveals.REVEALED) == []


def test_a_reveal_without_a_reason_in_place_shows_the_error_next_to_the_field(
    signed_in_handler, resident, view_record
):
    view_record(signed_in_handler, resident.id)

    response = _reveal(signed_in_handler, resident.id, "reference", "", htmx=True)

    fragment = response.get_data(as_text=True)
    assert response.status_code == 200  # so htmx swaps it in
    assert "<html" not in fragment
    assert 'class="govuk-error-message"' in fragment
    assert "Enter why you need to see the reference, in at least 10 characters" in fragment
    assert '<details class="govuk-details govuk-!-margin-bottom-0" open>' in fragment
    assert format_reference(resident.reference) not in fragment


def test_a_reason_over_500_characters_is_refused(signed_in_handler, resident, view_record):
    view_record(signed_in_handler, resident.id)

    page = _reveal(signed_in_handler, resident.id, reason="x" * 501).get_data(as_text=True)

    assert "Reason must be 500 characters or fewer" in page
    assert audit_events(reveals.REVEALED) == []


@pytest.mark.parametrize(
    "detail",
    ["email", "secret-word", "lpa-access-code", "DATE-OF-BIRTH", "phone"],
    ids=lambda d: d,
)
def test_a_detail_the_page_never_offers_is_not_found(
    signed_in_handler, resident, view_record, detail
):
    view_record(signed_in_handler, resident.id)

    response = _reveal(signed_in_handler, resident.id, detail)

    assert response.status_code == 404
    assert audit_events(reveals.REVEALED) == [] and audit_events(reveals.REFUSED) == []


def test_an_unknown_resident_is_not_found(signed_in_handler):
    response = _reveal(signed_in_handler, 999999)

    assert response.status_code == 404
    assert audit_events(reveals.REVEALED) == []


def test_another_residents_id_is_refused_and_the_attempt_audited(
    signed_in_client, resident, view_record
):
    client = signed_in_client(Role.HANDLER)
    other = factories.make_resident(
        forename="Neil", surname="Barker", date_of_birth=date(1990, 7, 2), postcode="LE2 9ZZ"
    )
    view_record(client, resident.id)

    response = _reveal(client, other.id, "date-of-birth")

    assert response.status_code == 403
    assert "2 July 1990" not in response.get_data(as_text=True)
    assert audit_events(reveals.REVEALED) == []
    [refused] = audit_events(reveals.REFUSED)
    assert (refused.staff_id, refused.resident_id) == (client.user.id, other.id)
    assert refused.detail["refusal"] == "record-not-opened"


def test_a_record_opened_by_someone_else_does_not_let_you_reveal(
    signed_in_client, resident, view_record
):
    opener = signed_in_client(Role.HANDLER)
    other = signed_in_client(Role.HANDLER)
    view_record(opener, resident.id)

    response = _reveal(other, resident.id)

    assert response.status_code == 403
    assert audit_events(reveals.REVEALED) == []


def test_a_record_opened_yesterday_must_be_opened_again(signed_in_client, resident):
    client = signed_in_client(Role.HANDLER)
    midnight = start_of_day(clock.today(), clock.UK)
    _add_event("record.viewed", client.user.id, resident.id, midnight - timedelta(minutes=1))

    response = _reveal(client, resident.id)

    assert response.status_code == 403
    assert audit_events(reveals.REVEALED) == []


@pytest.mark.parametrize("token", ["", "stale"], ids=["missing", "from-another-session"])
def test_a_reveal_without_this_sessions_csrf_token_reveals_nothing(
    signed_in_client, resident, view_record, token
):
    client = signed_in_client(Role.HANDLER)
    view_record(client, resident.id)
    if token == "stale":
        token = csrf_token(signed_in_client(Role.HANDLER), "/")
    form = {"date-of-birth-csrf_token": token, "date-of-birth-reason": REASON}

    response = client.post(f"/residents/{resident.id}/reveal/date-of-birth", data=form)

    assert response.status_code in (302, 400)
    assert "14 March 1948" not in response.get_data(as_text=True)
    assert audit_events(reveals.REVEALED) == []


def test_a_reveal_is_never_a_get(signed_in_handler, resident, view_record):
    view_record(signed_in_handler, resident.id)

    response = signed_in_handler.get(
        f"/residents/{resident.id}/reveal/date-of-birth?date-of-birth-reason={REASON}"
    )

    assert response.status_code == 405
    assert audit_events(reveals.REVEALED) == []


def test_over_the_daily_limit_nothing_is_revealed_and_the_refusal_is_audited(
    app, signed_in_client, resident, view_record, monkeypatch
):
    monkeypatch.setitem(app.config, "REVEALS_PER_DAY", 2)
    client = signed_in_client(Role.HANDLER)
    view_record(client, resident.id)
    _reveal(client, resident.id, "address")
    _reveal(client, resident.id, "postcode")

    response = _reveal(client, resident.id, "date-of-birth")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "you have already revealed 2 hidden details today" in page
    assert "You can reveal more tomorrow" in page
    assert "14 March 1948" not in page
    assert len(audit_events(reveals.REVEALED)) == 2
    [refused] = audit_events(reveals.REFUSED)
    assert refused.staff_id == client.user.id
    assert refused.purpose == REASON
    assert refused.detail == {"field": "date-of-birth", "refusal": "daily-limit", "limit": 2}


def test_the_daily_limit_counts_reveals_on_every_record(
    app, signed_in_client, resident, view_record, monkeypatch
):
    monkeypatch.setitem(app.config, "REVEALS_PER_DAY", 1)
    client = signed_in_client(Role.HANDLER)
    other = factories.make_resident(forename="Neil", surname="Barker")
    view_record(client, resident.id)
    view_record(client, other.id)
    _reveal(client, resident.id, "postcode")

    response = _reveal(client, other.id, "postcode", htmx=True)

    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "you have already revealed 1 hidden detail today" in fragment
    assert "LE1 5AB" not in fragment


def test_the_daily_limit_starts_again_at_london_midnight_and_is_per_member_of_staff(
    app, signed_in_client, resident, view_record, monkeypatch
):
    monkeypatch.setitem(app.config, "REVEALS_PER_DAY", 1)
    client = signed_in_client(Role.HANDLER)
    colleague = factories.make_staff(Role.HANDLER)
    midnight = start_of_day(clock.today(), clock.UK)
    yesterday = midnight - timedelta(seconds=1)
    _add_event(reveals.REVEALED, client.user.id, resident.id, yesterday, field="postcode")
    _add_event(reveals.REVEALED, colleague.id, resident.id, midnight, field="postcode")
    view_record(client, resident.id)

    response = _reveal(client, resident.id, "postcode")

    assert "LE1 5AB" in response.get_data(as_text=True)


def test_with_no_reveals_allowed_nothing_is_ever_revealed(
    app, signed_in_handler, resident, view_record, monkeypatch
):
    monkeypatch.setitem(app.config, "REVEALS_PER_DAY", 0)
    view_record(signed_in_handler, resident.id)

    page = _reveal(signed_in_handler, resident.id).get_data(as_text=True)

    assert "hidden details cannot be revealed outside a call" in page
    assert "14 March 1948" not in page


def test_reveals_sent_at_once_never_pass_the_daily_limit(
    app, signed_in_handler, resident, view_record, monkeypatch
):
    monkeypatch.setitem(app.config, "REVEALS_PER_DAY", 2)
    view_record(signed_in_handler, resident.id)
    token = csrf_token(signed_in_handler, "/")
    cookie = signed_in_handler.get_cookie(app.config["SESSION_COOKIE_NAME"])
    browsers = []
    for _ in range(6):
        browser = app.test_client()
        browser.set_cookie(cookie.key, cookie.value)
        browsers.append(browser)
    start = threading.Barrier(len(browsers))

    def reveal(browser) -> str:
        with app.app_context():
            start.wait()
            return _reveal(browser, resident.id, "postcode", token=token).get_data(as_text=True)

    with ThreadPoolExecutor(len(browsers)) as pool:
        pages = list(pool.map(reveal, browsers))

    assert sum("LE1 5AB" in page for page in pages) == 2
    assert sum("already revealed 2 hidden details today" in page for page in pages) == 4
    assert len(audit_events(reveals.REVEALED)) == 2
    assert len(audit_events(reveals.REFUSED)) == 4
