from flask import render_template, request
from flask_login import current_user

from app import navigation
from app.residents import bp
from app.residents.forms import FindRecordForm, RecordReasonForm
from app.security import staff_required
from app.services import residents, search

navigation.register("residents.find_record", "Records")


@bp.get("/residents")
@staff_required()
def find_record():
    form = FindRecordForm(request.args)
    typed = (form.q.data or "").strip()
    results = search.find_residents(typed) if typed and form.validate() else None
    template = (
        "residents/_find_results.html"
        if request.headers.get("HX-Request") == "true"
        else "residents/find_record.html"
    )
    return render_template(template, form=form, results=results)


@bp.route("/residents/<int:resident_id>", methods=["GET", "POST"])
@staff_required()
def view_record(resident_id: int):
    # Only the id is used until a reason is given: not even the name is shown before.
    residents.get_resident_or_404(resident_id)
    form = RecordReasonForm()
    if form.validate_on_submit():
        # Rendered, not redirected: no address ever shows a record without its reason.
        record = residents.view_record(resident_id, current_user, form.reason.data)
        return render_template("residents/record.html", record=record, purpose=form.reason.data)
    return render_template("residents/view_record.html", resident_id=resident_id, form=form)
