"""Subject access: a supervisor produces everything held about one resident."""

from flask import Blueprint

bp = Blueprint("subject_access", __name__)

from app.subject_access import views  # noqa: E402, F401
