from itertools import product

import pytest

from app.rules.sign_in_limits import Counted, Verdict, decide_attempt, wait_message

C, R, W = Verdict.CHECK, Verdict.REFUSE, Verdict.WAIT
# Within (1) or over (0): the account from this address, this address, the account from every
# address, this address's turn while the account is past its brake.
EVERY_COMBINATION = {
    (1, 1, 1, 1): C, (1, 1, 1, 0): C, (1, 1, 0, 1): C, (1, 1, 0, 0): W,
    (1, 0, 1, 1): R, (1, 0, 1, 0): R, (1, 0, 0, 1): R, (1, 0, 0, 0): R,
    (0, 1, 1, 1): R, (0, 1, 1, 0): R, (0, 1, 0, 1): R, (0, 1, 0, 0): R,
    (0, 0, 1, 1): R, (0, 0, 1, 0): R, (0, 0, 0, 1): R, (0, 0, 0, 0): R,
}  # fmt: skip


@pytest.mark.parametrize(
    ("counts", "verdict"),
    list(EVERY_COMBINATION.items()),
    ids=["".join(map(str, counts)) for counts in EVERY_COMBINATION],
)
def test_every_combination_of_counts(counts, verdict):
    assert decide_attempt(Counted(*map(bool, counts))) is verdict


@pytest.mark.parametrize(
    ("counted", "verdict"),
    [
        (Counted(True, True, True), Verdict.CHECK),
        (Counted(False, True, True), Verdict.REFUSE),
        (Counted(True, False, True), Verdict.REFUSE),
        (Counted(True, True, False, pace=True), Verdict.CHECK),
        (Counted(True, True, False, pace=False), Verdict.WAIT),
        (Counted(False, True, False, pace=False), Verdict.REFUSE),
    ],
    ids=[
        "within-everything",
        "this-account-from-this-address-used-up",
        "this-address-used-up",
        "account-past-its-brake-but-this-addresses-turn",
        "account-past-its-brake-and-this-address-tried-just-now",
        "an-address-that-used-up-its-own-allowance-is-refused-not-asked-to-wait",
    ],
)
def test_what_each_count_means(counted, verdict):
    assert decide_attempt(counted) is verdict


def test_the_account_from_every_address_together_never_refuses_on_its_own():
    for account, pace in product([True, False], repeat=2):
        assert decide_attempt(Counted(True, True, account, pace)) is not Verdict.REFUSE


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(20, "Wait 20 seconds, then try again"), (1, "Wait 1 second, then try again"),
     (0, "Wait 1 second, then try again"), (-3, "Wait 1 second, then try again")],
    ids=["seconds", "one-second", "none-left-still-says-one", "a-clock-behind-still-says-one"],
)  # fmt: skip
def test_the_wait_is_said_in_whole_seconds(seconds, said):
    assert wait_message(seconds).endswith(said)
