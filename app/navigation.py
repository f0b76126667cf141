"""The service navigation: one list, each item shown to the staff whose role may do what its
page needs (app/rules/capabilities.py)."""

from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from app.rules.capabilities import Capability
from app.security import signed_in_staff


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    text: str
    capability: Capability | None  # None: every member of staff


NAVIGATION: list[NavItem] = [
    NavItem("console.index", "Console", None),
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


def register(endpoint: str, text: str, capability: Capability | None = None) -> None:
    """Put a page in the menu, for the staff who may do `capability` (everyone if None): the
    capability its view requires."""
    NAVIGATION.append(NavItem(endpoint, text, capability))
    NAVIGATION.sort(key=_place)


def _items_for_current_user() -> list[dict]:
    if not signed_in_staff():
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
        if (item.capability is None or current_user.can(item.capability))
        and item.endpoint in current_app.view_functions
    ]


def init_navigation(app: Flask) -> None:
    @app.context_processor
    def navigation() -> dict:
        # A function, so a fragment (which has no menu) does not pay for working it out.
        return {"navigation_items": _items_for_current_user}
