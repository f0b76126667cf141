"""A handler's open calls, told apart: when each started and how long ago, the caller's number,
who is calling and the record, when known; on Calls and on the console."""

from datetime import timedelta

import pytest

from app import clock
from app.demo import builders
from app.extensions import db
from app.rules.vocabulary import CallerType, Relationship, Role
from app.services import calls
from tests import factories


def _open_calls(client, path: str = "/calls") -> str:
    page = client.get(path).get_data(as_text=True)
    return page.split('<table class="govuk-table">', 1)[1].split("</table>", 1)[0]


@pytest.fixture
def three_calls(signed_in_handler, resident):
    """Three open calls of the handler's, started 3, 12 and 75 minutes ago, and another
    handler's."""
    now = clock.now()
    handler = signed_in_handler.user
    neighbour = factories.make_resident(
        forename="Joan", surname="Whitby", address_line_1="7 Elm Road", postcode="LE6 8NP"
    )
    calls_made = [
        builders.add_call(handler, at=now - timedelta(minutes=3), caller_number="+447700900555"),
        builders.add_call(
            handler, resident, at=now - timedelta(minutes=12), caller_number="+447700900123",
            caller_type=CallerType.RESIDENT, caller_relationship=Relationship.SELF,
        ),
        builders.add_call(
            handler, neighbour, at=now - timedelta(minutes=75), caller_number=None,
            caller_number_withheld=True, caller_type=CallerType.THIRD_PARTY,
            caller_name="Pat Reynolds", caller_relationship=Relationship.NEIGHBOUR,
        ),
    ]  # fmt: skip
    builders.add_call(factories.make_staff(Role.HANDLER), resident, caller_number="+447700900888")
    db.session.commit()
    clock.set_now(now)
    return calls_made


@pytest.mark.parametrize("path", ["/calls", "/"], ids=["calls", "console"])
def test_each_open_call_says_who_is_calling_about_which_record_and_since_when(
    signed_in_handler, three_calls, path
):
    table = _open_calls(signed_in_handler, path)

    rows = table.split("<tr")[2:]
    assert len(rows) == 3  # newest first, and no other handler's
    assert "3 minutes ago" in rows[0] and "07700 900555" in rows[0]
    assert "Not said yet" in rows[0] and "No record chosen yet" in rows[0]
    assert "12 minutes ago" in rows[1] and "The resident" in rows[1]
    assert "Margaret Okafor, Mill Lane, LE1" in rows[1]
    assert "1 hour 15 minutes ago" in rows[2] and "Withheld number" in rows[2]
    assert "Pat Reynolds, neighbour" in rows[2]
    assert "Joan Whitby, Elm Road, LE6" in rows[2]
    assert "07700 900888" not in table


def test_an_open_call_shows_no_more_of_the_record_than_the_call_page_does(
    signed_in_handler, three_calls, resident
):
    table = _open_calls(signed_in_handler)

    for secret in ("LE1 5AB", "Flat 2", "14 Mill Lane", "1948", resident.reference):
        assert secret not in table


def test_each_continue_link_names_its_call_for_screen_readers(signed_in_handler, three_calls):
    table = _open_calls(signed_in_handler)

    assert (
        'Continue<span class="govuk-visually-hidden"> call from 07700 900123 about '
        "Margaret Okafor, Mill Lane, LE1, started 12 minutes ago</span>"
    ) in table


def test_a_representative_is_named_by_the_call(signed_in_handler, resident):
    permission, _ = factories.make_permission(resident, name="Dana Okafor")
    builders.add_call(
        signed_in_handler.user, resident, caller_type=CallerType.REPRESENTATIVE,
        caller_name="Dana Okafor", caller_relationship=Relationship.CHILD,
        permission_id=permission.id,
    )  # fmt: skip
    db.session.commit()

    [shown] = calls.open_calls_for(signed_in_handler.user)

    assert shown.caller == "Dana Okafor, son or daughter"


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0, "under a minute"), (59, "under a minute"), (60, "1 minute"), (119, "1 minute"),
        (720, "12 minutes"), (3600, "1 hour"), (3660, "1 hour 1 minute"),
        (4500, "1 hour 15 minutes"), (7200, "2 hours"), (-5, "under a minute"),
    ],
)  # fmt: skip
def test_how_long_is_said_as_a_list_says_it(seconds, said):
    assert clock.how_long(timedelta(seconds=seconds)) == said
