"""The one table of who may do what, as the README's "What staff can do" gives each role."""

import pytest

from app.rules.capabilities import (
    CAPABILITIES,
    Capability,
    SignedInKind,
    UserKind,
    may,
    roles_that_may,
)
from app.rules.vocabulary import Role

H, S, A = Role.HANDLER, Role.SUPERVISOR, Role.ADMIN
C = Capability

# The README, section by section: who it names for each thing staff can do.
README = {
    C.TAKE_CALLS: {H, S},  # Calls (handlers, supervisors)
    C.SEE_DISPATCHES: {H, S, A},  # Dispatches
    C.OPEN_RECORDS: {H, S, A},  # Records
    C.DECIDE_DISPUTES: {S},  # Disputes (supervisors)
    C.UNLOCK_RECORDS: {S},  # Locked records (supervisors)
    C.SEE_DASHBOARD: {S, A},  # Dashboard (supervisors, administrators)
    C.MANAGE_PERMISSIONS: {S},  # Permissions (supervisors)
    C.DECIDE_AUTHORITY_ENDS: {S},  # Permissions: residents' requests to end an authority
    C.CHANGE_NUMBERS_ON_FILE: {S},  # Numbers on file (supervisors)
    C.SET_LEGAL_HOLDS: {S, A},  # Legal holds (supervisors, administrators)
    C.EXPORT_SUBJECT_ACCESS: {S},  # Subject access (supervisors)
    C.MANAGE_STAFF: {A},  # Staff (administrators)
    C.DECIDE_DUTY_TO_SHARE: {S, A},  # Duty to share (supervisors and administrators decide)
    C.SEARCH_AUDIT_LOG: {S, A},  # docs/rules.md, "The audit log"
    C.SEE_MESSAGES: {S, A},  # docs/rules.md, "Messages to residents"
}


def test_the_readme_names_who_may_do_each_thing_the_table_knows():
    assert set(README) == set(Capability)


@pytest.mark.parametrize(
    ("role", "capability"),
    [(role, capability) for role in Role for capability in Capability],
    ids=[f"{role.value}-{capability.value}" for role in Role for capability in Capability],
)
def test_a_role_may_do_exactly_what_the_readme_gives_it(role, capability):
    assert may(role, capability) is (role in README[capability])


def test_every_role_is_in_the_table():
    assert set(CAPABILITIES) == set(Role)


@pytest.mark.parametrize("capability", list(Capability), ids=[c.value for c in Capability])
def test_nobody_without_a_role_may_do_anything(capability):
    assert not may(None, capability)


@pytest.mark.parametrize("capability", list(Capability), ids=[c.value for c in Capability])
def test_the_roles_that_may_do_a_thing_are_the_ones_the_table_gives_it(capability):
    assert roles_that_may(capability) == README[capability]


def test_naming_no_capability_admits_every_role():
    assert roles_that_may() == frozenset(Role)


def test_naming_two_capabilities_admits_only_the_roles_with_both():
    assert roles_that_may(C.TAKE_CALLS, C.SEE_DASHBOARD) == {S}
    assert roles_that_may(C.MANAGE_STAFF, C.TAKE_CALLS) == frozenset()


def test_administrators_manage_accounts_not_residents_affairs():
    residents_affairs = {
        C.TAKE_CALLS,
        C.DECIDE_DISPUTES,
        C.UNLOCK_RECORDS,
        C.MANAGE_PERMISSIONS,
        C.DECIDE_AUTHORITY_ENDS,
        C.CHANGE_NUMBERS_ON_FILE,
        C.EXPORT_SUBJECT_ACCESS,
    }

    assert CAPABILITIES[A].isdisjoint(residents_affairs)


def test_every_capability_is_written_in_words():
    assert all(capability.label and capability.label[0].isupper() for capability in Capability)


@pytest.mark.parametrize(
    ("kind", "is_staff", "is_resident"),
    [(UserKind.STAFF, True, False), (UserKind.RESIDENT, False, True), (None, False, False)],
    ids=["staff", "resident", "nobody"],
)
def test_a_signed_in_kind_says_what_it_is(kind, is_staff, is_resident):
    class Someone(SignedInKind):
        pass

    someone = Someone()
    someone.kind = kind

    assert (someone.is_staff, someone.is_resident) == (is_staff, is_resident)
