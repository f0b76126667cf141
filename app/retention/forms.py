from app.forms import reason_form
from app.rules import retention as rules


def _hold_form(question: str, missing: str, example: str, submit: str):
    """Setting a hold and lifting one each take a reason of the same least length."""
    return reason_form(
        question,
        missing,
        description=f"For example, {example}.",
        min_length=rules.HOLD_REASON_MIN_LENGTH,
        submit=submit,
    )


SetHoldForm = _hold_form(
    "Why must this record be kept?",
    rules.ENTER_HOLD_REASON,
    "the claim, investigation or court order, with its reference",
    "Set a legal hold",
)
LiftHoldForm = _hold_form(
    "Why can the hold be lifted?",
    rules.ENTER_LIFT_REASON,
    "the claim was settled or the investigation closed",
    "Lift the legal hold",
)
