"""The service navigation: one list, filtered by the signed-in member of staff's role."""

from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from app.rules.vocabulary import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    text: str
    roles: frozenset[Role]


NAVIGATION: list[NavItem] = [
    NavItem("console.index", "Console", frozenset(Role)),
]
# The order of the menu: the live work first, then what supervisors review, then what they
# look after. Blueprints register their items in import order; this puts them in this one.
ORDER = [
    "console.index",
    "calls.index",
    "residents.find_record",
    "dispatches.index",
    "disputes.index",
    "duty_to_share.index",
    "locks.index",
    "permissions.index",
    "disputes.dashboard",
    "messages.index",
    "subject_access.index",
    "retention.index",
    "audit.search",
    "admin.index",
]


def _place(item: NavItem) -> int:
    return ORDER.index(item.endpoint) if item.endpoint in ORDER else len(ORDER)


def register(endpoint: str, text: str, *roles: Role) -> None:
    NAVIGATION.append(NavItem(endpoint, text, frozenset(roles) or frozenset(Role)))
    NAVIGATION.sort(key=_place)


def _items_for_current_user() -> list[dict]:
    role = getattr(current_user, "role", None)
    if role is None:
        return []
    blueprint = (request.endpoint or "").split(".")[0]
    return [
        {
            "href": url_for(item.endpoint),
            "text": item.text,
            "current": request.endpoint == item.endpoint,
            "active": blueprint == item.endpoint.split(".")[0],
        }
        for item in NAVIGATION
        if role in item.roles and item.endpoint in current_app.view_functions
    ]


def role_may_open(role: Role | None, endpoint: str) -> bool:
    """Whether `role` may use `endpoint`, as its view declares (`staff_required`)."""
    view = current_app.view_functions.get(endpoint)
    return role is not None and role in getattr(view, "allowed_roles", ())


def may_open(endpoint: str) -> bool:
    """Whether the signed-in member of staff's role may use `endpoint`, as its view declares:
    templates offer a link only where the server would let it be followed."""
    return role_may_open(getattr(current_user, "role", None), endpoint)


def init_navigation(app: Flask) -> None:
    @app.context_processor
    def navigation() -> dict:
        # A function, so a fragment (which has no menu) does not pay for working it out.
        return {"navigation_items": _items_for_current_user, "may_open": may_open}
