"""The call's status, asked by the call page every few seconds: whether what it shows about
disclosure is still true, why a verification or the call ended, and how long the session has
left. Tried as the page uses it and as an attacker would."""

import re
import time
from datetime import timedelta

import pytest
from flask import template_rendered
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Call, StaffUser
from app.rules.vocabulary import Role
from app.services import inbound_calls, waiting_calls
from app.services import permissions as permission_service
from app.services import staff as staff_service
from tests import factories
from tests.calls.conftest import CallDriver
from tests.helpers import sign_in, statements_run

RIGHT_ANSWERS = {"date_of_birth": "14/3/1948", "postcode": "LE1 5AB"}
JSON = {"Accept": "application/json"}
IDLE_WORDS = "20 minutes without activity on the call"


def status(call, method: str = "GET", **headers):
    """Ask as the call page does: for JSON, from the page (its address is the Referer)."""
    page = {"Referer": f"http://localhost{call.url}"}
    return call.client.open(call.url + "/status", method=method, headers=JSON | page | headers)


def status_of(call) -> dict:
    response = status(call)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _row(call) -> Call:
    db.session.expire_all()
    return db.session.get(Call, call.id)


def _hhmm(moment) -> str:
    return f"{clock.local(moment):%H:%M}"


def _events() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.fixture
def verified_resident(resident_calling):
    resident_calling.verify(**RIGHT_ANSWERS)
    return resident_calling


# --- what the page is told ------------------------------------------------------------------


def test_a_verified_call_says_until_when_and_how_the_lapse_will_be_put(verified_resident):
    last_activity = _row(verified_resident).last_activity_at
    clock.set_now(last_activity + timedelta(minutes=5))

    response = status(verified_resident)

    answer = response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    assert answer["call_open"] is True
    assert answer["verified"] is True
    assert answer["may_disclose"] is True
    assert answer["verified_for_seconds"] == 15 * 60
    lapse_at = last_activity + timedelta(minutes=20)
    assert answer["verified_until"] == lapse_at.isoformat()
    assert answer["lapse"] == f"Verification ended at {_hhmm(lapse_at)}: {IDLE_WORDS}"
    assert answer["ended"] is None


def test_the_answer_discloses_nothing_and_audits_nothing(verified_resident, resident):
    before = _events()

    text = status(verified_resident).get_data(as_text=True)

    assert _events() == before
    for detail in ("Margaret", "Okafor", "14 March 1948", "LE1 5AB", "7700900123", "Mill Lane"):
        assert detail not in text


def test_the_verification_lapses_at_the_idle_limit_with_the_reason_and_no_click(
    verified_resident,
):
    last_activity = _row(verified_resident).last_activity_at
    clock.set_now(last_activity + timedelta(minutes=19, seconds=59))
    before = status_of(verified_resident)
    clock.set_now(last_activity + timedelta(minutes=20))

    after = status_of(verified_resident)

    assert before["verified"] is True
    assert after["verified"] is False
    assert after["may_disclose"] is False
    assert after["verified_until"] is None
    lapsed_at = _hhmm(last_activity + timedelta(minutes=20))
    assert after["ended"] == f"Verification ended at {lapsed_at}: {IDLE_WORDS}"
    assert after["version"] != before["version"]


def test_asking_is_not_activity_on_the_call(verified_resident):
    last_activity = _row(verified_resident).last_activity_at
    for minutes in range(1, 20):
        clock.set_now(last_activity + timedelta(minutes=minutes))
        assert status_of(verified_resident)["verified"] is True

    clock.set_now(last_activity + timedelta(minutes=20))

    assert status_of(verified_resident)["verified"] is False
    assert _row(verified_resident).last_activity_at == last_activity


def test_after_a_lapse_the_next_click_keeps_the_reason(verified_resident):
    last_activity = _row(verified_resident).last_activity_at
    lapsed_at = _hhmm(last_activity + timedelta(minutes=20))
    clock.set_now(last_activity + timedelta(minutes=25))

    verified_resident.report(summary="Bin not collected")

    banner = f"Do not disclose: verification ended at {lapsed_at}: {IDLE_WORDS}"
    assert banner in verified_resident.record_fragment()
    page = verified_resident.page()
    assert banner in page
    assert f"Verification ended at {lapsed_at}: {IDLE_WORDS}." in page
    report = {"area": "waste", "category": "enquiry", "summary": "Skip", "urgency": "routine"}
    logged = verified_resident.post(
        "/reports", {f"report-{k}": v for k, v in report.items()}, htmx=True
    ).get_data(as_text=True)
    assert f"Verification ended at {lapsed_at}: {IDLE_WORDS}. Do not disclose anything" in logged
    assert "Do not disclose: caller not verified" not in page
    assert status_of(verified_resident)["ended"] == (
        f"Verification ended at {lapsed_at}: {IDLE_WORDS}"
    )


def test_a_new_verification_forgets_how_the_last_one_ended(verified_resident):
    clock.set_now(_row(verified_resident).last_activity_at + timedelta(minutes=25))
    verified_resident.report(summary="Bin not collected")

    verified_resident.verify(**RIGHT_ANSWERS)

    answer = status_of(verified_resident)
    assert answer["verified"] is True
    assert answer["ended"] is None
    assert "May discuss all council services" in verified_resident.record_fragment()


def test_changing_the_caller_ends_the_verification_and_says_so(verified_resident):
    before = status_of(verified_resident)

    verified_resident.caller("third-party", name="Pat", relationship="neighbour")

    after = status_of(verified_resident)
    changed_at = _hhmm(_row(verified_resident).verification_ended_at)
    assert after["ended"] == f"Verification ended at {changed_at}: the caller was changed"
    assert after["version"] != before["version"]
    assert "the caller was changed" in verified_resident.record_fragment()


def test_changing_the_record_ends_the_verification_and_says_so(verified_resident):
    other = factories.make_resident(forename="Peter", surname="Jones", postcode="LE2 1AA")

    verified_resident.select(other)

    assert status_of(verified_resident)["ended"].endswith(": the record was changed")


def test_a_permission_revoked_mid_call_ends_the_representatives_verification(
    signed_in_handler, start_call, resident
):
    permission, passcode = factories.make_permission(resident)
    call = start_call(signed_in_handler)
    call.representative_verified(resident, permission, passcode)
    answered = status(call)
    before = answered.get_json()

    permission_service.revoke(
        permission, factories.make_staff(Role.SUPERVISOR), "Asked to", now=clock.now()
    )

    after = status_of(call)
    revoked_at = _hhmm(db.session.get(type(permission), permission.id).revoked_at)
    assert before["may_disclose"] is True
    assert after["may_disclose"] is False
    assert after["ended"] == f"Verification ended at {revoked_at}: the permission was revoked"
    assert after["version"] != before["version"]
    assert _asked_again(call, answered) == 200


def test_the_caller_hanging_up_ends_the_verification_from_any_process(signed_in_handler, resident):
    sid = "CA" + "7" * 32
    arrived = inbound_calls.record_inbound_call(sid, "+447700900123")
    waiting_calls.take_call(arrived.id, signed_in_handler.user)
    call = CallDriver.taken(signed_in_handler, arrived.id)
    call.resident_calls_about(resident)
    call.verify(**RIGHT_ANSWERS)
    verified = status(call)
    assert verified.get_json()["verified"] is True

    inbound_calls.close_provider_call(sid, "completed", 60)

    answer = status_of(call)
    ended_at = _hhmm(db.session.get(Call, arrived.id).line_ended_at)
    assert answer["verified"] is False
    assert answer["may_disclose"] is False
    assert answer["ended"] == f"The caller hung up at {ended_at}"
    assert answer["line"] == {
        "live": False,
        "ended": f"The caller hung up at {ended_at}",
        "held": False,
    }
    assert _asked_again(call, verified) == 200


def test_an_ended_call_says_when_it_ended(verified_resident):
    verified_resident.end()

    answer = status_of(verified_resident)

    assert answer["call_open"] is False
    assert answer["may_disclose"] is False
    assert answer["ended"] == f"The call was ended at {_hhmm(_row(verified_resident).ended_at)}"


def test_a_call_left_open_too_long_is_closed_and_says_why(verified_resident):
    clock.set_now(_row(verified_resident).started_at + timedelta(hours=4))

    answer = status_of(verified_resident)

    assert answer["call_open"] is False
    assert answer["ended"].endswith(": it was open for more than 4 hours")
    assert answer["ended"].startswith("The call was closed at ")


def test_the_version_stays_while_nothing_the_panel_shows_changes(verified_resident):
    first = status_of(verified_resident)

    again = status_of(verified_resident)
    verified_resident.report(summary="Bin not collected")
    after_activity = status_of(verified_resident)

    assert again["version"] == first["version"]
    assert after_activity["version"] == first["version"]
    assert after_activity["verified_for_seconds"] >= first["verified_for_seconds"]


def test_the_version_changes_when_the_caller_is_verified(resident_calling):
    answered = status(resident_calling)
    before = answered.get_json()

    resident_calling.verify(**RIGHT_ANSWERS)

    assert status_of(resident_calling)["version"] != before["version"]
    assert _asked_again(resident_calling, answered) == 200


def test_the_page_is_drawn_with_the_version_the_status_then_gives(verified_resident):
    page = verified_resident.page()

    version = re.search(r'data-version="([0-9a-f]+)"', page).group(1)
    assert version == status_of(verified_resident)["version"]


# --- what asking costs, and "not modified" ----------------------------------------------------


def _asked_again(call, answered) -> int:
    """The status code of asking again with the ETag of `answered`."""
    return status(call, **{"If-None-Match": answered.headers["ETag"]}).status_code


def test_asking_reads_the_user_and_the_call_and_draws_no_template(app, verified_resident):
    status(verified_resident)
    drawn = []
    template_rendered.connect(lambda sender, template, **kw: drawn.append(template), app)

    with statements_run() as ran:
        response = status(verified_resident)

    assert response.status_code == 200
    assert len(ran) == 2, ran
    assert drawn == []


def test_asking_with_the_version_held_while_nothing_changed_is_not_modified(verified_resident):
    first = status(verified_resident)

    again = status(verified_resident, **{"If-None-Match": first.headers["ETag"]})

    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "no-store"


def test_activity_on_the_call_moves_the_lapse_and_so_the_version(verified_resident):
    first = status(verified_resident)
    clock.set_now(clock.now() + timedelta(minutes=1))

    verified_resident.report(summary="Bin not collected")

    assert _asked_again(verified_resident, first) == 200


@pytest.mark.parametrize(
    "change",
    ["caller", "record", "end", "lapse", "overdue", "stay signed in"],
)
def test_every_kind_of_change_gets_a_fresh_answer(verified_resident, change):
    first = status(verified_resident)
    row = _row(verified_resident)
    if change == "caller":
        verified_resident.caller("third-party", name="Pat", relationship="neighbour")
    elif change == "record":
        verified_resident.select(factories.make_resident(forename="Peter", surname="Jones"))
    elif change == "end":
        verified_resident.end()
    elif change == "lapse":
        clock.set_now(row.last_activity_at + timedelta(minutes=20))
    elif change == "overdue":
        clock.set_now(row.started_at + timedelta(hours=4))
    else:
        time.sleep(1.1)
        status(verified_resident, "POST", **{"X-CSRFToken": verified_resident.token})

    assert _asked_again(verified_resident, first) == 200


@pytest.mark.parametrize("stage", ["no record", "not verified", "ended"])
def test_the_page_and_the_status_agree_on_the_version_at_every_stage(
    signed_in_handler, start_call, resident, stage
):
    call = start_call(signed_in_handler)
    if stage != "no record":
        call.resident_calls_about(resident)
    if stage == "ended":
        call.end()
    page = call.client.get(call.url).get_data(as_text=True)

    version = re.search(r'data-version="([0-9a-f]+)"', page)

    if version is not None:
        assert version.group(1) == status_of(call)["version"]
    else:
        assert stage == "ended"


# --- who may ask ----------------------------------------------------------------------------


def test_another_handlers_call_is_not_found(verified_resident, signed_in_client):
    other = signed_in_client(Role.HANDLER)

    response = other.get(verified_resident.url + "/status", headers=JSON)

    assert response.status_code == 404
    assert "verified" not in response.get_data(as_text=True)


def test_another_handler_holding_the_calls_version_is_not_told_it_is_current(
    verified_resident, signed_in_client
):
    """A version copied from the handler's page opens nothing: whose call it is is asked
    before the version is compared, so no 304 says "still as you saw it"."""
    held = status(verified_resident).headers["ETag"]
    other = signed_in_client(Role.HANDLER)

    response = other.get(verified_resident.url + "/status", headers=JSON | {"If-None-Match": held})

    assert response.status_code == 404
    assert "ETag" not in response.headers


def test_a_version_held_past_sign_out_is_not_modified_no_more(app, verified_resident):
    held = status(verified_resident).headers["ETag"]
    cookie = verified_resident.client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    verified_resident.client.post("/logout", data={"csrf_token": verified_resident.token})
    replayed = app.test_client()
    replayed.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)

    for client in (verified_resident.client, replayed):
        verified_resident.client = client
        answer = status(verified_resident, **{"If-None-Match": held})
        assert answer.status_code == 401
        assert answer.get_json()["reason"] == "signed-out"


@pytest.mark.parametrize("call_id", ["999999", "0"])
def test_a_call_that_does_not_exist_is_not_found(signed_in_handler, call_id):
    assert signed_in_handler.get(f"/calls/{call_id}/status", headers=JSON).status_code == 404


def test_staying_signed_in_needs_the_csrf_token(verified_resident):
    refused = status(verified_resident, "POST")
    accepted = status(verified_resident, "POST", **{"X-CSRFToken": verified_resident.token})

    assert refused.status_code == 400
    assert accepted.status_code == 200


# --- the session ----------------------------------------------------------------------------


def test_asking_does_not_keep_an_idle_session_alive_but_staying_signed_in_does(
    app, verified_resident
):
    cookie = app.config["SESSION_COOKIE_NAME"]

    polled = status(verified_resident)
    stayed = status(verified_resident, "POST", **{"X-CSRFToken": verified_resident.token})

    assert not any(cookie in header for header in polled.headers.getlist("Set-Cookie"))
    assert any(cookie in header for header in stayed.headers.getlist("Set-Cookie"))
    idle = int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds())
    assert stayed.get_json()["session"]["ends_in_seconds"] == idle
    assert stayed.get_json()["session"]["can_stay"] is True
    assert polled.get_json()["session"]["warn_within_seconds"] == 120


def test_the_time_left_counts_from_the_last_request_that_renewed_the_session(
    app, verified_resident
):
    idle = int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds())
    time.sleep(1.1)

    left = status_of(verified_resident)["session"]["ends_in_seconds"]

    assert idle - 3 <= left < idle


def test_near_the_absolute_limit_staying_cannot_help(app, verified_resident):
    signed_in_at = clock.now()
    clock.set_now(signed_in_at + timedelta(hours=11, minutes=59))

    answer = status_of(verified_resident)

    assert answer["session"]["can_stay"] is False
    assert answer["session"]["ends_in_seconds"] <= 61


def _signed_out_answer(call) -> dict:
    response = status(call)
    assert response.status_code == 401, response.get_data(as_text=True)
    assert "<html" not in response.get_data(as_text=True)
    answer = response.get_json()
    assert response.headers["X-Session-Ended"] == answer["reason"]
    return answer


def test_a_cookie_replayed_after_sign_out_is_told_it_was_signed_out(app, verified_resident):
    cookie = verified_resident.client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    replayed = app.test_client()
    replayed.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)

    verified_resident.client.post("/logout", data={"csrf_token": verified_resident.token})
    here = _signed_out_answer(verified_resident)
    verified_resident.client = replayed
    copied = _signed_out_answer(verified_resident)

    for answer in (here, copied):
        assert answer["reason"] == "signed-out"
        assert answer["message"] == "You have been signed out: you signed out"
        assert "verified" not in answer


def test_signing_in_elsewhere_mid_call_is_the_reason_given(app, verified_resident):
    sign_in(app.test_client(), verified_resident.client.user)

    answer = _signed_out_answer(verified_resident)

    assert answer["reason"] == "signed-in-elsewhere"
    assert answer["message"] == (
        "You have been signed out: you signed in on another browser or device"
    )


@pytest.mark.parametrize(
    ("change", "reason", "words"),
    [
        (
            "deactivate",
            "deactivated",
            "an administrator deactivated your account. Ask an administrator of this service "
            "to reactivate it if you still need it",
        ),
        ("role", "role-changed", "an administrator changed your role"),
        ("two-factor", "two-factor-reset", "an administrator reset your two-factor sign-in"),
    ],
    ids=["deactivated", "role-changed", "two-factor-reset"],
)
def test_an_administrators_change_is_the_reason_given(verified_resident, change, reason, words):
    user = db.session.get(StaffUser, verified_resident.client.user.id)
    admin = factories.make_staff(Role.ADMIN)
    if change == "deactivate":
        staff_service.deactivate_staff(user, admin)
    elif change == "role":
        staff_service.set_role(user, Role.SUPERVISOR, admin)
    else:
        staff_service.reset_two_factor(user, admin)

    answer = _signed_out_answer(verified_resident)

    assert answer["reason"] == reason
    assert answer["message"] == f"You have been signed out: {words}"


def test_the_absolute_limit_is_the_reason_given(verified_resident):
    clock.set_now(clock.now() + timedelta(hours=12))

    answer = _signed_out_answer(verified_resident)

    assert answer["reason"] == "absolute"
    assert "the longest a sign-in lasts" in answer["message"]


def test_the_idle_limit_is_the_reason_given(app, verified_resident, monkeypatch):
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(0))
    time.sleep(1.1)

    answer = _signed_out_answer(verified_resident)

    assert answer["reason"] == "idle"
    assert answer["message"].startswith("You have been signed out: there was no activity for")


def test_an_htmx_request_after_the_session_ended_gets_the_reason_and_the_way_back(
    app, verified_resident
):
    sign_in(app.test_client(), verified_resident.client.user)

    response = verified_resident.client.get(
        verified_resident.url + "/record",
        headers={
            "HX-Request": "true",
            "HX-Current-URL": f"http://localhost{verified_resident.url}",
        },
    )

    assert response.status_code == 401
    assert response.headers["X-Session-Ended"] == "signed-in-elsewhere"
    assert response.headers["HX-Redirect"] == f"/login?next={verified_resident.url}"
    assert response.get_json()["sign_in"] == f"/login?next={verified_resident.url}"
    assert "Margaret" not in response.get_data(as_text=True)


def test_the_sign_in_page_says_why_and_signing_in_again_returns_to_the_call(app, verified_resident):
    client = verified_resident.client
    sign_in(app.test_client(), client.user)
    answer = _signed_out_answer(verified_resident)

    login = client.get(answer["sign_in"])
    back = sign_in(client, client.user, at=answer["sign_in"])

    assert answer["sign_in"] == f"/login?next={verified_resident.url}"
    assert "You have been signed out: you signed in on another browser or device" in (
        login.get_data(as_text=True)
    )
    assert back.status_code == 302
    assert back.headers["Location"] == verified_resident.url
    assert status(verified_resident).status_code == 200
