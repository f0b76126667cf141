"""The supervisors' dashboard: locks, disputes, risky numbers and third-party reports."""

from flask import render_template

from app import navigation
from app.disputes import bp
from app.rules.vocabulary import Role
from app.security import staff_required
from app.services import dashboard as service

DASHBOARD_STAFF = (Role.SUPERVISOR, Role.ADMIN)
navigation.register("disputes.dashboard", "Dashboard", *DASHBOARD_STAFF)


@bp.get("/dashboard")
@staff_required(*DASHBOARD_STAFF)
def dashboard():
    return render_template("disputes/dashboard.html", board=service.dashboard())
