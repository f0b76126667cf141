"""A number failing verification on several residents' records: a warning on the call and the
screen pop, never a block."""

from html import unescape

from app import clock
from app.extensions import db
from app.models import Call
from tests import factories
from tests.services.test_cross_record import BLAGGER, fail_on, residents

WARNING = "This number failed verification on 3 different residents' records in the last 24 hours"


def test_a_new_call_from_the_number_warns_before_a_record_is_chosen(signed_in_handler):
    for resident in residents(3):
        fail_on(resident)
    call = Call(
        handler_id=signed_in_handler.user.id,
        caller_number=BLAGGER,
        started_at=clock.now(),
        last_activity_at=clock.now(),
    )
    db.session.add(call)
    db.session.commit()

    page = unescape(signed_in_handler.get(f"/calls/{call.id}").get_data(as_text=True))

    assert WARNING in page
    assert "good faith still applies" in page


def test_the_warning_stays_on_the_call_and_reports_are_still_taken(signed_in_handler, resident):
    for other in residents(3):
        fail_on(other)
    call = factories.make_call(resident, signed_in_handler.user)
    call.caller_number = BLAGGER
    db.session.commit()

    page = unescape(signed_in_handler.get(f"/calls/{call.id}").get_data(as_text=True))

    assert WARNING in page
    assert f"/calls/{call.id}/reports" in page  # never a block


def test_the_screen_pop_warns_next_to_the_waiting_call(signed_in_handler):
    for resident in residents(3):
        fail_on(resident)
    db.session.add_all(
        [
            Call(provider_call_sid="CA" + "1" * 32, caller_number=BLAGGER),
            Call(provider_call_sid="CA" + "2" * 32, caller_number="+447700900999"),
        ]
    )
    db.session.commit()

    fragment = unescape(
        signed_in_handler.get("/calls/waiting", headers={"HX-Request": "true"}).get_data(
            as_text=True
        )
    )

    assert fragment.count(WARNING) == 1
    assert fragment.count("Take call") == 2


def test_no_warning_for_a_number_that_failed_on_fewer_records(signed_in_handler):
    for resident in residents(2):
        fail_on(resident)
    db.session.add(Call(provider_call_sid="CA" + "1" * 32, caller_number=BLAGGER))
    db.session.commit()

    fragment = unescape(
        signed_in_handler.get("/calls/waiting", headers={"HX-Request": "true"}).get_data(
            as_text=True
        )
    )

    assert "failed verification on" not in fragment
