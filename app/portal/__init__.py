"""The resident portal: residents sign in, see their record, and dispute what is wrong."""

from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/portal")

from app.portal import views  # noqa: E402, F401
