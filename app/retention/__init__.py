"""Retention: the purge command, and legal holds that keep a resident's record from it."""

from flask import Blueprint

bp = Blueprint("retention", __name__)

from app.retention import views  # noqa: E402, F401
