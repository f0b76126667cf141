from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock, navigation
from app.admin import bp
from app.admin.forms import ConfirmForm, StaffForm, StaffSearchForm
from app.pages import done, submitted
from app.pagination import page_of
from app.rules import two_factor as two_factor_rules
from app.rules.capabilities import Capability
from app.security import staff_required
from app.services import staff as staff_service
from app.services.console import WITHOUT_TWO_FACTOR

SEARCH_LIMIT = 50
navigation.register("admin.index", "Staff", Capability.MANAGE_STAFF)


@bp.route("/admin/staff", methods=["GET", "POST"])
@staff_required(Capability.MANAGE_STAFF)
def index():
    # Searches are posted, as on the records page: no name in any address. A GET lists every
    # account a page at a time.
    search = StaffSearchForm()
    if search.validate_on_submit():
        found, total = staff_service.find_staff(search.q.data, SEARCH_LIMIT)
        return _staff_list(search, found, total, None)
    # The console links here for the accounts that must set up two-factor sign-in.
    without_two_factor = request.args.get("show") == WITHOUT_TWO_FACTOR
    rows, pagination = page_of(
        staff_service.without_two_factor_page if without_two_factor else staff_service.staff_page
    )
    return _staff_list(
        search, rows, pagination.total, pagination, without_two_factor=without_two_factor
    )


def _staff_list(search, rows, total, pagination, without_two_factor=False):
    return render_template(
        "admin/index.html",
        search=search,
        rows=rows,
        total=total,
        pagination=pagination,
        without_two_factor=without_two_factor,
        two_factor={
            user.id: two_factor_rules.status_words(
                enrolled=user.two_factor_enrolled,
                required=staff_service.two_factor_required(user),
            )
            for user in rows
        },
    )


@bp.route("/admin/staff/new", methods=["GET", "POST"])
@staff_required(Capability.MANAGE_STAFF)
def new_staff():
    form = StaffForm()
    if created := submitted(form, lambda: staff_service.create_staff(form.details(), current_user)):
        return done(
            "Account created. Send them a link to set their password",
            url_for("admin.show_staff", staff_id=created.result.id),
        )
    return render_template("admin/staff_form.html", form=form, user=None)


@bp.get("/admin/staff/<int:staff_id>")
@staff_required(Capability.MANAGE_STAFF)
def show_staff(staff_id: int):
    user = staff_service.get_staff_or_404(staff_id)
    return render_template(
        "admin/show_staff.html",
        user=user,
        recovery_codes_left=staff_service.recovery_codes_left(user),
        two_factor_required=staff_service.two_factor_required(user),
        reactivate_form=ConfirmForm(),
        form=None,
    )


@bp.route("/admin/staff/<int:staff_id>/edit", methods=["GET", "POST"])
@staff_required(Capability.MANAGE_STAFF)
def edit_staff(staff_id: int):
    user = staff_service.get_staff_or_404(staff_id)
    form = StaffForm(obj=user)
    if not form.is_submitted():
        form.role.data = user.role.value
        form.areas.data = sorted(user.area_codes)
    if saved := submitted(
        form, lambda: staff_service.update_staff(user, form.details(), current_user)
    ):
        return done(
            "Changes saved" if saved.result else "Nothing was changed",
            url_for("admin.show_staff", staff_id=user.id),
        )
    return render_template("admin/staff_form.html", form=form, user=user)


@bp.route("/admin/staff/<int:staff_id>/deactivate", methods=["GET", "POST"])
@staff_required(Capability.MANAGE_STAFF)
def deactivate(staff_id: int):
    return _confirmed(
        staff_id,
        staff_service.deactivate_staff,
        "The account is deactivated. They have been signed out",
        "admin/deactivate.html",
    )


@bp.post("/admin/staff/<int:staff_id>/reactivate")
@staff_required(Capability.MANAGE_STAFF)
def reactivate(staff_id: int):
    user = staff_service.get_staff_or_404(staff_id)
    if ConfirmForm().validate_on_submit():
        staff_service.reactivate_staff(user, current_user)
        flash("The account is active again", "success")
    return redirect(url_for("admin.show_staff", staff_id=user.id))


@bp.route("/admin/staff/<int:staff_id>/password-link", methods=["GET", "POST"])
@staff_required(Capability.MANAGE_STAFF)
def password_link(staff_id: int):
    user = staff_service.get_staff_or_404(staff_id)
    form = ConfirmForm()
    hours = int(staff_service.password_link_lifetime().total_seconds() // 3600)
    if issued := submitted(
        form, lambda: staff_service.issue_password_link(user, current_user, clock.now())
    ):
        # Rendered, not redirected: the link is shown this once and kept nowhere.
        return render_template(
            "admin/password_link_issued.html",
            user=user,
            link=url_for("auth.set_password", token=issued.result, _external=True),
            hours=hours,
        )
    return render_template("admin/password_link.html", user=user, form=form, hours=hours)


@bp.route("/admin/staff/<int:staff_id>/reset-two-factor", methods=["GET", "POST"])
@staff_required(Capability.MANAGE_STAFF)
def reset_two_factor(staff_id: int):
    return _confirmed(
        staff_id,
        staff_service.reset_two_factor,
        "Two-factor sign-in is reset. They have been signed out, and will set it up again "
        "when they next sign in",
        "admin/reset_two_factor.html",
    )


def _confirmed(staff_id: int, change, changed: str, template: str):
    """A change to an account that takes only a confirmation: made (`change(user, by)`) once
    confirmed, then back to the account saying `changed`."""
    user = staff_service.get_staff_or_404(staff_id)
    form = ConfirmForm()
    if submitted(form, lambda: change(user, current_user)):
        return done(changed, url_for("admin.show_staff", staff_id=user.id))
    return render_template(template, user=user, form=form)
