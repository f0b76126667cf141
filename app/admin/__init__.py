"""Staff administration: administrators create, change and deactivate staff accounts, issue
set-password links and reset two-factor sign-in. `flask staff ...` does the same from the
command line."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import views  # noqa: E402, F401
from app.admin.cli import staff_cli  # noqa: E402

__all__ = ["bp", "staff_cli"]
