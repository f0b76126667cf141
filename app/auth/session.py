"""Who is signed in: Flask-Login wiring for staff accounts."""

from flask import jsonify, redirect, request, url_for
from flask_login import LoginManager

from app.services import staff as staff_service


def init_login(manager: LoginManager) -> None:
    # "strong": a session used from another address or browser is dropped.
    manager.session_protection = "strong"
    manager.login_view = "auth.login"
    manager.login_message = "Sign in to continue"
    manager.login_message_category = "info"

    @manager.user_loader
    def load_user(user_id: str):
        kind, _, token = user_id.partition(":")
        if kind == "staff" and token:
            return staff_service.fetch_staff_by_session_token(token)
        return None

    @manager.unauthorized_handler
    def unauthorized():
        if request.headers.get("HX-Request"):
            # htmx cannot follow a redirect to a full page: ask it to navigate.
            response = jsonify(error="sign in required")
            response.status_code = 401
            response.headers["HX-Redirect"] = url_for("auth.login")
            return response
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
