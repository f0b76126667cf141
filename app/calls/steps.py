"""The steps of the call page, in one table: for each step, the template that draws it and the
blank forms it shows, built from the call's read model (app/services/call_workspace.py).

The views draw the open steps from this table, and so does `templates/calls/_steps.html`
(it is given `step_templates`); the error summaries at the top of the page list the open
steps' forms in this order. A form sent back with errors or a refusal is shown in place of
its blank one. Blank forms carry what the call says now (`shown_for`, the numbers' version),
so that a form shown for one record or caller is never used for another.
"""

from collections.abc import Callable
from dataclasses import dataclass

from app.calls.forms import (
    HANDLER_OUTCOMES,
    AddNumberOnCallForm,
    CallBackForm,
    CallerForm,
    ChangeNumberOnCallForm,
    EndCallForm,
    NumberOnFileForm,
    RemoveNumberOnCallForm,
    ReportForm,
    RepresentativeVerifyForm,
    SearchForm,
    SendCodeForm,
    TextCodeForm,
    VerbalConsentForm,
    VerifyForm,
)
from app.refusals import Refused, show_refusal
from app.rules.call_outcome import outcome_words
from app.rules.call_steps import Step
from app.rules.vocabulary import CallerType
from app.services.call_workspace import CallWorkspace


@dataclass(frozen=True)
class StepPart:
    """A step as the page draws it: its template, the names of its forms in the order drawn,
    and what it needs drawn with them when nothing was posted back (blank forms, and the
    hints beside a form's choices)."""

    template: str
    forms: tuple[str, ...]
    blank: Callable[[CallWorkspace], dict]


def check_form(call, **kwargs) -> VerifyForm | RepresentativeVerifyForm:
    """The resident's questions, or the representative's own check: never the other."""
    if call.caller_type is CallerType.REPRESENTATIVE:
        return RepresentativeVerifyForm(prefix="rep", **kwargs)
    return VerifyForm(prefix="verify", **kwargs)


def _caller(workspace: CallWorkspace) -> dict:
    """The who-is-calling form, showing what is recorded on the call."""
    call = workspace.call
    form = CallerForm(prefix="caller", holders=workspace.caller.holders, formdata=None)
    if call.caller_type is not CallerType.UNKNOWN:
        form.caller_type.data = call.caller_type.value
    form.caller_name.data = call.caller_name
    form.permission_id.data = str(call.permission_id) if call.permission_id else ""
    if call.caller_relationship and call.caller_type is CallerType.THIRD_PARTY:
        form.relationship.data = call.caller_relationship.value
    return {"caller_form": form}


# The checks that use a number on file, by their form's name on the page: the form, and the
# prefix it is posted with.
NUMBER_ON_FILE_FORMS = {
    "send_code_form": (SendCodeForm, "text"),
    "call_back_form": (CallBackForm, "callback"),
}


def number_on_file_form(name: str, numbers: list = (), **kwargs) -> NumberOnFileForm:
    """The form `name` of NUMBER_ON_FILE_FORMS offering `numbers` (`formdata=None`: blank)."""
    form_class, prefix = NUMBER_ON_FILE_FORMS[name]
    return form_class(prefix=prefix, numbers=numbers, **kwargs)


def _verify(workspace: CallWorkspace) -> dict:
    """Each check's form, for what the call says now; a number put on file lately says so on
    its choice, before any code is sent to it."""
    needs = workspace.verify
    forms = {
        "verify_form": check_form(workspace.call, formdata=None),
        "send_code_form": number_on_file_form("send_code_form", needs.code_numbers, formdata=None),
        "code_form": CHECK_FORMS["code_form"](workspace.call),
        "call_back_form": number_on_file_form("call_back_form", needs.code_numbers, formdata=None),
    }
    for form in forms.values():
        form.shown_for.data = needs.shown_for
    choices = forms["send_code_form"].phone.choices
    hints = [{"hint": {"text": needs.holds[v]}} if v in needs.holds else {} for v, _ in choices]
    return {**forms, "send_code_items": hints, "call_back_items": hints}


def _report(workspace: CallWorkspace) -> dict:
    needs = workspace.report
    form = report_form(needs.areas, needs.ask_relationship, formdata=None)
    form.resident_id.data = str(needs.resident_id or "")
    return {"report_form": form}


def report_form(areas, ask_relationship: bool, **kwargs) -> ReportForm:
    return ReportForm(
        prefix="report", area_choices=list(areas), ask_relationship=ask_relationship, **kwargs
    )


def consent_form(areas, **kwargs) -> VerbalConsentForm:
    return VerbalConsentForm(prefix="consent", area_choices=list(areas), **kwargs)


NUMBER_FORMS = {
    "add_number_form": (AddNumberOnCallForm, "add-number"),
    "change_number_form": (ChangeNumberOnCallForm, "change-number"),
    "remove_number_form": (RemoveNumberOnCallForm, "remove-number"),
}


def number_form(key: str, numbers=(), **kwargs):
    """One of the forms that change the numbers on file; those that choose a number offer
    the `numbers` on file."""
    form_class, prefix = NUMBER_FORMS[key]
    if form_class is not AddNumberOnCallForm:
        kwargs["numbers"] = numbers
    return form_class(prefix=prefix, **kwargs)


def _phones(workspace: CallWorkspace) -> dict:
    needs = workspace.phones
    forms = {key: number_form(key, needs.numbers, formdata=None) for key in NUMBER_FORMS}
    for form in forms.values():
        form.shown_for.data = needs.shown_for
        form.seen.data = needs.version
    return forms


def _end(workspace: CallWorkspace) -> dict:
    """The end of the call, with the outcome and summary the call suggests so far, and each
    outcome's own words, which the summary follows while nothing else is typed in it."""
    defaults = workspace.end
    outcome = defaults.outcome.value if defaults.outcome else None
    form = EndCallForm(prefix="end", formdata=None, outcome=outcome, summary=defaults.summary)
    return {"end_form": form, "outcome_words": OUTCOME_WORDS}


# Each outcome a handler may choose, and its own words (app/rules/call_outcome.py).
OUTCOME_WORDS = {outcome.value: outcome_words(outcome) for outcome in HANDLER_OUTCOMES}


STEPS: dict[Step, StepPart] = {
    Step.FIND: StepPart(
        "calls/_find.html", ("search_form",), lambda _: {"search_form": SearchForm(formdata=None)}
    ),
    Step.CALLER: StepPart("calls/_caller.html", ("caller_form",), _caller),
    Step.VERIFY: StepPart(
        "calls/_verification.html",
        ("verify_form", "send_code_form", "code_form", "call_back_form"),
        _verify,
    ),
    Step.REPORT: StepPart("calls/_report.html", ("report_form",), _report),
    Step.CONSENT: StepPart(
        "calls/_consent.html",
        ("consent_form",),
        lambda workspace: {"consent_form": consent_form(workspace.consent.areas, formdata=None)},
    ),
    Step.PHONES: StepPart("calls/_phones.html", tuple(NUMBER_FORMS), _phones),
    Step.SHARE: StepPart("calls/_duty_to_share.html", (), lambda _: {}),
    Step.END: StepPart("calls/_end.html", ("end_form",), _end),
}
STEP_TEMPLATES = {step.value: part.template for step, part in STEPS.items()}


# The checks' forms a refusal comes back on, bare. The verification step may be done by the
# time the answer is drawn (the caller was verified, or the record locked, meanwhile): the
# refusal is then said in the page's error summary only.
CHECK_FORMS = {
    "verify_form": lambda call: check_form(call, formdata=None),
    "send_code_form": lambda call: number_on_file_form("send_code_form", formdata=None),
    "code_form": lambda call: TextCodeForm(prefix="code", formdata=None),
    "call_back_form": lambda call: number_on_file_form("call_back_form", formdata=None),
}


def drawn(
    workspace: CallWorkspace, posted: dict, refused: tuple[str, Refused] | None = None
) -> tuple[dict, list]:
    """What the open steps draw, and the forms whose errors the page lists at its top.

    Each open step's blank forms, with the forms in `posted` (sent back with errors) in
    their place; `refused` puts a service's refusal on the blank form of that name."""
    context: dict = {}
    for step in workspace.steps.open:
        context.update(STEPS[step].blank(workspace))
    context.update(posted)
    if refused is not None:
        name, refusal = refused
        if name not in context:
            context[name] = CHECK_FORMS[name](workspace.call)
        show_refusal(context[name], refusal)
    # Every form drawn, and any sent back for a step no longer open, in the page's order.
    listed = [name for part in STEPS.values() for name in part.forms]
    return context, [context[name] for name in listed if name in context]
