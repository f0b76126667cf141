"""The Calls page's poll of the waiting calls: "no change" (204) from the list's version in one
statement with no template while what the page shows is still right, and the list drawn again
at the next poll after anything it shows changes: a call coming, taken, ending or too old, a
number put on file or a name corrected, a representative's permission given or revoked, a hoax
strike, a failure on another record or one leaving the window, and a minute more waited."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from app import clock
from app.extensions import db
from app.models import Call, Resident, ResidentPhone
from app.rules.vocabulary import Role
from app.services import inbound_calls, waiting_calls
from tests import factories
from tests.calls.test_waiting_count import drawn_and_run
from tests.disputes.test_hoax_warnings import WARNING_2, _strikes
from tests.services.test_cross_record import BLAGGER, fail_on, residents

HTMX = {"HX-Request": "true"}
NUMBER = "+447700900123"  # the resident fixture's
DANA = "+447700900456"  # the holder's phone on factories.make_permission
_sids = iter(range(1, 10_000))


def arrive(number: str | None = NUMBER) -> Call:
    return inbound_calls.record_inbound_call(f"CA{next(_sids):032x}", number)


def poll(client, shown: dict | None = None):
    return client.get("/calls/waiting", query_string=shown or {}, headers=HTMX)


def shown_by(response) -> dict:
    """The version arguments the drawn list asks again with."""
    found = re.search(r'hx-get="/calls/waiting\?([^"]+)"', response.get_data(as_text=True))
    return dict(part.split("=") for part in found.group(1).replace("&amp;", "&").split("&"))


@pytest.fixture
def stopped_clock():
    clock.set_now(clock.now().replace(second=0, microsecond=0))
    return clock.now()


def later(**span) -> None:
    clock.set_now(clock.now() + timedelta(**span))


def test_nothing_changed_is_no_change_in_one_statement_with_no_template(
    app, signed_in_handler, resident
):
    for n in range(20):
        arrive(f"+4477009{n:05d}")
    arrive(NUMBER)
    shown = shown_by(poll(signed_in_handler))

    with drawn_and_run(app) as (templates, statements):
        response = poll(signed_in_handler, shown)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert templates == []
    # Who is signed in, and the one read of the list's version.
    assert len([s for s in statements if "FROM calls" in s]) == 1, statements
    assert len(statements) <= 2, statements


def test_nothing_waiting_and_nothing_changed_is_no_change(app, signed_in_handler):
    shown = shown_by(poll(signed_in_handler))

    with drawn_and_run(app) as (templates, _):
        assert poll(signed_in_handler, shown).status_code == 204
    assert templates == []


def test_the_version_is_the_same_for_everyone_who_takes_calls(
    signed_in_handler, signed_in_supervisor, resident
):
    arrive()

    shown = shown_by(poll(signed_in_handler))

    assert shown_by(poll(signed_in_supervisor)) == shown
    assert poll(signed_in_supervisor, shown).status_code == 204


def test_staff_who_do_not_take_calls_are_refused_even_with_a_good_version(
    signed_in_handler, signed_in_client
):
    arrive()
    shown = shown_by(poll(signed_in_handler))

    assert poll(signed_in_client(Role.ADMIN), shown).status_code == 403


def test_a_good_version_held_past_sign_out_is_not_told_no_change(app, signed_in_handler):
    arrive()
    shown = shown_by(poll(signed_in_handler))
    cookie = signed_in_handler.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    token = re.search(r'name="csrf-token" content="([^"]+)"', signed_in_handler.get("/calls").text)
    signed_in_handler.post("/logout", data={"csrf_token": token.group(1)})
    replayed = app.test_client()
    replayed.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)

    for client in (signed_in_handler, replayed):
        answer = poll(client, shown)
        assert answer.status_code == 401
        assert answer.headers["X-Session-Ended"] == "signed-out"


def test_a_version_past_its_time_or_not_given_by_the_app_draws_the_list(
    signed_in_handler, stopped_clock
):
    arrive()
    shown = shown_by(poll(signed_in_handler))
    digest, until = shown["shown"].split("-")

    stretched = {**shown, "shown": f"{digest}-{int(until) + 3600}"}
    later(minutes=1)

    assert poll(signed_in_handler, stretched).status_code == 200
    for garbage in (f"{digest}-", f"{digest}-x", digest, ""):
        assert poll(signed_in_handler, {**shown, "shown": garbage}).status_code == 200


def _arrives(resident):
    arrive("+447700900124")
    return "07700 900124"


def _taken(resident):
    waiting_calls.take_call(_first().id, factories.make_staff(Role.HANDLER))
    return "No calls waiting."


def _ends(resident):
    inbound_calls.close_provider_call(_first().provider_call_sid, "completed", 0)
    return "No calls waiting."


def _number_put_on_file(resident):
    db.session.execute(db.delete(ResidentPhone).where(ResidentPhone.resident_id == resident.id))
    other = factories.make_resident(forename="Joan", surname="Baptiste")
    db.session.add(ResidentPhone(resident_id=other.id, number=NUMBER))
    db.session.commit()
    return "Joan Baptiste"


def _name_corrected(resident):
    db.session.get(Resident, resident.id).forename = "Margarita"
    db.session.commit()
    return "Margarita Okafor"


def _representative_given(resident):
    factories.make_permission(resident, name="Dana Okafor")
    return "Dana Okafor, may speak for Margaret Okafor"


def _hoax_strikes(resident):
    _strikes(resident, 2)
    return WARNING_2


def _third_failure(resident):
    fail_on(residents(1)[0])
    return "This number failed verification on 3"


CHANGES = [
    pytest.param(NUMBER, _arrives, id="a call arrives"),
    pytest.param(NUMBER, _taken, id="the call is taken"),
    pytest.param(NUMBER, _ends, id="the call ends"),
    pytest.param(NUMBER, _number_put_on_file, id="the number is put on another record"),
    pytest.param(NUMBER, _name_corrected, id="the name is corrected"),
    pytest.param(DANA, _representative_given, id="a representative gives the number"),
    pytest.param(factories.HOAXER, _hoax_strikes, id="hoax strikes are upheld"),
    pytest.param(BLAGGER, _third_failure, id="a failure on a third record"),
]


def _first() -> Call:
    return db.session.scalars(db.select(Call).order_by(Call.id)).first()


@pytest.mark.parametrize(("number", "make"), CHANGES)
def test_each_change_draws_the_list_at_the_next_poll(
    app, signed_in_handler, resident, stopped_clock, number, make
):
    if number == BLAGGER:
        for other in residents(2):
            fail_on(other)
    arrive(number)
    shown = shown_by(poll(signed_in_handler))
    assert poll(signed_in_handler, shown).status_code == 204

    now_shown = make(resident)
    with drawn_and_run(app) as (templates, _):
        response = poll(signed_in_handler, shown)

    assert response.status_code == 200
    assert now_shown in response.get_data(as_text=True).replace("&#39;", "'")
    assert templates == ["calls/_waiting_list.html"]
    assert poll(signed_in_handler, shown_by(response)).status_code == 204


def test_a_revoked_permission_takes_its_hint_away_at_the_next_poll(
    signed_in_handler, resident, stopped_clock
):
    permission, _ = factories.make_permission(resident, name="Dana Okafor")
    arrive(DANA)
    first = poll(signed_in_handler)
    assert "may speak for" in first.get_data(as_text=True)

    permission.revoked_at = clock.now()
    db.session.commit()
    response = poll(signed_in_handler, shown_by(first))

    assert response.status_code == 200
    assert "may speak for" not in response.get_data(as_text=True)


@pytest.fixture
def before_midnight():
    """20 seconds before midnight in London (GMT in January), set before anyone signs in."""
    clock.set_now(datetime(2027, 1, 14, 23, 59, 40, tzinfo=UTC))


def test_a_permission_coming_into_force_shows_its_hint_the_day_it_starts(
    before_midnight, signed_in_handler, resident
):
    factories.make_permission(resident, name="Dana Okafor", starts_on=date(2027, 1, 15))
    arrive(DANA)
    first = poll(signed_in_handler)
    assert "may speak for" not in first.get_data(as_text=True)

    later(seconds=30)  # the next day, within the same minute of waiting
    response = poll(signed_in_handler, shown_by(first))

    assert response.status_code == 200
    assert "may speak for" in response.get_data(as_text=True)


def test_a_minute_more_waited_draws_the_list_without_announcing_it(
    signed_in_handler, stopped_clock
):
    arrive()
    shown = shown_by(poll(signed_in_handler))
    later(seconds=59)
    assert poll(signed_in_handler, shown).status_code == 204

    later(seconds=1)
    response = poll(signed_in_handler, shown)

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 minute" in body
    assert "hx-swap-oob" not in body


def test_a_call_past_the_longest_a_call_may_last_leaves_the_list(app, signed_in_handler):
    arrive()
    shown = shown_by(poll(signed_in_handler))

    later(minutes=app.config["CALL_MAX_MINUTES"])
    response = poll(signed_in_handler, shown)

    assert "No calls waiting." in response.get_data(as_text=True)


def test_a_failure_leaving_the_window_takes_the_warning_away_at_the_next_poll(
    signed_in_handler, stopped_clock
):
    for resident in residents(2):
        fail_on(resident)
    almost_a_day = (timedelta(hours=24) - timedelta(seconds=20)) / timedelta(hours=1)
    fail_on(residents(1)[0], hours_ago=almost_a_day)
    arrive(BLAGGER)
    first = poll(signed_in_handler)
    assert "failed verification on 3" in first.get_data(as_text=True)

    later(seconds=30)  # the oldest failure is a day old, within the same minute of waiting
    response = poll(signed_in_handler, shown_by(first))

    assert response.status_code == 200
    assert "failed verification on" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("one", "other"),
    [(("a|b", "c"), ("a", "b|c")), (("1:a", "b"), ("1", ":ab")), (("a,b", "c"), ("a", "b,c"))],
)
def test_no_two_different_rows_are_read_as_the_same_text(app, one, other):
    def read(values) -> str:
        return db.session.scalar(
            db.select(waiting_calls._as_text([db.literal(v, db.String) for v in values]))
        )

    assert read(one) != read(other)
