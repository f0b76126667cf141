"""The audit log: supervisors search it; `flask audit ...` seals and verifies its chain."""

from flask import Blueprint

bp = Blueprint("audit", __name__)

from app.audit import views  # noqa: E402, F401
