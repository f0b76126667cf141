"""Rule 4: a legal authority is not the council's to end with a tap.

A resident takes away consent they gave (verbal or written) at once, in the portal. A Lasting
Power of Attorney, a deputyship or a DWP appointeeship is different: it is made under the law
(registered by the Office of the Public Guardian, ordered by the Court of Protection, appointed
by the Department for Work and Pensions), not by the council. The resident's wish to end one
goes to a supervisor, who speaks to the resident without the holder there (someone may be
pressing them to ask), tells the holder and the body that issued it, then either ends the
permission at once or keeps it, with a reason. The resident is told either way.

Plain Python: no Flask, no database, no clock.
"""

from dataclasses import dataclass

from app.rules.vocabulary import AuthorityEndStatus, PermissionKind

# Who issued each kind of legal authority.
ISSUING_BODIES: dict[PermissionKind, str] = {
    PermissionKind.LPA_PROPERTY_FINANCIAL: "Office of the Public Guardian",
    PermissionKind.LPA_HEALTH_WELFARE: "Office of the Public Guardian",
    PermissionKind.DEPUTYSHIP: "Court of Protection",
    PermissionKind.DWP_APPOINTEE: "Department for Work and Pensions (DWP)",
}
LEGAL_AUTHORITIES = frozenset(ISSUING_BODIES)

DECISIONS = (AuthorityEndStatus.ENDED, AuthorityEndStatus.KEPT)
NOTE_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 1000

# What residents are told.
NOT_A_LEGAL_AUTHORITY = "You can take this permission away yourself, at once"
ALREADY_ENDED = "This permission has already ended"
NOT_ENDED_WITH_A_TAP = (
    "A Lasting Power of Attorney, a deputyship or a DWP appointeeship is not ended here: "
    "ask us to end it, and we will check with you"
)
NOTE_TOO_LONG = f"What you tell us must be {NOTE_MAX_LENGTH:,} characters or fewer"

# What supervisors are told.
ONLY_SUPERVISORS = "Only a supervisor can decide a request to end a legal authority"
ALREADY_DECIDED = "Another supervisor decided this request while you were looking at it"
SELECT_OUTCOME = "Select whether to end the permission or keep it"
ENTER_REASON = "Enter the reason for your decision"
# In the words the reason box itself uses (app.forms.reason_field).
REASON_TOO_LONG = f"Reason must be {REASON_MAX_LENGTH} characters or fewer"
CHECK_SPOKE_ALONE = "Speak to the resident without the holder there before ending the permission"
CHECK_TOLD_HOLDER = "Tell the holder before ending the permission"
CHECK_TOLD_ISSUER = "Tell {body} before ending the permission"


def is_legal_authority(kind: PermissionKind) -> bool:
    """A Lasting Power of Attorney (either kind), a deputyship or a DWP appointeeship: made
    under the law, so not ended by the resident with a tap."""
    return kind in LEGAL_AUTHORITIES


def issuer_name(kind: PermissionKind) -> str | None:
    """Who issued a legal authority of this kind ("Court of Protection"); None for consent
    the resident gave."""
    return ISSUING_BODIES.get(kind)


def issuing_body(kind: PermissionKind) -> str | None:
    """Who issued it, as a sentence names them ("the Court of Protection")."""
    name = issuer_name(kind)
    return f"the {name}" if name else None


def refusal_to_take_away(kind: PermissionKind) -> str | None:
    """Why the resident cannot take a permission away at once themselves, or None when they
    can: consent they gave (verbal or written) ends at once; a legal authority does not."""
    return NOT_ENDED_WITH_A_TAP if is_legal_authority(kind) else None


def refusal_to_ask(kind: PermissionKind, has_ended: bool) -> str | None:
    """Why the resident cannot ask us to end a permission, or None when they can: only a
    legal authority still standing is ended through a supervisor."""
    if not is_legal_authority(kind):
        return NOT_A_LEGAL_AUTHORITY
    if has_ended:
        return ALREADY_ENDED
    return None


def note_problem(note: str) -> str | None:
    """What is wrong with what the resident wants us to know, or None. It is optional."""
    return NOTE_TOO_LONG if len(note.strip()) > NOTE_MAX_LENGTH else None


@dataclass(frozen=True)
class Checks:
    """What the supervisor did before deciding, as they record it."""

    spoke_alone: bool  # spoke to the resident without the holder there (coercion check)
    told_holder: bool  # told the holder of the resident's wish and the outcome
    told_issuer: bool  # told the body that issued the authority


def refusal_to_decide(
    status: AuthorityEndStatus,
    outcome: AuthorityEndStatus | None,
    checks: Checks,
    reason: str,
    kind: PermissionKind,
    *,
    is_supervisor: bool,
) -> tuple[str | None, str] | None:
    """Why a supervisor's decision cannot be recorded, as (field, message), or None.

    Only a supervisor decides, and only a request still waiting: a request is decided once.
    Either outcome needs a reason. Ending the permission also needs the checks done: the
    resident spoken to without the holder there, the holder told, and the issuing body told.
    Keeping it needs only the reason, with the checks recorded as they were: the resident was
    being pressed to ask, say, or the authority is not the council's to end and the resident
    was told how to go to the issuing body.
    """
    if not is_supervisor:
        return None, ONLY_SUPERVISORS
    if status is not AuthorityEndStatus.WAITING:
        return None, ALREADY_DECIDED
    if outcome not in DECISIONS:
        return "outcome", SELECT_OUTCOME
    reason = reason.strip()
    if not reason:
        return "reason", ENTER_REASON
    if len(reason) > REASON_MAX_LENGTH:
        return "reason", REASON_TOO_LONG
    if outcome is AuthorityEndStatus.ENDED:
        if not checks.spoke_alone:
            return "checks", CHECK_SPOKE_ALONE
        if not checks.told_holder:
            return "checks", CHECK_TOLD_HOLDER
        if not checks.told_issuer:
            return "checks", CHECK_TOLD_ISSUER.format(body=issuing_body(kind))
    return None


def ended_reason(request_id: int, reason: str) -> str:
    """What the permission's history says when a supervisor ends it on the resident's
    request."""
    return f"Ended by a supervisor on the resident's request {request_id}: {reason.strip()}"
