"""Duty to share: handlers ask on a call to share without consent; supervisors decide."""

from flask import Blueprint

bp = Blueprint("duty_to_share", __name__)

from app.duty_to_share import views  # noqa: E402, F401
