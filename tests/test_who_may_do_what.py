"""Who may do what is decided in one table (app/rules/capabilities.py): routes, the menu,
templates and services ask it by capability, and nothing asks which kind of user is signed in
by guessing from attributes."""

import re
from pathlib import Path

import pytest
from flask import render_template_string

from app.navigation import NAVIGATION
from app.rules.capabilities import Capability
from app.rules.vocabulary import Role

ROOT = Path(__file__).resolve().parent.parent
# The pages every member of staff has, whatever their role: they need no capability.
ANY_STAFF = {"console.index", "auth.logout"}
# Where naming a role is the point: the table itself, the vocabulary, the rules about the
# accounts themselves (a handler needs a service area, the last administrator stays), the
# staff service that applies them, and the demo accounts.
NAMING_ROLES = {
    "app/rules/capabilities.py",
    "app/rules/vocabulary.py",
    "app/rules/staff_accounts.py",
    "app/services/staff.py",
    "app/demo/cli.py",
}


def _sources(folder: str, pattern: str) -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text()
        for path in sorted((ROOT / folder).rglob(pattern))
    }


def test_every_staff_endpoint_but_the_console_and_sign_out_names_a_capability(app):
    unnamed = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if hasattr(view, "capabilities") and not view.capabilities and endpoint not in ANY_STAFF
    ]

    assert unnamed == []


def test_each_menu_item_asks_the_capability_its_page_requires(app):
    differ = {
        item.endpoint: (item.capability, app.view_functions[item.endpoint].capabilities)
        for item in NAVIGATION
        if item.endpoint in app.view_functions
        and {item.capability} - {None} != app.view_functions[item.endpoint].capabilities
    }

    assert differ == {}


def test_no_module_lists_roles_to_decide_access_outside_the_table():
    named = {
        path: sorted(set(re.findall(r"Role\.(?:HANDLER|SUPERVISOR|ADMIN)", text)))
        for path, text in _sources("app", "*.py").items()
        if path not in NAMING_ROLES
    }

    assert {path: roles for path, roles in named.items() if roles} == {}


def test_nothing_guesses_the_kind_of_user_from_its_attributes():
    guesses = re.compile(
        r"hasattr\((?:current_user|user)\b|getattr\(current_user|resident_id is defined"
        r"|current_user\.role(?!\.label)"
    )
    found = {
        path: guesses.findall(text)
        for path, text in {**_sources("app", "*.py"), **_sources("templates", "*.html")}.items()
    }

    assert {path: hits for path, hits in found.items() if hits} == {}


def test_templates_ask_can_and_nothing_else_about_roles():
    other_checks = re.compile(r"may_open\(|current_user\.role\s+(?:in|==|!=)|\brole_may_open\b")
    found = {
        path: other_checks.findall(text)
        for path, text in {**_sources("templates", "*.html"), **_sources("app", "*.py")}.items()
    }

    assert {path: hits for path, hits in found.items() if hits} == {}


@pytest.mark.parametrize(
    ("role", "shown"),
    [(Role.HANDLER, "no"), (Role.SUPERVISOR, "yes"), (Role.ADMIN, "no")],
    ids=["handler", "supervisor", "admin"],
)
def test_can_in_a_template_answers_for_the_member_of_staff_signed_in(
    app, signed_in_client, role, shown
):
    client = signed_in_client(role)
    template = "{{ 'yes' if can(Capability.UNLOCK_RECORDS) else 'no' }}"

    with app.test_request_context("/"):
        from flask_login import login_user

        login_user(client.user)
        drawn = render_template_string(template)

    assert drawn == shown


def test_can_refuses_a_capability_it_does_not_know(app):
    with app.test_request_context("/"), pytest.raises(ValueError):
        render_template_string("{{ can('open-every-door') }}")


def test_can_says_no_to_a_visitor_who_is_not_signed_in(app):
    with app.test_request_context("/"):
        drawn = render_template_string(
            "{{ can(Capability.OPEN_RECORDS) }} {{ current_user.is_staff }} "
            "{{ current_user.is_resident }}"
        )

    assert drawn == "False False False"


def test_every_capability_is_required_by_some_page(app):
    required = set().union(
        *(getattr(view, "capabilities", frozenset()) for view in app.view_functions.values())
    )

    assert required == set(Capability)
