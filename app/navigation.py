"""The service navigation: one list, each item shown to the staff whose role may do what its
page needs (app/rules/capabilities.py)."""

from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from markupsafe import Markup

from app.rules.capabilities import Capability
from app.security import signed_in_staff, signed_in_user
from app.templating import layout_part

SERVICE_NAVIGATION = "govuk_frontend_jinja/components/service-navigation/macro.html"
# Where the account slot goes in the menu drawn once for everyone: drawn for each request.
ACCOUNT_SLOT = "<!--account-->"


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


def _items_for_current_user() -> list[dict]:
    if not signed_in_staff():
        return []
    user = signed_in_user()
    highlighted = item_for(request.endpoint)
    return [
        {
            "href": url_for(item.endpoint),
            "text": item.text,
            # Exactly one item is highlighted: "page" on the item's own page, "true" on a
            # page that comes under it.
            "current": request.endpoint == item.endpoint,
            "active": item is highlighted,
        }
        for item in NAVIGATION
        if (item.capability is None or user.can(item.capability))
        and item.endpoint in current_app.view_functions
    ]


def service_navigation(account: Markup) -> Markup:
    """The menu as GOV.UK's service navigation draws it, with `account` (who is signed in, and
    signing out) in its end slot. The menu is the same for every member of staff in one role
    on one page, so it is drawn once per process for each role, page and address root; the
    account slot, which is personal, is drawn for each request and put in its place."""
    user = signed_in_user()
    signed_in = user.is_authenticated
    staff = signed_in and user.is_staff
    key = {
        "role": user.role.value if staff else None,
        "signed_in": signed_in,
        "endpoint": request.endpoint,
        "root": request.script_root,
    }

    def params() -> dict:
        return {
            "serviceName": current_app.config["SERVICE_NAME"],
            "serviceUrl": url_for("console.index") if signed_in else url_for("auth.login"),
            "navigation": _items_for_current_user(),
            "navigationLabel": "Menu",
            "slots": {"end": Markup(ACCOUNT_SLOT)},  # noqa: S704 (a constant)
        }

    menu = layout_part(SERVICE_NAVIGATION, "govukServiceNavigation", key, params)
    # The slot as drawn for this request, already escaped.
    return Markup(str(menu).replace(ACCOUNT_SLOT, str(account)))  # noqa: S704


def init_navigation(app: Flask) -> None:
    @app.context_processor
    def navigation() -> dict:
        # Functions, so a fragment (which has no menu) does not pay for working it out.
        return {
            "navigation_items": _items_for_current_user,
            "service_navigation": service_navigation,
        }
