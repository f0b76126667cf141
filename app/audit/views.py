from flask import Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock, navigation
from app.audit import bp
from app.audit.forms import AuditSearchForm, ExportForm
from app.pagination import page_of
from app.refusals import Refused, show_refusal
from app.rules.audit_chain import AuditFilters, filters_from_args
from app.rules.capabilities import Capability
from app.security import staff_required
from app.services import audit

PER_PAGE = 50
navigation.register("audit.search", "Audit log", Capability.SEARCH_AUDIT_LOG)


def _search_form(**kwargs) -> AuditSearchForm:
    return AuditSearchForm(staff=audit.staff_choices(), actions=audit.known_actions(), **kwargs)


def _shown(form: AuditSearchForm, filters: AuditFilters) -> AuditSearchForm:
    """The form showing the search in the address."""
    form.reference.data = audit.reference_of(filters.resident_id)
    form.staff_id.data = str(filters.staff_id) if filters.staff_id else ""
    form.action.data = filters.action or ""
    for field, day in ((form.date_from, filters.date_from), (form.date_to, filters.date_to)):
        field.raw_data = [str(day.day), str(day.month), str(day.year)] if day else None
    return form


def _filters_of(form: AuditSearchForm) -> AuditFilters:
    return AuditFilters(
        resident_id=audit.resident_for_reference(form.reference.data)
        if form.reference.data
        else None,
        staff_id=int(form.staff_id.data) if form.staff_id.data else None,
        action=form.action.data or None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


@bp.route("/audit", methods=["GET", "POST"])
@staff_required(Capability.SEARCH_AUDIT_LOG)
def search():
    # Filters are posted (a reference number never goes in an address), then the results'
    # address carries ids and dates only, so pages and the export repeat the same search.
    if request.method == "POST":
        form = _search_form()
        if form.validate_on_submit():
            try:
                filters = _filters_of(form)
            except Refused as refused:
                show_refusal(form, refused)
            else:
                return redirect(url_for("audit.search", **filters.as_args()))
        return render_template("audit/search.html", form=form, rows=None, pagination=None)
    filters = filters_from_args(request.args)
    if filters is None:
        abort(404)
    rows, pagination = page_of(
        lambda page, per_page: audit.search_events(filters, current_user, page, per_page),
        PER_PAGE,
    )
    return render_template(
        "audit/search.html",
        form=_shown(_search_form(formdata=None), filters),
        rows=rows,
        pagination=pagination,
        export_form=ExportForm(formdata=None).fill(filters),
        searched=bool(filters.as_args()),
    )


@bp.post("/audit/export")
@staff_required(Capability.SEARCH_AUDIT_LOG)
def export():
    form = ExportForm()
    filters = filters_from_args(
        {
            "resident": form.resident.data or "",
            "staff": form.staff.data or "",
            "action": form.action.data or "",
            "from": form.date_from.data or "",
            "to": form.date_to.data or "",
        }
    )
    if not form.validate_on_submit() or filters is None:
        return redirect(url_for("audit.search"))
    body = audit.export_events(filters, current_user)
    filename = f"audit-log-{clock.today().isoformat()}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
