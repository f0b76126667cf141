"""How a call is likely to end, from what happened on it: the end-of-call form's defaults.

A handler who logged a report and sent a team should not have to say so again: the outcome
follows from what was done, and the summary starts from the reports. Both stay defaults the
handler can change; nothing is ended without them pressing "End call".
"""

from collections.abc import Sequence
from dataclasses import dataclass

from app.rules.vocabulary import CallOutcome

SUMMARY_LIMIT = 500


@dataclass(frozen=True)
class LoggedReport:
    """A report logged on this call, as the end-of-call defaults need it."""

    summary: str
    teams_sent: tuple[str, ...] = ()


@dataclass(frozen=True)
class EndDefaults:
    outcome: CallOutcome | None
    summary: str


def outcome_words(outcome: CallOutcome) -> str:
    """The outcome's own words: a call's summary when nothing else was typed."""
    return outcome.label


_ALL_OUTCOME_WORDS = frozenset(outcome_words(outcome) for outcome in CallOutcome)


def call_summary(outcome: CallOutcome, typed: str) -> str:
    """The summary kept for a call: what the handler typed; or the chosen outcome's own words
    when they typed nothing, or left the words of an outcome (the default, untouched) while
    choosing another. A summary never contradicts the outcome it was ended with."""
    typed = typed.strip()
    if not typed or typed in _ALL_OUTCOME_WORDS:
        return outcome_words(outcome)
    return typed


def end_defaults(
    reports: Sequence[LoggedReport],
    *,
    caller_verified: bool = False,
    caller_hung_up: bool = False,
) -> EndDefaults:
    """Help sent when any report sent a team, report logged when one was logged; with nothing
    logged, call dropped when the caller hung up, resolved when the caller was verified (an
    enquiry answered); otherwise no default (the handler knows best whether a call was
    dropped or referred). The summary lists the
    reports in the order they were logged, cut to the field's limit; with nothing logged it is
    the outcome's own words, so no call needs a summary typed."""
    if not reports and caller_hung_up:
        return EndDefaults(CallOutcome.DROPPED, outcome_words(CallOutcome.DROPPED))
    if not reports:
        outcome = CallOutcome.RESOLVED if caller_verified else None
        return EndDefaults(outcome, outcome_words(outcome) if outcome else "")
    sent = [team for report in reports for team in report.teams_sent]
    outcome = CallOutcome.DISPATCHED if sent else CallOutcome.REPORT_LOGGED
    lines = [f"Reported: {report.summary.strip()}" for report in reports]
    if sent:
        lines.append(f"Sent: {', '.join(dict.fromkeys(sent))}")
    summary = "\n".join(lines)
    if len(summary) > SUMMARY_LIMIT:
        summary = summary[: SUMMARY_LIMIT - 1].rstrip() + "…"
    return EndDefaults(outcome, summary)
