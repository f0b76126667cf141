"""The supervisors' dashboard: locks, disputes, risky numbers and third-party reports."""

from flask import render_template
from flask_login import current_user

from app import clock, navigation
from app.disputes import bp
from app.rules.capabilities import Capability
from app.security import staff_required
from app.services import dashboard as service

navigation.register(
    "disputes.dashboard", "Dashboard", Capability.SEE_DASHBOARD, covers_blueprint=False
)


@bp.get("/dashboard")
@staff_required(Capability.SEE_DASHBOARD)
def dashboard():
    board = service.dashboard(clock.now(), current_user)
    return render_template("disputes/dashboard.html", board=board)
