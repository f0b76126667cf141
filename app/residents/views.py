from flask import render_template, request
from flask_login import current_user

from app import navigation
from app.htmx import is_htmx
from app.pages import submitted
from app.residents import bp
from app.residents.forms import FindRecordForm, RecordReasonForm, RevealDetailForm, reveal_forms
from app.rules.need_to_know import RESIDENT_DETAILS
from app.security import staff_required
from app.services import residents, search

navigation.register("residents.find_record", "Records")


@bp.route("/residents", methods=["GET", "POST"])
@staff_required()
def find_record():
    # Searches are posted: a name, postcode or phone number in an address would be kept
    # in access logs, proxies and browser history. A GET shows the empty finder.
    form = FindRecordForm()
    typed = (form.q.data or "").strip()
    results = (
        search.find_residents(typed, staff_id=current_user.id)
        if typed and form.validate_on_submit()
        else None
    )
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
        return render_template(
            "residents/record.html",
            record=record,
            purpose=form.reason.data,
            reveal_forms=reveal_forms(RESIDENT_DETAILS),
            may_unlock=navigation.may_open("locks.unlock"),
            may_see_permissions=navigation.may_open("permissions.resident_permissions"),
        )
    return render_template("residents/view_record.html", resident_id=resident_id, form=form)


@bp.post("/residents/<int:resident_id>/reveal/<detail>")
@staff_required()
def reveal_detail(resident_id: int, detail: str):
    resident = residents.get_resident_or_404(resident_id)
    hidden = residents.resident_detail_or_404(detail)
    form = RevealDetailForm(prefix=hidden.value, noun=hidden.label)
    revealed = submitted(
        form, lambda: residents.reveal_detail(resident, hidden, current_user, form.reason.data)
    )
    # The value is in this response only: never in an address, a cookie or the audit log.
    template = "residents/_detail_row.html" if is_htmx() else "residents/reveal_detail.html"
    return render_template(
        template,
        resident=resident,
        detail=hidden,
        hidden=residents.hidden_details(resident),
        form=form,
        revealed=revealed.result if revealed else None,
    )
