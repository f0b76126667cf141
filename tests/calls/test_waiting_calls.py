"""The screen pop: calls waiting in the queue, what their caller ID hints, and taking one."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import Call
from app.models.types import utcnow
from app.rules.vocabulary import Role
from app.services import inbound_calls, waiting_calls
from tests import factories
from tests.helpers import csrf_token

HTMX = {"HX-Request": "true"}
_sids = iter(range(1, 10_000))


def arrive(number: str | None = "+447700900123") -> Call:
    return inbound_calls.record_inbound_call(f"CA{next(_sids):032x}", number)


def take(client, call_id: int):
    return client.post(f"/calls/{call_id}/take", data={"csrf_token": csrf_token(client, "/calls")})


def poll(client, **args):
    return client.get("/calls/waiting", query_string=args, headers=HTMX)


def test_nothing_waiting_says_so(signed_in_handler):
    page = signed_in_handler.get("/calls").get_data(as_text=True)

    assert "Waiting calls" in page
    assert "No calls waiting." in page


def test_a_waiting_call_shows_its_caller_id_and_who_has_the_number_on_file(
    signed_in_handler, resident
):
    arrive("+447700900123")

    page = signed_in_handler.get("/calls").get_data(as_text=True)

    assert "07700 900123" in page
    assert "Margaret Okafor, Mill Lane, LE1" in page
    assert "a hint, not proof of identity" in page
    assert "Under a minute" in page
    assert "Take call" in page


def test_the_hint_shows_no_more_than_a_search_result(signed_in_handler, resident):
    arrive("+447700900123")

    page = signed_in_handler.get("/calls").get_data(as_text=True)

    for secret in ("LE1 5AB", "Flat 2", "14 Mill Lane", "1948", resident.reference, "Leicester"):
        assert secret not in page


def test_a_representative_with_the_number_is_hinted_with_whom_they_may_speak_for(
    signed_in_handler, resident
):
    factories.make_permission(resident, name="Dana Okafor")  # holder phone 07700 900456
    arrive("+447700900456")

    page = signed_in_handler.get("/calls").get_data(as_text=True)

    assert "Dana Okafor, may speak for Margaret Okafor, Mill Lane, LE1" in page


def test_a_revoked_permission_hints_nothing(signed_in_handler, resident):
    from app.services import permissions

    permission, _ = factories.make_permission(resident, name="Dana Okafor")
    supervisor = factories.make_staff(Role.SUPERVISOR)
    permissions.revoke(permission, supervisor, "Resident asked us to", now=clock.now())
    arrive("+447700900456")

    page = signed_in_handler.get("/calls").get_data(as_text=True)

    assert "Dana Okafor" not in page
    assert "Nobody on file" in page


def test_a_withheld_number_hints_nothing(signed_in_handler, resident):
    arrive(None)

    page = signed_in_handler.get("/calls").get_data(as_text=True)

    assert "Withheld number" in page
    assert "No caller ID" in page
    assert "Margaret" not in page


def test_a_shared_number_shows_a_few_and_says_there_are_others(signed_in_handler):
    for n in range(5):
        factories.make_resident(forename=f"Person{n}", surname="Shared", phones=["+447700900777"])
    arrive("+447700900777")

    page = signed_in_handler.get("/calls").get_data(as_text=True)

    assert page.count(" Shared, Mill Lane, LE1") == waiting_calls.HINTS_PER_CALL
    assert "and others" in page


def test_calls_taken_ended_or_started_by_hand_are_not_waiting(signed_in_handler, app):
    handler = factories.make_staff(Role.HANDLER)
    taken = arrive()
    waiting_calls.take_call(taken.id, handler)
    ended = arrive()
    inbound_calls.close_provider_call(ended.provider_call_sid, "completed", 3)
    by_hand = Call(handler_id=handler.id, caller_number="+447700900111")
    db.session.add(by_hand)
    db.session.commit()
    still_waiting = arrive("+447700900222")

    shown = waiting_calls.waiting_calls().calls

    assert [call.id for call in shown] == [still_waiting.id]


def test_a_call_left_waiting_past_the_longest_call_is_not_shown(app):
    call = arrive()
    call.started_at = utcnow() - timedelta(minutes=app.config["CALL_MAX_MINUTES"] + 1)
    db.session.commit()

    assert waiting_calls.waiting_calls().calls == []


def test_the_longest_waiting_comes_first_and_says_how_long(app):
    later = arrive("+447700900222")
    first = arrive("+447700900111")
    first.started_at = utcnow() - timedelta(minutes=3, seconds=10)
    later.started_at = utcnow() - timedelta(seconds=65)
    db.session.commit()

    shown = waiting_calls.waiting_calls().calls

    assert [(c.id, c.waited) for c in shown] == [(first.id, "3 minutes"), (later.id, "1 minute")]


def test_the_poll_answers_no_change_while_the_list_is_the_same(signed_in_handler):
    arrive()
    first = poll(signed_in_handler)
    shown = re.search(r'hx-get="/calls/waiting\?([^"]+)"', first.get_data(as_text=True)).group(1)
    args = dict(part.split("=") for part in shown.replace("&amp;", "&").split("&"))

    again = poll(signed_in_handler, **args)

    assert first.status_code == 200
    assert again.status_code == 204
    assert again.get_data() == b""


def test_a_new_call_redraws_the_list_and_is_announced(signed_in_handler):
    empty = waiting_calls.waiting_calls()
    arrive()

    response = poll(signed_in_handler, shown=empty.version, calls=empty.calls_version)

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "07700 900123" in body
    assert 'id="waiting-calls-status" hx-swap-oob="innerHTML">1 call waiting<' in body


def test_a_longer_wait_redraws_the_list_without_announcing_it(signed_in_handler):
    call = arrive()
    before = waiting_calls.waiting_calls()
    call.started_at = utcnow() - timedelta(minutes=2)
    db.session.commit()

    response = poll(signed_in_handler, shown=before.version, calls=before.calls_version)

    body = response.get_data(as_text=True)
    assert "2 minutes" in body
    assert "hx-swap-oob" not in body


def test_the_poll_takes_two_queries(app, signed_in_handler, resident):
    from sqlalchemy import event

    for n in range(20):
        arrive(f"+4477009{n:05d}")
    statements = []

    def count_statement(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count_statement)
        try:
            waiting_calls.waiting_calls()
        finally:
            event.remove(db.engine, "before_cursor_execute", count_statement)

    assert len(statements) == 2


def test_the_poll_url_opened_directly_goes_to_the_calls_page(signed_in_handler):
    response = signed_in_handler.get("/calls/waiting?shown=x")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/calls")


@pytest.mark.parametrize("args", [{"shown": "\x00" * 500}, {"calls": "'; --"}, {"x": "y"}])
def test_the_poll_takes_any_garbage_in_its_arguments(signed_in_handler, args):
    assert poll(signed_in_handler, **args).status_code == 200


@pytest.mark.parametrize("role", [Role.ADMIN])
def test_only_handlers_and_supervisors_see_or_take_waiting_calls(signed_in_client, role):
    client = signed_in_client(role)
    call = arrive()

    assert poll(client).status_code == 403
    assert take(client, call.id).status_code == 403
    assert db.session.get(Call, call.id).handler_id is None


def test_signed_out_nobody_sees_or_takes_waiting_calls(client):
    call = arrive()

    assert client.get("/calls/waiting", headers=HTMX).status_code in (302, 401)
    assert client.post(f"/calls/{call.id}/take").status_code in (302, 400, 401)
    assert db.session.get(Call, call.id).handler_id is None


def test_taking_a_call_opens_its_workspace_with_the_number(signed_in_supervisor):
    call = arrive("+447700900123")

    response = take(signed_in_supervisor, call.id)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/calls/{call.id}")
    page = signed_in_supervisor.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "07700 900123" in page
    db.session.expire_all()
    call = db.session.get(Call, call.id)
    assert call.handler_id == signed_in_supervisor.user.id
    assert call.taken_at is not None and call.last_activity_at is not None


def test_a_call_taken_by_another_handler_is_refused_plainly(signed_in_handler):
    call = arrive()
    waiting_calls.take_call(call.id, factories.make_staff(Role.HANDLER))

    response = take(signed_in_handler, call.id)

    assert response.status_code == 302
    page = signed_in_handler.get("/calls").get_data(as_text=True)
    assert "Another handler has taken this call" in page
    assert signed_in_handler.get(f"/calls/{call.id}").status_code == 404


def test_a_call_that_ended_while_waiting_cannot_be_taken(signed_in_handler):
    call = arrive()
    inbound_calls.close_provider_call(call.provider_call_sid, "completed", 30)

    take(signed_in_handler, call.id)

    page = signed_in_handler.get("/calls").get_data(as_text=True)
    assert "the caller hung up before it was answered" in page
    assert db.session.get(Call, call.id).handler_id is None


def test_taking_your_own_call_again_just_opens_it(signed_in_handler):
    call = arrive()
    take(signed_in_handler, call.id)

    response = take(signed_in_handler, call.id)

    assert response.headers["Location"].endswith(f"/calls/{call.id}")


@pytest.mark.parametrize("call_id", ["999999", "0"])
def test_taking_a_call_that_does_not_exist_is_not_found(signed_in_handler, call_id):
    assert take(signed_in_handler, int(call_id)).status_code == 404


def test_a_call_started_by_hand_cannot_be_taken(signed_in_handler):
    manual = Call(handler_id=None, caller_number="+447700900123")
    db.session.add(manual)
    db.session.commit()

    assert take(signed_in_handler, manual.id).status_code == 404
    assert db.session.get(Call, manual.id).handler_id is None


def test_taking_needs_the_csrf_token(signed_in_handler):
    call = arrive()

    response = signed_in_handler.post(f"/calls/{call.id}/take")

    assert response.status_code in (302, 400)
    assert db.session.get(Call, call.id).handler_id is None
    assert db.session.scalar(select(func.count()).select_from(Call)) == 1


def test_the_poll_does_not_keep_an_idle_session_alive(app, signed_in_handler):
    arrive()
    cookie = app.config["SESSION_COOKIE_NAME"]

    opened = signed_in_handler.get("/calls")
    polled = poll(signed_in_handler)

    assert polled.status_code == 200
    assert not any(cookie in header for header in polled.headers.getlist("Set-Cookie"))
    assert any(cookie in header for header in opened.headers.getlist("Set-Cookie"))
