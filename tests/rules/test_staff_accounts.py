"""Staff accounts: nobody locks themselves out, the last administrator stays, handlers have
areas, and passwords are long enough."""

import pytest

from app.rules import staff_accounts as rules
from app.rules.staff_accounts import Change
from app.rules.vocabulary import Role

ME, SOMEONE = 1, 2


def _change(actor=ME, target=SOMEONE, role=Role.ADMIN, active=True, new_role=None,
            new_active=None, others=1) -> Change:  # fmt: skip
    return Change(
        actor_id=actor,
        target_id=target,
        target_role=role,
        target_active=active,
        new_role=role if new_role is None else new_role,
        new_active=active if new_active is None else new_active,
        other_active_admins=others,
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (_change(target=ME, new_role=Role.SUPERVISOR), rules.NOT_YOUR_OWN_ROLE),
        (_change(target=ME, new_active=False), rules.NOT_YOURSELF),
        (_change(target=ME, new_role=Role.HANDLER, others=0), rules.NOT_YOUR_OWN_ROLE),
        (_change(new_role=Role.SUPERVISOR, others=0), rules.LAST_ADMIN),
        (_change(new_active=False, others=0), rules.LAST_ADMIN),
        (_change(actor=None, new_role=Role.HANDLER, others=0), rules.LAST_ADMIN),
        (_change(actor=None, new_active=False, others=0), rules.LAST_ADMIN),
        (_change(new_role=Role.SUPERVISOR, others=1), None),
        (_change(new_active=False, others=1), None),
        (_change(role=Role.HANDLER, new_role=Role.SUPERVISOR, others=0), None),
        (_change(role=Role.HANDLER, new_active=False, others=0), None),
        (_change(role=Role.ADMIN, active=False, new_active=False, others=0), None),
        (_change(target=ME), None),
        (_change(actor=None, role=Role.SUPERVISOR, new_role=Role.ADMIN, others=0), None),
    ],
    ids=[
        "own-role",
        "deactivate-yourself",
        "own-role-as-last-admin",
        "demote-last-admin",
        "deactivate-last-admin",
        "command-line-demotes-last-admin",
        "command-line-deactivates-last-admin",
        "demote-one-of-two-admins",
        "deactivate-one-of-two-admins",
        "promote-a-handler",
        "deactivate-a-handler",
        "already-inactive-admin",
        "own-details-only",
        "command-line-makes-an-admin",
    ],
)
def test_what_an_administrator_may_change(change, problem):
    found = rules.change_problem(change)

    assert (found[0] if found else None) == problem


@pytest.mark.parametrize(
    ("role", "areas", "problem"),
    [
        (Role.HANDLER, frozenset(), rules.SELECT_AREA),
        (Role.HANDLER, frozenset({"housing"}), None),
        (Role.SUPERVISOR, frozenset(), None),
        (Role.ADMIN, frozenset(), None),
    ],
)
def test_a_call_handler_needs_a_service_area(role, areas, problem):
    assert rules.areas_problem(role, areas) == problem


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("", rules.ENTER_PASSWORD),
        ("short pass", rules.PASSWORD_TOO_SHORT),
        ("x" * 11, rules.PASSWORD_TOO_SHORT),
        ("x" * 12, None),
        ("x" * 201, rules.PASSWORD_TOO_LONG),
        ("Sam.Supervisor@example.org", rules.PASSWORD_IS_EMAIL),
        ("purple kettle marching", None),
    ],
)
def test_a_new_password_is_long_enough_and_not_the_email(password, problem):
    assert rules.password_problem(password, "sam.supervisor@example.org") == problem
