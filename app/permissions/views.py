import click
from flask import render_template, url_for
from flask_login import current_user

from app import clock, navigation
from app.htmx import is_htmx
from app.pages import done, submitted
from app.pagination import page_of
from app.permissions import bp
from app.permissions.forms import (
    CloseMatterForm,
    PermissionForm,
    RevokeForm,
    access_code_form,
    access_code_forms,
)
from app.rules.capabilities import Capability
from app.rules.permissions import PermissionState
from app.security import staff_required
from app.services import permissions, residents
from app.services.service_areas import active_areas

navigation.register("permissions.index", "Permissions", Capability.MANAGE_PERMISSIONS)
STATE_TAGS = {
    PermissionState.ACTIVE: "govuk-tag--green",
    PermissionState.NOT_STARTED: "govuk-tag--blue",
    PermissionState.EXPIRED: "govuk-tag--grey",
    PermissionState.REVOKED: "govuk-tag--red",
    PermissionState.MATTER_CLOSED: "govuk-tag--grey",
}


@bp.get("/permissions")
@staff_required(Capability.MANAGE_PERMISSIONS)
def index():
    events, pagination = page_of(permissions.recent_events)
    return render_template("permissions/index.html", events=events, pagination=pagination)


@bp.get("/residents/<int:resident_id>/permissions")
@staff_required(Capability.MANAGE_PERMISSIONS)
def resident_permissions(resident_id: int):
    resident = residents.get_resident_or_404(resident_id)
    summaries = permissions.view_permissions(resident.id, current_user, clock.today())
    return render_template(
        "permissions/resident_permissions.html",
        resident=resident,
        summaries=summaries,
        state_tags=STATE_TAGS,
        code_forms=access_code_forms(summary.permission for summary in summaries),
    )


@bp.route("/residents/<int:resident_id>/permissions/new", methods=["GET", "POST"])
@staff_required(Capability.MANAGE_PERMISSIONS)
def new_permission(resident_id: int):
    resident = residents.get_resident_or_404(resident_id)
    form = PermissionForm(area_choices=[(area.code, area.name) for area in active_areas()])
    recorded = submitted(
        form,
        lambda: permissions.record_written_permission(
            resident.id,
            form.representative(),
            form.terms(),
            form.evidence(),
            form.safeguarding_answers(),
            current_user,
            clock.today(),
        ),
    )
    if recorded:
        # Rendered, not redirected: the passcode exists in this response only, never
        # in a cookie, a URL or the database (which keeps its hash).
        granted = recorded.result
        return render_template(
            "permissions/permission_recorded.html",
            summary=permissions.summarise(granted.permission, clock.today()),
            passcode=granted.passcode,
            state_tags=STATE_TAGS,
            code_forms=access_code_forms([granted.permission]),
        )
    return render_template("permissions/new_permission.html", resident=resident, form=form)


@bp.get("/permissions/<int:permission_id>/recorded")
@staff_required(Capability.MANAGE_PERMISSIONS)
def permission_recorded(permission_id: int):
    summary = permissions.view_permission(permission_id, current_user, clock.today())
    return render_template(
        "permissions/permission_recorded.html",
        summary=summary,
        passcode=None,
        state_tags=STATE_TAGS,
        code_forms=access_code_forms([summary.permission]),
    )


@bp.post("/residents/<int:resident_id>/permissions/<int:permission_id>/reveal-access-code")
@staff_required(Capability.MANAGE_PERMISSIONS)
def reveal_access_code(resident_id: int, permission_id: int):
    permission = permissions.get_access_code_or_404(resident_id, permission_id)
    form = access_code_form(permission.id)
    revealed = submitted(
        form,
        lambda: permissions.reveal_access_code(
            permission, current_user, form.reason.data, clock.now()
        ),
    )
    # The code is in this response only: never in an address, a cookie or the audit log.
    template = (
        "permissions/_access_code_row.html" if is_htmx() else "permissions/reveal_access_code.html"
    )
    return render_template(
        template, p=permission, form=form, revealed=revealed.result if revealed else None
    )


@bp.route("/permissions/<int:permission_id>/revoke", methods=["GET", "POST"])
@staff_required(Capability.MANAGE_PERMISSIONS)
def revoke_permission(permission_id: int):
    return _change_with_reason(
        permission_id,
        allowed=lambda summary: summary.may_revoke,
        not_allowed="That permission has already been revoked",
        form_class=RevokeForm,
        change=permissions.revoke,
        changed="Permission revoked. It no longer applies, also on calls in progress.",
        template="permissions/revoke_permission.html",
    )


@bp.route("/permissions/<int:permission_id>/close-matter", methods=["GET", "POST"])
@staff_required(Capability.MANAGE_PERMISSIONS)
def close_matter(permission_id: int):
    return _change_with_reason(
        permission_id,
        allowed=lambda summary: summary.may_close_matter,
        not_allowed="That permission is not for an open matter",
        form_class=CloseMatterForm,
        change=permissions.close_matter,
        changed="Matter closed. The permission for it has ended.",
        template="permissions/close_matter.html",
    )


def _change_with_reason(
    permission_id: int,
    *,
    allowed,
    not_allowed: str,
    form_class,
    change,
    changed: str,
    template: str,
):
    """A change to a permission that takes a reason (revoke it, close its matter): offered
    only while the permission allows it; a refusal from the service shows on the form."""
    permission = permissions.get_permission_or_404(permission_id)
    back = url_for("permissions.resident_permissions", resident_id=permission.resident_id)
    summary = permissions.summarise(permission, clock.today())
    if not allowed(summary):
        return done(not_allowed, back, "info")
    form = form_class()
    if submitted(form, lambda: change(permission, current_user, form.reason.data, now=clock.now())):
        # The page it leads to shows the holder from the database.
        return done(changed, back)
    return render_template(template, summary=summary, form=form)


@bp.cli.command("record-expiries")
def record_expiries_command() -> None:
    """Write an "expired" history event for each permission whose expiry date has come."""
    count = permissions.record_expiries(clock.today())
    click.echo(f"Recorded {count} expired permission{'' if count == 1 else 's'}.")
