"""What a service answers when it will not do what it was asked: the domain's errors.

- `Refused`: a refusal with a message shown to staff as it is, and the form field it is
  about when there is one. Views catch it and hand it to `show_refusal`, which puts it on
  the form the member of staff submitted; a unit of work commits what it wrote before it.
- `NotFound`: what was asked for does not exist, or is not the asker's to see (a resident's
  record outside their areas, another handler's call, another resident's entry). It never
  says which. One error handler answers it with 404 (app/errors.py).
- `Forbidden`: the asker may not do this at all. One error handler answers it with 403.
- `ForbiddenOnRecord`: a `Forbidden` whose refusal is itself audited: the unit of work
  commits what it wrote before raising it (the audit event saying so), then the 403 follows.

A unit of work that raises `NotFound` or `Forbidden` is rolled back, as for any failure. No
Flask here: services raise them, the web layer shows them.
"""


class Refused(Exception):
    """What a service refused to do, in words shown to staff as they are. `field` names the
    form field the message belongs next to; None when it is about the whole request."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(Exception):
    """What was asked for does not exist, or is not the asker's to see: answered with 404."""


class Forbidden(Exception):
    """The asker may not do this: answered with 403."""


class ForbiddenOnRecord(Forbidden):
    """The asker may not do this, and the refusal is on the record: answered with 403 like any
    `Forbidden`, but the unit of work that raises it commits first, keeping the audit event
    that records the refusal (a reveal from a page never offered, app/services/reveals.py)."""


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
