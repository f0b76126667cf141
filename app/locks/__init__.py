"""Phone-verification locks: supervisors see which records are locked, and unlock them."""

from flask import Blueprint

bp = Blueprint("locks", __name__)

from app.locks import views  # noqa: E402, F401
