"""Rule 6: a number with hoax strikes gets a warning on the call and on the screen pop, never
a block."""

from app import clock
from app.extensions import db
from app.models import Call
from app.rules.vocabulary import DisputeStatus, Role
from app.services import disputes
from tests import factories

WARNING_2 = "2 earlier reports from this number were upheld as hoaxes"


def _strikes(resident, count: int, outcome=DisputeStatus.UPHELD) -> None:
    supervisor = factories.make_staff(Role.SUPERVISOR)
    for _ in range(count):
        dispute = factories.make_dispute(resident)
        disputes.decide_dispute(dispute, outcome, "Decided", 0, supervisor, now=clock.now())


def _call_from(number: str, handler, resident) -> Call:
    call = factories.make_call(resident, handler)
    call.caller_number = number
    db.session.commit()
    return call


def test_a_call_from_a_number_with_strikes_shows_a_warning_and_still_takes_reports(
    signed_in_handler, resident
):
    _strikes(resident, 2)
    call = _call_from(factories.HOAXER, signed_in_handler.user, resident)

    page = signed_in_handler.get(f"/calls/{call.id}").get_data(as_text=True)

    assert WARNING_2 in page
    assert "Good faith still applies" in page
    assert f"/calls/{call.id}/reports" in page  # never a block


def test_the_warning_shows_before_a_record_is_chosen(signed_in_handler, resident):
    _strikes(resident, 1)
    call = Call(
        handler_id=signed_in_handler.user.id,
        caller_number=factories.HOAXER,
        started_at=clock.now(),
        last_activity_at=clock.now(),
    )
    db.session.add(call)
    db.session.commit()

    page = signed_in_handler.get(f"/calls/{call.id}").get_data(as_text=True)

    assert "1 earlier report from this number was upheld as a hoax" in page


def test_no_warning_for_a_number_without_strikes(signed_in_handler, resident):
    _strikes(resident, 2, outcome=DisputeStatus.NOT_UPHELD)
    call = _call_from(factories.HOAXER, signed_in_handler.user, resident)

    page = signed_in_handler.get(f"/calls/{call.id}").get_data(as_text=True)

    assert "upheld as" not in page


def test_a_correction_to_not_upheld_takes_the_strike_away(resident):
    dispute = factories.make_dispute(resident)
    supervisor = factories.make_staff(Role.SUPERVISOR)
    disputes.decide_dispute(dispute, DisputeStatus.UPHELD, "Hoax", 0, supervisor, now=clock.now())
    disputes.decide_dispute(
        dispute, DisputeStatus.NOT_UPHELD, "Not a hoax after all", 1, supervisor, now=clock.now()
    )

    assert disputes.hoax_warning_for(factories.HOAXER) is None


def test_the_screen_pop_warns_of_a_waiting_call_from_a_number_with_strikes(
    signed_in_handler, resident
):
    _strikes(resident, 2)
    db.session.add_all(
        [
            Call(provider_call_sid="CA" + "1" * 32, caller_number=factories.HOAXER),
            Call(provider_call_sid="CA" + "2" * 32, caller_number="+447700900999"),
        ]
    )
    db.session.commit()

    fragment = signed_in_handler.get("/calls/waiting", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )

    assert fragment.count(WARNING_2) == 1
    assert fragment.count("Take call") == 2  # a warning, never a block
