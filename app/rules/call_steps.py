"""Which steps of a call the handler sees: the one they are on, the ones done, and nothing that
does not apply (docs/architecture.md, "The call page, one step at a time").

A call goes find the record → who is calling → verify → report → end. Steps done are
summarised in a line each; steps that do not apply are never shown: someone calling about the
resident without their permission is never offered the resident's questions, and only the
resident, verified, can give someone permission or change the numbers on their record. What is
shown is never what is allowed: every form posted is checked again on the server, shown or not.
"""

from dataclasses import dataclass
from enum import StrEnum

from app.rules.vocabulary import CallerType


class Step(StrEnum):
    """A step of the call page. The value is the id of its section on the page."""

    FIND = "find"
    CALLER = "caller"
    VERIFY = "verify"
    REPORT = "report"
    CONSENT = "consent"
    PHONES = "phones"
    SHARE = "duty-to-share"
    END = "end"


# Steps the handler may ask for again ("Change"), or ask for out of turn (a report before the
# caller is verified).
ASKABLE = frozenset({Step.CALLER, Step.VERIFY, Step.REPORT})


@dataclass(frozen=True)
class CallProgress:
    """What the call says now, as the steps need it."""

    has_resident: bool
    caller_type: CallerType = CallerType.UNKNOWN
    verified: bool = False  # as the resident or as a representative, standing now
    verified_as_resident: bool = False
    locked: bool = False  # phone verification locked for the resident


@dataclass(frozen=True)
class CallSteps:
    """The steps to show: `done` summarised in a line each, `open` as forms, in this order.
    The first open step is the one the handler is on."""

    done: tuple[Step, ...]
    open: tuple[Step, ...]

    @property
    def current(self) -> Step:
        return self.open[0]

    def shows(self, step: Step) -> bool:
        return step in self.done or step in self.open

    def number(self, step: Step) -> int:
        """The step's number as shown: steps that do not apply are not counted, nor the end
        of the call, which has no number."""
        numbered = [shown for shown in self.done + self.open if shown is not Step.END]
        return numbered.index(step) + 1


def verification_applies(caller_type: CallerType) -> bool:
    """Only the resident and someone with their permission can be verified on a call."""
    return caller_type in (CallerType.RESIDENT, CallerType.REPRESENTATIVE)


def parse_step(value: str | None) -> Step | None:
    """The step asked for in a link ("Change"), if it is one that can be asked for."""
    try:
        step = Step(value or "")
    except ValueError:
        return None
    return step if step in ASKABLE else None


def call_steps(
    progress: CallProgress, asked: Step | None = None, posted: Step | None = None
) -> CallSteps:
    """The steps to show for a call in `progress`, with `asked` (a step the handler chose to
    change or take out of turn) open when it applies.

    `posted` is the step whose form was just sent back with errors or a refusal: it is asked
    for when nothing else is, and shown before the end of the call even when the call has
    moved on (the caller was verified meanwhile), so the handler sees why.
    """
    steps = _steps_for(progress, asked or posted)
    if posted is None or steps.shows(posted):
        return steps
    return CallSteps(steps.done, (*steps.open[:-1], posted, Step.END))


def _steps_for(progress: CallProgress, asked: Step | None) -> CallSteps:
    """The steps as the call goes:

    - No record yet: find it. The call can always be ended (a wrong number, a caller who
      rings off), so "end" is open beside every step.
    - Caller not known yet, or asked for: who is calling; or, asked for, a report straight
      away, which asks who the caller is to the resident.
    - The resident or their representative, neither verified nor locked: verify, unless the
      handler chose to log a report first (each report logged keeps the report open).
    - Then: report (as many as needed), the resident's permission for someone else and the
      numbers on their record (both only when the resident is verified), sharing without
      consent, end.
    """
    if not progress.has_resident:
        return CallSteps(done=(), open=(Step.FIND, Step.END))
    caller_known = progress.caller_type is not CallerType.UNKNOWN
    if not caller_known and asked is Step.REPORT:
        # A report straight away: who the caller is to the resident is asked with it.
        return CallSteps(done=(Step.FIND,), open=(Step.REPORT, Step.END))
    if asked is Step.CALLER or not caller_known:
        return CallSteps(done=(Step.FIND,), open=(Step.CALLER, Step.END))
    done = (Step.FIND, Step.CALLER)
    if verification_applies(progress.caller_type):
        finished = progress.verified or progress.locked
        if not finished and asked is not Step.REPORT:
            return CallSteps(done=done, open=(Step.VERIFY, Step.END))
        done += (Step.VERIFY,)
    later = (Step.REPORT,)
    if progress.verified_as_resident:
        later += (Step.CONSENT, Step.PHONES)
    return CallSteps(done=done, open=(*later, Step.SHARE, Step.END))
