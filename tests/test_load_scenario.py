"""The simulated handler `make load` drives (benchmarks/load_scenario.py) works a whole call
through the real routes: if a route or form changes, this fails before a load run does."""

from dataclasses import replace

from sqlalchemy import select

from app.extensions import db
from app.models import Call, Entry
from app.rules.disclosure import VerifiedAs
from benchmarks.load_scenario import Caller, Handler, Response
from tests import factories

CALLER = Caller(
    resident_id=0,
    name="Margaret Okafor",
    misspelt="Margret Okafer",
    phone="07700 900123",
    date_of_birth="14 3 1948",
    postcode="le1 5ab",
)


def _response(response) -> Response:
    return Response(
        response.status_code,
        response.headers.get("Location", ""),
        response.get_data(as_text=True),
        response.headers.get("ETag", ""),
    )


def _browser(client, names: list[str]):
    def browser(method, url, name, data=None, htmx=False):
        names.append(name)
        headers = {"HX-Request": "true"} if htmx else {}
        return _response(client.open(url, method=method, data=data, headers=headers))

    return browser


def _poll(client, handler: Handler, ask) -> Response:
    """What the open page asks by itself, as the locustfile sends it, and the answer kept."""
    poll = ask()
    response = _response(client.get(poll.url, headers=poll.headers))
    assert response.status in poll.answers, (poll.name, response.status)
    handler.polls.answered(poll, response)
    return response


def test_one_simulated_call_runs_start_to_end(app, resident):
    staff = factories.make_staff()
    db.session.commit()
    names = []
    handler = Handler(_browser(app.test_client(), names), staff.email, factories.PASSWORD)
    handler.sign_in()
    handler.work_call(replace(CALLER, resident_id=resident.id))

    call = db.session.scalars(select(Call)).one()
    assert not call.is_open
    assert call.resident_id == resident.id
    assert call.verified_as is VerifiedAs.RESIDENT
    assert db.session.scalars(select(Entry).where(Entry.resident_id == resident.id)).one()
    assert "/calls/[id]/search [misspelt name]" in names
    assert all("?" not in name or name == "/calls?ended" for name in names)


def test_the_open_page_polls_as_the_browser_does(app, resident):
    """The header's count on every page, "not modified" once it has the version; the waiting
    list on the Calls page, "no change" while it shows what waits; the call's status on a
    call page, "not modified" while the call is as it was."""
    staff = factories.make_staff()
    db.session.commit()
    client = app.test_client()
    handler = Handler(_browser(client, []), staff.email, factories.PASSWORD)
    handler.sign_in()
    polls = handler.polls

    assert _poll(client, handler, polls.count).status == 200
    assert polls.version
    assert _poll(client, handler, polls.count).status == 304
    assert polls.of_page().name == "/calls/waiting [poll]"
    assert _poll(client, handler, polls.of_page).status == 204

    started = handler.browser("POST", "/calls", "/calls [start]", {
        "caller_number": "07700 900123", "csrf_token": handler.token,
    })  # fmt: skip
    handler.open_page(started.location, "/calls/[id]")
    assert polls.of_page().name == "/calls/[id]/status [poll]"
    assert '"call_open":true' in _poll(client, handler, polls.of_page).text.replace(" ", "")
    assert polls.status_version
    assert _poll(client, handler, polls.of_page).status == 304
    assert _poll(client, handler, polls.count).status == 304
