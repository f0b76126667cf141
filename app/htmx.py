"""htmx or full page: whether this request came from htmx, which swaps in a page part."""

from flask import request


def is_htmx() -> bool:
    """True for a request htmx sent: answer it with the section's partial, not the page."""
    return request.headers.get("HX-Request") == "true"
