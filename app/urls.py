"""Addresses built once per process.

The call page builds some thirty addresses (its forms' actions, the layout's links, the static
files), about thirty Python calls each in Flask and Werkzeug, and the same ones on every call.
An address is a function of its endpoint, its values and where the app is served from (the
scheme, host and prefix of the request), so the last `BUILT_URLS_SIZE` addresses are kept, per
process, keyed by all of those.

Only what cannot be personal is kept: values that are numbers (a call's or a record's id, a
page number) and, by name, text the code itself gives (a static file's name, a step of the
call page). Anything else (a `next` address, which may carry a search; a token) is built
afresh, as is an address with an anchor, a method, a scheme or asked to be external, and
every address while `url_defaults` functions are registered.
"""

from typing import Any

from flask import Flask
from flask.globals import _cv_request

BUILT_URLS_SIZE = 1024
# Values given as text that are kept: they name a file or a step, never a person.
CODE_GIVEN_TEXT = frozenset({"filename", "step"})


class BuiltUrls(Flask):
    """Flask's `url_for`, keeping what it built."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.built_urls: dict[tuple, str] = {}

    def url_for(self, /, endpoint: str, **values: Any) -> str:
        request = _cv_request.get(None)
        key = _key(endpoint, values, request)
        if key is None or any(self.url_default_functions.values()):
            return super().url_for(endpoint, **values)
        url = self.built_urls.get(key)
        if url is None:
            url = super().url_for(endpoint, **values)
            if len(self.built_urls) >= BUILT_URLS_SIZE:
                self.built_urls.clear()  # bounded: once full, start again
            self.built_urls[key] = url
        return url


def _key(endpoint: str, values: dict, request) -> tuple | None:
    """What the address depends on, or None if it is not to be kept."""
    if request is None or endpoint[:1] == ".":
        return None
    for name, value in values.items():
        kind = type(value)
        if kind is int or (kind is str and name in CODE_GIVEN_TEXT):
            continue
        if value is None and name[:1] == "_":
            continue  # an option not given (`flask.url_for` passes each)
        return None  # an option given (`_anchor`...), or a value that is not kept
    adapter = request.url_adapter
    return (
        endpoint,
        tuple(values.items()),
        adapter.url_scheme,
        adapter.server_name,
        adapter.script_name,
        adapter.subdomain,
    )
