"""How many sign-in attempts are checked, and from where (docs/rules.md, "Sign-in limits").

A stranger must not be able to shut the right person out. Attempts are counted, before any
password, code or date of birth is checked, under three keys:

- the account (an email address, a staff account's code step, or a portal reference) tried
  from one client address: a stranger using up this allowance holds back only themselves,
  at their own address;
- the client address, across every account: one address working through many accounts;
- the account from every address together: a much larger allowance, a brake on guessing
  spread over many addresses. Past it, nothing is refused: each address may still try the
  account, once in a short wait (`pace`), and is told how long to wait. The wait any one
  address is given depends only on the attempts made from that address, so however many
  strangers try the account elsewhere, the right person is asked to wait seconds at most,
  never refused.

No Flask and no store here: the service counts, and this says what the counts mean.
"""

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    CHECK = "check"  # check what was typed
    REFUSE = "refuse"  # this address has used its allowance, for this account or for all
    WAIT = "wait"  # the account is being tried from many addresses: this one waits its turn


@dataclass(frozen=True)
class Counted:
    """Where one attempt leaves the counts it was added to: True while within each."""

    account_from_address: bool
    address: bool
    account: bool
    # Only counted once the account is past its brake: this address's turn in the wait.
    pace: bool = True


def decide_attempt(counted: Counted) -> Verdict:
    """Whether to check an attempt, counted under all its keys.

    Refused only for what this address did: too many attempts on this account from here, or
    on any account from here. An account tried from many addresses past its brake slows each
    of them to one attempt per wait; an address whose turn has come is checked, so the right
    password is never refused because of attempts made elsewhere.
    """
    if not counted.account_from_address or not counted.address:
        return Verdict.REFUSE
    if not counted.account and not counted.pace:
        return Verdict.WAIT
    return Verdict.CHECK


def wait_message(seconds: int) -> str:
    """What the page says to someone asked to wait, in whole seconds (at least one)."""
    seconds = max(1, seconds)
    unit = "second" if seconds == 1 else "seconds"
    return (
        "There have been many attempts to sign in to this account. "
        f"Wait {seconds} {unit}, then try again"
    )
