"""The staff console's home."""

from flask import Blueprint

bp = Blueprint("console", __name__)

from app.console import views  # noqa: E402, F401
