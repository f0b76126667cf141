"""Staff sign-in and sign-out."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import views  # noqa: E402, F401
from app.auth.session import StaffSessionInterface, init_login  # noqa: E402

__all__ = ["StaffSessionInterface", "bp", "init_login"]
