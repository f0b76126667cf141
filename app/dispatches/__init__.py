"""Dispatches: staff sent out to act on reports, and what they found."""

from flask import Blueprint

bp = Blueprint("dispatches", __name__)

from app.dispatches import views  # noqa: E402, F401
