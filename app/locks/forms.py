from app.forms import reason_form

REASON_TOO_SHORT = "Enter why you are unlocking phone verification, in at least 10 characters"


UnlockForm = reason_form(
    "Why are you unlocking phone verification?",
    REASON_TOO_SHORT,
    description="For example, how you confirmed the failed attempts were the resident.",
    min_length=10,
    submit="Unlock phone verification",
)
