"""What the caller's number hints at, carried from the screen pop into the call, and found by a
search: residents with the number on file, and residents whose representatives gave it on a
permission in force. A hint, never proof; and never more than a search result shows."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Call
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import CallerType, Role
from app.services import inbound_calls, permissions, search, waiting_calls
from tests import factories
from tests.calls.conftest import CallDriver
from tests.helpers import csrf_token

DANA = "+447700900456"  # the holder's phone on factories.make_permission
HINT = "Hint from the caller's number: not proof"
MAY_SPEAK = "Dana Okafor may speak for Margaret Okafor (representative's number)"
_sids = iter(range(1, 10_000))


def _taken(client, number: str | None) -> CallDriver:
    """A call that came in through the provider from `number`, taken by the client's handler."""
    call = inbound_calls.record_inbound_call(f"CA{next(_sids):032x}", number)
    waiting_calls.take_call(call.id, client.user)
    return CallDriver.taken(client, call.id)


def _search(call, query: str) -> str:
    return call.post("/search", {"q": query}, htmx=True).get_data(as_text=True)


def _find_step(page: str) -> str:
    return page.split('id="find"', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def danas_permission(resident):
    permission, _ = factories.make_permission(resident, name="Dana Okafor")
    return permission


# --- the call taken from the pop opens with what the pop knew ----------------------------------


def test_a_call_from_a_representatives_number_opens_with_the_resident_offered_as_a_hint(
    signed_in_handler, danas_permission
):
    call = _taken(signed_in_handler, DANA)

    find = _find_step(call.page())

    assert HINT in find
    assert MAY_SPEAK in find
    assert 'Select<span class="govuk-visually-hidden"> Margaret Okafor, Mill Lane, LE1' in find
    assert f'name="resident_id" value="{danas_permission.resident_id}"' in find


def test_a_call_from_the_residents_own_number_says_so(signed_in_handler, resident):
    call = _taken(signed_in_handler, "+447700900123")

    find = _find_step(call.page())

    assert HINT in find
    assert "The resident's own number" in find


def test_choosing_a_hinted_record_verifies_nobody(signed_in_handler, danas_permission):
    call = _taken(signed_in_handler, DANA)

    response = call.select(danas_permission.resident)

    assert response.status_code == 302
    saved = db.session.get(Call, call.id)
    assert saved.resident_id == danas_permission.resident_id
    assert saved.caller_type is CallerType.UNKNOWN  # who is calling is still asked
    assert saved.verified_as is VerifiedAs.NOBODY
    page = call.page()
    assert "Do not disclose: caller not verified" in page
    assert "2. Who is calling" in page


@pytest.mark.parametrize("number", [None, "+447700900999"], ids=["withheld", "nobody-on-file"])
def test_a_number_that_hints_nothing_opens_with_the_search_alone(
    signed_in_handler, resident, number
):
    call = _taken(signed_in_handler, number)

    find = _find_step(call.page())

    assert HINT not in find
    assert "Find the resident&#39;s record" in find


def _revoke(permission):
    permissions.revoke(
        permission, factories.make_staff(Role.SUPERVISOR), "Resident asked us to", now=clock.now()
    )


def _close_matter(permission):
    permission.matter = "The repair to the roof"
    db.session.commit()
    permissions.close_matter(
        permission, factories.make_staff(Role.SUPERVISOR), "Roof mended", clock.now()
    )


def _expire(permission):
    permission.starts_on = clock.today() - timedelta(days=30)
    permission.expires_on = clock.today()  # the first day it no longer applies
    db.session.commit()


def _not_started(permission):
    permission.starts_on = clock.today() + timedelta(days=1)
    db.session.commit()


ENDED = [_revoke, _close_matter, _expire, _not_started]
ENDED_IDS = ["revoked", "matter-closed", "expired", "not-started"]


@pytest.mark.parametrize("end", ENDED, ids=ENDED_IDS)
def test_a_permission_not_in_force_hints_nothing_on_the_call(
    signed_in_handler, danas_permission, end
):
    end(danas_permission)
    call = _taken(signed_in_handler, DANA)

    page = call.page()

    assert HINT not in page
    assert "may speak for" not in page


@pytest.mark.parametrize("end", ENDED, ids=ENDED_IDS)
def test_a_permission_not_in_force_is_not_found_by_its_number(
    signed_in_handler, start_call, danas_permission, end
):
    end(danas_permission)
    call = start_call(signed_in_handler)

    html = _search(call, "07700 900456")

    assert "No records found" in html
    assert "Margaret" not in html


def test_several_records_on_one_number_show_a_few_and_say_there_are_others(signed_in_handler):
    for n in range(waiting_calls.HINTS_PER_CALL + 2):
        factories.make_resident(forename=f"Person{n}", surname="Shared", phones=["+447700900777"])
    call = _taken(signed_in_handler, "+447700900777")

    find = _find_step(call.page())

    assert find.count("The resident's own number") == waiting_calls.HINTS_PER_CALL
    assert "Others have this number on file too" in find


def test_a_record_hinted_twice_is_offered_once_its_own_number_first(signed_in_handler, resident):
    # Dana's permission gives the resident's own number: the record is hinted both ways.
    permission, _ = factories.make_permission(resident, name="Dana Okafor")
    permission.holder_phone = "+447700900123"
    db.session.commit()
    call = _taken(signed_in_handler, "+447700900123")

    find = _find_step(call.page())

    assert find.count('name="resident_id"') == 1
    assert "The resident's own number" in find


# --- a search by a representative's number ----------------------------------------------------


def test_a_search_by_a_representatives_number_finds_whom_they_may_speak_for(
    signed_in_handler, start_call, danas_permission
):
    call = start_call(signed_in_handler)

    html = _search(call, "07700 900456")

    assert "1 record found by representative&#39;s number" in html
    assert MAY_SPEAK in html
    assert f'value="{danas_permission.resident_id}"' in html


def test_the_residents_own_number_comes_before_a_representatives(signed_in_handler, start_call):
    own = factories.make_resident(forename="Zara", surname="Young", phones=[DANA])
    represented = factories.make_resident(
        forename="Abel", surname="Adams", phones=["+447700900111"]
    )
    factories.make_permission(represented, name="Dana Okafor")
    call = start_call(signed_in_handler)

    results = search.find_residents("07700 900456", staff_id=signed_in_handler.user.id)

    assert [(m.resident_id, m.found_by, m.representative) for m in results.matches] == [
        (own.id, "phone number", None),
        (represented.id, search.REPRESENTATIVES_NUMBER, "Dana Okafor"),
    ]
    html = _search(call, "07700 900456")
    assert "Found by phone number" in html and "Found by representative&#39;s number" in html


def test_a_search_by_number_is_audited_as_before_never_with_the_number(
    signed_in_handler, start_call, danas_permission
):
    call = start_call(signed_in_handler)

    _search(call, "07700 900456")

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "search.made"))
    assert event.detail["searched_by"] == "phone number"
    assert event.detail["results"] == 1
    assert "900456" not in str(event.detail)


# --- no more than a search result shows, before anyone is verified ---------------------------

SECRETS = ("LE1 5AB", "Flat 2", "14 Mill Lane", "1948", "Leicester", "LPA-2024-001")


def test_the_hints_and_the_search_show_no_more_than_a_search_result_did(
    signed_in_handler, start_call, resident, danas_permission
):
    taken = _taken(signed_in_handler, DANA)
    hinted = _find_step(taken.page())
    searched = _search(start_call(signed_in_handler), "07700 900456")

    for html in (hinted, searched):
        for secret in (*SECRETS, resident.reference, "margaret@example.com", "7700900123"):
            assert secret not in html
        assert "Lasting Power" not in html  # not even what kind of permission it is


def test_a_hint_is_offered_only_on_the_handlers_own_call(
    signed_in_client, signed_in_handler, danas_permission
):
    call = _taken(signed_in_handler, DANA)
    other = signed_in_client(Role.HANDLER)

    page = other.get(f"/calls/{call.id}")
    chosen = other.post(
        f"/calls/{call.id}/resident",
        data={
            "csrf_token": csrf_token(other, "/calls"),
            "resident_id": danas_permission.resident_id,
        },
    )

    assert page.status_code == 404
    assert chosen.status_code == 404
    assert db.session.get(Call, call.id).resident_id is None


def test_the_find_step_reads_the_hints_in_one_statement(app, signed_in_handler, danas_permission):
    from sqlalchemy import event

    from app.services.call_workspace import Show, workspace

    call = _taken(signed_in_handler, DANA)
    handler = db.session.get(type(signed_in_handler.user), signed_in_handler.user.id)
    ran: list[str] = []

    def count(conn, cursor, statement, *args):
        ran.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        without = workspace(call.id, handler, clock.now(), Show.STEPS)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)

    hint_statements = [s for s in ran if "permissions.holder_phone" in s]
    assert len(hint_statements) == 1
    assert [h.resident_id for h in without.find.hints] == [danas_permission.resident_id]


def test_a_permission_starting_today_hints_and_one_ending_today_does_not(
    signed_in_handler, resident
):
    today = clock.today()
    starting, _ = factories.make_permission(resident, name="Dana Okafor", starts_on=today)
    ending = factories.make_resident(forename="Oscar", surname="Ends")
    ended, _ = factories.make_permission(ending, name="Dana Okafor", starts_on=date(2024, 1, 1))
    ended.expires_on = today  # the first day on which it no longer applies
    db.session.commit()

    hints = search.number_hints([DANA])[DANA]

    assert [hint.resident_id for hint in hints] == [starting.resident_id]
    assert ended.resident_id not in {hint.resident_id for hint in hints}
