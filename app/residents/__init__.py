"""Residents' records outside a call: find one, and see it after saying why."""

from flask import Blueprint

from app.rules.need_to_know import reference_ending

bp = Blueprint("residents", __name__)
# Outside a call a reference is shown by its last characters only (docs/rules.md rule 7).
bp.add_app_template_filter(reference_ending, "reference_ending")

from app.residents import views  # noqa: E402, F401
