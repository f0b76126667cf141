"""Residents' records outside a call: find one, and see it after saying why."""

from flask import Blueprint

bp = Blueprint("residents", __name__)

from app.residents import views  # noqa: E402, F401
