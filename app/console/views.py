from flask import render_template

from app.console import bp
from app.security import staff_required


@bp.get("/")
@staff_required()
def index():
    return render_template("console/index.html")
