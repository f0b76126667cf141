"""The search on a call, attacked: it answers only the handler whose call it is, on an open
call, for a signed-in session, and every search it answers is audited once. A search commits
only its audit event and keeps what it read loaded (`@transactional(audit_only=True)`): what
it draws is the call it checked."""

from datetime import timedelta

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import AuditEvent
from tests import factories
from tests.helpers import csrf_token, sign_in

HTMX = {"HX-Request": "true"}


def _searches() -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "search.made")
    )


def test_a_search_posted_to_another_handlers_call_is_not_found_and_not_run(
    app, signed_in_handler, start_call, resident
):
    call = start_call(signed_in_handler)
    intruder = app.test_client()
    sign_in(intruder, factories.make_staff())
    token = csrf_token(intruder, "/calls")

    for headers in (HTMX, {}):
        response = intruder.post(
            call.url + "/search", data={"q": resident.surname, "csrf_token": token}, headers=headers
        )
        assert response.status_code == 404
        assert resident.surname not in response.get_data(as_text=True)
    assert _searches() == 0


def test_a_search_on_an_ended_call_is_not_run(signed_in_handler, start_call, resident):
    call = start_call(signed_in_handler)
    call.end()

    response = call.post("/search", {"q": resident.surname}, htmx=True)

    assert response.status_code == 404
    assert _searches() == 0


def test_a_search_on_a_call_past_its_maximum_length_is_not_run(
    app, signed_in_handler, start_call, resident
):
    call = start_call(signed_in_handler)
    clock.set_now(clock.now() + timedelta(minutes=app.config["CALL_MAX_MINUTES"] + 1))

    response = call.post("/search", {"q": resident.surname}, htmx=True)

    assert response.status_code == 404
    assert _searches() == 0


def test_a_search_without_the_pages_token_is_not_run(signed_in_handler, start_call, resident):
    call = start_call(signed_in_handler)

    response = call.client.post(
        call.url + "/search", data={"q": resident.surname, "csrf_token": "stale"}, headers=HTMX
    )

    assert response.status_code == 400
    assert _searches() == 0


def test_a_cookie_replayed_after_sign_out_searches_nothing(
    app, signed_in_handler, start_call, resident
):
    call = start_call(signed_in_handler)
    cookie = call.client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    call.client.post("/logout", data={"csrf_token": call.token})
    stranger = app.test_client()
    stranger.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)

    for headers in (HTMX, {}):
        response = stranger.post(
            call.url + "/search",
            data={"q": resident.surname, "csrf_token": call.token},
            headers=headers,
        )
        assert response.status_code in (302, 400, 401)
        assert resident.surname not in response.get_data(as_text=True)
    assert _searches() == 0


def test_results_are_drawn_for_the_call_searched_even_after_its_commit(
    signed_in_handler, start_call, resident
):
    call = start_call(signed_in_handler)

    page = call.post("/search", {"q": resident.surname}, htmx=True).get_data(as_text=True)

    assert f"/calls/{call.id}/resident" in page
    assert _searches() == 1
