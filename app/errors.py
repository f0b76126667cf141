"""GOV.UK-style error pages. Unexpected exceptions are logged, never shown."""

from flask import Flask, flash, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.htmx import is_htmx, wants_json
from app.refusals import Forbidden, NotFound

PAGES = {
    400: ("Sorry, there is a problem with the request", ["Go back and try again."]),
    403: (
        "You do not have permission to see this page",
        [
            "Your role or service areas do not include it.",
            "Ask a supervisor if you think you need it.",
        ],
    ),
    404: (
        "Page not found",
        [
            "If you typed the web address, check it is correct.",
            "If you pasted it, check you copied all of it.",
        ],
    ),
    405: ("Sorry, there is a problem with the request", ["Go back and try again."]),
    429: (
        "Too many attempts",
        ["You have tried too many times. Wait a few minutes, then try again."],
    ),
    500: (
        "Sorry, there is a problem with the service",
        ["Try again later. If the problem continues, contact the service desk."],
    ),
}


# Residents on the portal are told in their own terms, on their own pages.
PORTAL_PAGES = PAGES | {
    403: ("You cannot see this page", ["Go back to your record and try again."]),
    500: (
        "Sorry, there is a problem with the service",
        ["Try again later. If the problem continues, phone the council."],
    ),
}


def _error_page(status: int):
    for_residents = request.path == "/portal" or request.path.startswith("/portal/")
    heading, paragraphs = (PORTAL_PAGES if for_residents else PAGES).get(status, PAGES[500])
    template = "errors/_error.html" if is_htmx() else "errors/error.html"
    if for_residents:
        layout, way_back = "portal/base.html", ("portal.start", "Go to your council record")
    else:
        layout, way_back = "base.html", ("console.index", "Go to the console")
    page = render_template(
        template, layout=layout, way_back=way_back, heading=heading, paragraphs=paragraphs
    )
    return page, status


def init_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        app.logger.info("CSRF check failed on %s: %s", request.path, error.description)
        if is_htmx() or wants_json():
            return _error_page(400)
        flash("Your page had expired, so nothing was saved. Please try again.", "info")
        adapter = app.url_map.bind("")
        return redirect(request.path if adapter.test(request.path, method="GET") else "/")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status in PAGES:
            response = _error_page(status)
            if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
                return response[0], status, {"Allow": ", ".join(error.valid_methods)}
            return response
        return error

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        return _error_page(404)

    @app.errorhandler(Forbidden)
    def forbidden(error: Forbidden):
        return _error_page(403)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        from app.extensions import db

        db.session.rollback()
        return _error_page(500)
