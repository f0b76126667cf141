"""The live call: find the record, verify the caller, disclose only what is allowed."""

from flask import Blueprint

bp = Blueprint("calls", __name__)

from app.calls import views  # noqa: E402, F401
