"""What a view does with a form posted to change something: make the change, or show why not.

A view checks what it may offer first (the object, the permission), then hands the change to
`submitted`, and on success says so and moves on with `done`:

    form = ConfirmForm()
    if submitted(form, lambda: staff.deactivate_staff(user, current_user)):
        return done("The account is deactivated", url_for("admin.show_staff", staff_id=user.id))
    return render_template("admin/deactivate.html", user=user, form=form)

A queue with filters in its address is drawn with `filtered_list`, its page taken by `page_of`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import abort, flash, redirect, render_template
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import Field

from app.pagination import page_of
from app.refusals import Refused, show_refusal
from app.services.staff import TooManyAttempts, WaitToTryAgain

T = TypeVar("T")


@dataclass(frozen=True)
class Changed(Generic[T]):
    """A change made: what the service gave back."""

    result: T


def submitted(form: FlaskForm, change: Callable[[], T]) -> Changed[T] | None:
    """Make the change (`change()`, one service call) when the form was posted and is valid.
    None when it was not posted, is not valid, or the service refused: the form then says why
    (a refusal goes on it through `app.refusals.show_refusal`)."""
    if not form.validate_on_submit():
        return None
    try:
        return Changed(change())
    except Refused as refused:
        show_refusal(form, refused)
        return None


def submitted_within_allowance(
    form: FlaskForm, field: Field, change: Callable[[], T]
) -> Changed[T] | None:
    """`submitted(form, change)` for a sign-in step its allowances limit (staff and residents
    alike): too many tries from this address is a 429; an account tried from many addresses
    asks this one to wait, next to `field`."""
    try:
        return submitted(form, change)
    except TooManyAttempts:
        abort(429)
    except WaitToTryAgain as wait:
        field.errors.append(wait.message)
        return None


def done(message: str, location: str, category: str = "success") -> Response:
    """Go to `location` with a banner saying `message`. Never a name in it: the message
    travels in the session cookie, which is signed but readable."""
    flash(message, category)
    return redirect(location)


def filtered_list(
    template: str, filters, fetch: Callable[[int, int], tuple[list, int]], **context
) -> str:
    """A queue narrowed by a filter form in the address (`filters`, read from `request.args`):
    the page of `rows` asked for, drawn by `template` with its `pagination` and `filters`. The
    page posts no form (`form` is None), so the filters are no form's errors."""
    rows, pagination = page_of(fetch)
    return render_template(
        template, rows=rows, pagination=pagination, filters=filters, form=None, **context
    )
