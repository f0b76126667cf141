from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user

from app import clock, navigation
from app.htmx import is_htmx
from app.pages import submitted
from app.pagination import page_of
from app.refusals import Refused
from app.rules import subject_access as rules
from app.rules.capabilities import Capability
from app.rules.vocabulary import ExportStatus
from app.security import staff_required
from app.services import residents
from app.services import subject_access as service
from app.subject_access import bp
from app.subject_access.export_file import zipped
from app.subject_access.forms import FindResidentForm, GatherForm, StartExportForm

PER_PAGE = 20
navigation.register("subject_access.index", "Subject access", Capability.EXPORT_SUBJECT_ACCESS)


@bp.route("/subject-access", methods=["GET", "POST"])
@staff_required(Capability.EXPORT_SUBJECT_ACCESS)
def index():
    form = FindResidentForm()
    if found := submitted(form, lambda: service.find_resident_by_reference(form.reference.data)):
        return redirect(url_for("subject_access.new_export", resident_id=found.result.id))
    exports, pagination = page_of(
        lambda page, per_page: service.my_exports(current_user, page, per_page), PER_PAGE
    )
    return render_template(
        "subject_access/index.html",
        form=form,
        exports=exports,
        pagination=pagination,
        expired={export.id for export in exports if service.is_expired(export, clock.now())},
    )


@bp.route("/subject-access/residents/<int:resident_id>", methods=["GET", "POST"])
@staff_required(Capability.EXPORT_SUBJECT_ACCESS)
def new_export(resident_id: int):
    resident = residents.get_resident_or_404(resident_id)
    form = StartExportForm()
    if started := submitted(form, lambda: _start_export(resident, *form.terms())):
        return redirect(url_for("subject_access.show_export", export_id=started.result.id))
    return render_template(
        "subject_access/new_export.html",
        resident=resident,
        form=form,
        lifetime_hours=int(rules.EXPORT_LIFETIME.total_seconds() // 3600),
    )


def _start_export(resident, reason: str, include: bool, third_party_reason: str | None):
    return service.start_export(
        resident.id,
        current_user,
        reason,
        include_third_parties=include,
        third_party_reason=third_party_reason,
        now=clock.now(),
    )


def _progress_context(export) -> dict:
    return {
        "export": export,
        "sections": rules.SECTIONS,
        "progress": rules.progress_text(export.progress),
        "expired": service.is_expired(export, clock.now()),
        "ready": export.status is ExportStatus.READY,
        "form": GatherForm(),
    }


@bp.get("/subject-access/exports/<int:export_id>")
@staff_required(Capability.EXPORT_SUBJECT_ACCESS)
def show_export(export_id: int):
    export = service.get_export_or_404(export_id, current_user)
    return render_template("subject_access/show_export.html", **_progress_context(export))


@bp.post("/subject-access/exports/<int:export_id>/gather")
@staff_required(Capability.EXPORT_SUBJECT_ACCESS)
def gather(export_id: int):
    """Gather one more section: the progress page asks for the next as each one arrives."""
    export = service.get_export_or_404(export_id, current_user)
    if GatherForm().validate_on_submit():
        export = service.gather_next_section(export, clock.now())
    if is_htmx():
        return render_template("subject_access/_progress.html", **_progress_context(export))
    return redirect(url_for("subject_access.show_export", export_id=export.id))


@bp.get("/subject-access/exports/<int:export_id>/download")
@staff_required(Capability.EXPORT_SUBJECT_ACCESS)
def download(export_id: int):
    export = service.get_export_or_404(export_id, current_user)
    try:
        exported = service.download(export, current_user, clock.now())
    except Refused as refused:
        flash(refused.message, "info")
        return redirect(url_for("subject_access.show_export", export_id=export.id))
    return Response(
        zipped(exported),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )
