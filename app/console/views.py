from flask import render_template
from flask_login import current_user

from app import clock
from app.console import bp
from app.security import staff_required
from app.services.console import console_for


@bp.get("/")
@staff_required()
def index():
    return render_template("console/index.html", console=console_for(current_user, clock.now()))
