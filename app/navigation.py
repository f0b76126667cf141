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
    # Whether the other pages of its blueprint come under it in the menu (a dispute's page
    # under Disputes); False for a page that is its own section (the dashboard).
    covers_blueprint: bool = True


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


def register(
    endpoint: str,
    text: str,
    capability: Capability | None = None,
    *,
    covers_blueprint: bool = True,
) -> None:
    """Put a page in the menu, for the staff who may do `capability` (everyone if None): the
    capability its view requires. The other pages of its blueprint come under it unless
    `covers_blueprint` is False; a blueprint has at most one item that covers it."""
    NAVIGATION.append(NavItem(endpoint, text, capability, covers_blueprint))
    NAVIGATION.sort(key=_place)


def item_for(endpoint: str | None) -> NavItem | None:
    """The one menu item a page comes under: its own, else the item covering its blueprint
    (a dispute's page comes under Disputes, never also under the Dashboard)."""
    if endpoint is None:
        return None
    blueprint = endpoint.split(".")[0]
    for item in NAVIGATION:
        if item.endpoint == endpoint:
            return item
    for item in NAVIGATION:
        if item.covers_blueprint and item.endpoint.split(".")[0] == blueprint:
            return item
    return None


def _href(endpoint: str) -> str:
    """A menu item's address: the same on every page, so built once for the app (and the
    address prefix it is served under) rather than on every page."""
    hrefs = current_app.extensions.setdefault("navigation", {})
    key = (request.script_root, endpoint)
    href = hrefs.get(key)
    if href is None:
        href = hrefs[key] = url_for(endpoint)
    return href


def _items_for_current_user() -> list[dict]:
    if not signed_in_staff():
        return []
    highlighted = item_for(request.endpoint)
    return [
        {
            "href": _href(item.endpoint),
            "text": item.text,
            # Exactly one item is highlighted: "page" on the item's own page, "true" on a
            # page that comes under it.
            "current": request.endpoint == item.endpoint,
            "active": item is highlighted,
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
