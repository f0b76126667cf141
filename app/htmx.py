"""htmx or full page: whether this request came from htmx, which swaps in a page part, or
from a page's script asking for JSON."""

from flask import request


def is_htmx() -> bool:
    """True for a request htmx sent: answer it with the section's partial, not the page."""
    return request.headers.get("HX-Request") == "true"


def wants_json() -> bool:
    """True for a request a page's script makes for JSON (the call page's status): answer it
    with JSON, never a page or a redirect to one."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"
