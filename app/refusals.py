"""A refusal: what a service says when it will not do what it was asked, and why.

Services raise `Refused` with a message shown to staff as it is, and the form field it is
about when there is one. Views catch it and hand it to `show_refusal`, which puts it on the
form the member of staff submitted. No Flask here: services raise it, views show it.
"""


class Refused(Exception):
    """What a service refused to do, in words shown to staff as they are. `field` names the
    form field the message belongs next to; None when it is about the whole request."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def show_refusal(form, refused: Refused) -> None:
    """Put a service's refusal on the form, as a form error like any other.

    It goes next to the field it names. A refusal that names no field (or one this form does
    not have) goes next to the form's `REFUSAL_FIELD` when the form has one, since a form
    shown as a part of a page has no error summary of its own; otherwise it is an error of
    the whole form, listed in the error summary.
    """
    name = refused.field if refused.field in form else getattr(form, "REFUSAL_FIELD", None)
    if name and name in form:
        # A form that was never validated holds its errors in a tuple.
        form[name].errors = [*form[name].errors, refused.message]
    else:
        form.form_errors.append(refused.message)
