"""Disputes: supervisors work the queue and decide; handlers record a dispute on a call."""

from flask import Blueprint

bp = Blueprint("disputes", __name__)

from app.disputes import dashboard, views  # noqa: E402, F401
