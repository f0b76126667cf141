"""What the templates ask of a model instead of comparing its enums' values."""

import pytest

from app.models import Call, Entry, Permission
from app.rules.vocabulary import (
    CallerType,
    EntryStatus,
    Relationship,
    RepresentativeCheck,
    Urgency,
)


@pytest.mark.parametrize(
    ("caller_type", "expected"),
    [
        (CallerType.UNKNOWN, (True, False, False)),
        (CallerType.RESIDENT, (False, False, False)),
        (CallerType.REPRESENTATIVE, (False, True, False)),
        (CallerType.THIRD_PARTY, (False, False, True)),
    ],
    ids=["unknown", "resident", "representative", "third-party"],
)
def test_a_call_says_who_is_calling(caller_type, expected):
    call = Call(caller_type=caller_type)

    flags = (call.is_caller_unknown, call.is_caller_representative, call.is_caller_third_party)

    assert flags == expected


@pytest.mark.parametrize(
    ("relationship", "expected"),
    [(None, None), (Relationship.SELF, None), (Relationship.NEIGHBOUR, Relationship.NEIGHBOUR)],
    ids=["none-given", "the-resident", "a-neighbour"],
)
def test_a_call_names_the_callers_relationship_only_when_they_are_someone_else(
    relationship, expected
):
    call = Call(caller_relationship=relationship)

    assert call.relationship_to_resident == expected


@pytest.mark.parametrize(
    ("urgency", "status", "expected"),
    [
        (Urgency.ROUTINE, EntryStatus.ACTIVE, (False, False)),
        (Urgency.URGENT, EntryStatus.ACTIVE, (True, False)),
        (Urgency.EMERGENCY, EntryStatus.ACTIVE, (True, False)),
        (Urgency.ROUTINE, EntryStatus.DISPUTED, (False, True)),
        (Urgency.ROUTINE, EntryStatus.UPHELD, (False, False)),
    ],
    ids=["routine", "urgent", "emergency", "disputed", "dispute-upheld"],
)
def test_an_entry_is_urgent_unless_routine_and_disputed_while_the_dispute_is_open(
    urgency, status, expected
):
    entry = Entry(urgency=urgency, status=status)

    assert (entry.is_urgent, entry.is_disputed) == expected


@pytest.mark.parametrize(
    ("check", "expected"),
    [(RepresentativeCheck.PASSCODE, (True, False)), (RepresentativeCheck.SMS, (False, True))],
    ids=["passcode", "sms"],
)
def test_a_permission_says_how_its_representative_proves_who_they_are(check, expected):
    permission = Permission(verification_method=check)

    assert (permission.is_checked_by_passcode, permission.is_checked_by_sms) == expected
