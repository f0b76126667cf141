"""Authorised representatives: supervisors record, review and revoke permissions."""

from flask import Blueprint

bp = Blueprint("permissions", __name__, cli_group="permissions")

from app.permissions import end_requests, views  # noqa: E402, F401
