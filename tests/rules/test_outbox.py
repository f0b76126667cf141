from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules import outbox as rules
from app.rules.outbox import Failure, RetryPolicy, after_failure, classify_failure, retry_delay
from app.rules.vocabulary import MessageStatus

POLICY = RetryPolicy(
    first_delay=timedelta(seconds=30), max_delay=timedelta(hours=1), max_attempts=5
)


@pytest.mark.parametrize(
    ("http_status", "error_code", "failure"),
    [
        (None, None, Failure.TRANSIENT),
        (500, 20500, Failure.TRANSIENT),
        (502, None, Failure.TRANSIENT),
        (503, 20503, Failure.TRANSIENT),
        (429, 20429, Failure.TRANSIENT),
        (408, None, Failure.TRANSIENT),
        (401, 20003, Failure.TRANSIENT),
        (403, 20003, Failure.TRANSIENT),
        (404, 20404, Failure.TRANSIENT),
        (400, 21611, Failure.TRANSIENT),
        (400, 21211, Failure.PERMANENT),
        (400, 21610, Failure.PERMANENT),
        (400, 21614, Failure.PERMANENT),
        (400, None, Failure.PERMANENT),
        (422, None, Failure.PERMANENT),
    ],
    ids=[
        "no-answer-is-worth-another-try",
        "a-server-error-is-worth-another-try",
        "a-bad-gateway-is-worth-another-try",
        "unavailable-is-worth-another-try",
        "too-many-requests-is-worth-another-try",
        "a-request-timeout-is-worth-another-try",
        "bad-credentials-wait-for-the-settings-to-be-fixed",
        "a-suspended-account-waits-for-the-settings-to-be-fixed",
        "a-mistyped-account-waits-for-the-settings-to-be-fixed",
        "a-full-sender-queue-is-worth-another-try",
        "an-invalid-number-is-final",
        "an-opted-out-resident-is-final",
        "a-number-that-takes-no-texts-is-final",
        "any-other-refusal-of-the-message-is-final",
        "an-unprocessable-message-is-final",
    ],
)
def test_a_failure_is_retried_only_when_the_provider_may_take_the_message_later(
    http_status, error_code, failure
):
    assert classify_failure(http_status, error_code) is failure


@pytest.mark.parametrize(
    ("attempts", "jitter", "delay"),
    [
        (1, 0.0, timedelta(seconds=30)),
        (2, 0.0, timedelta(seconds=60)),
        (3, 0.0, timedelta(seconds=120)),
        (7, 0.0, timedelta(seconds=1920)),
        (8, 0.0, timedelta(hours=1)),
        (60, 0.0, timedelta(hours=1)),
        (1, 0.5, timedelta(seconds=22.5)),
        (8, 0.999, timedelta(hours=1) * (1 - 0.999 / 2)),
    ],
    ids=[
        "first-retry-waits-the-first-delay",
        "second-waits-twice-as-long",
        "third-doubles-again",
        "seventh-still-doubling",
        "eighth-is-capped-at-an-hour",
        "far-later-stays-capped",
        "jitter-takes-off-a-share",
        "jitter-never-takes-off-more-than-half",
    ],
)
def test_retries_back_off_exponentially_with_jitter_up_to_a_cap(attempts, jitter, delay):
    assert retry_delay(attempts, jitter, POLICY) == delay


@given(attempts=st.integers(min_value=1, max_value=10_000), jitter=st.floats(0, 0.9999))
def test_a_retry_never_waits_longer_than_the_cap_nor_less_than_half_the_first_delay(
    attempts, jitter
):
    delay = retry_delay(attempts, jitter, POLICY)

    assert POLICY.first_delay / 2 <= delay <= POLICY.max_delay


@pytest.mark.parametrize(
    ("attempts", "jitter"), [(0, 0.0), (1, 1.0), (1, -0.1)], ids=["no-attempt", "jitter-1", "neg"]
)
def test_retry_delay_refuses_impossible_inputs(attempts, jitter):
    with pytest.raises(ValueError):
        retry_delay(attempts, jitter, POLICY)


@pytest.mark.parametrize(
    ("attempts", "failure", "status"),
    [
        (1, Failure.TRANSIENT, MessageStatus.PENDING),
        (4, Failure.TRANSIENT, MessageStatus.PENDING),
        (5, Failure.TRANSIENT, MessageStatus.FAILED),
        (1, Failure.PERMANENT, MessageStatus.FAILED),
    ],
    ids=[
        "a-transient-failure-waits-for-another-try",
        "the-attempt-before-the-last-still-waits",
        "the-last-attempt-allowed-fails-for-good",
        "a-permanent-failure-fails-at-once",
    ],
)
def test_after_a_failure_a_message_waits_or_fails(attempts, failure, status):
    assert after_failure(attempts, failure, POLICY) is status


@pytest.mark.parametrize(
    ("current", "reported", "new"),
    [
        (MessageStatus.SENT, "delivered", MessageStatus.DELIVERED),
        (MessageStatus.SENT, "undelivered", MessageStatus.UNDELIVERED),
        (MessageStatus.SENT, "failed", MessageStatus.FAILED),
        (MessageStatus.SENT, "Delivered ", MessageStatus.DELIVERED),
        (MessageStatus.PENDING, "delivered", MessageStatus.DELIVERED),
        (MessageStatus.SENT, "sent", None),
        (MessageStatus.SENT, "queued", None),
        (MessageStatus.SENT, "nonsense", None),
        (MessageStatus.DELIVERED, "sent", None),
        (MessageStatus.DELIVERED, "failed", None),
        (MessageStatus.FAILED, "delivered", None),
        (MessageStatus.UNDELIVERED, "delivered", None),
    ],
    ids=[
        "delivered",
        "undelivered",
        "failed",
        "case-and-spaces-do-not-matter",
        "a-report-before-the-worker-recorded-the-send-counts",
        "sent-adds-nothing",
        "queued-adds-nothing",
        "an-unknown-word-changes-nothing",
        "a-late-sent-never-undoes-delivered",
        "a-late-failed-never-undoes-delivered",
        "a-final-failure-stays",
        "a-final-undelivered-stays",
    ],
)
def test_a_delivery_report_moves_a_message_only_forward_to_a_final_status(current, reported, new):
    assert rules.status_after_report(current, reported) is new


def test_the_report_message_says_only_that_a_report_was_made_and_where_to_see_it():
    text = rules.report_made_text("https://council.example/portal")

    assert text == (
        "Someone reported something on your council record. You can see what was reported, "
        "and tell us if it is wrong, at https://council.example/portal"
    )


def test_the_lock_message_says_what_happened_and_whom_to_contact():
    text = rules.verification_locked_text("Leicester City Council", "0116 454 1000")

    assert text.startswith("Leicester City Council: we have locked phone verification")
    assert "failed attempts" in text
    assert text.endswith("contact us: 0116 454 1000")


def test_the_dispute_opened_message_says_where_to_follow_it_and_what_to_do_if_not_them():
    text = rules.dispute_opened_text(
        "Leicester City Council", "https://council.example/portal", "0116 454 1000"
    )

    assert text == (
        "Leicester City Council: a dispute was opened in your name about an entry on your "
        "council record. You can follow it at https://council.example/portal. If you did not "
        "ask for this, contact us: 0116 454 1000"
    )


def test_staff_see_only_the_last_3_digits_of_a_number():
    assert rules.last_digits("+447700900123") == "123"


@pytest.mark.parametrize(
    ("at", "says"),
    [
        (datetime(2026, 12, 1, 9, 7), "at 09:07 on 1 December 2026"),
        (datetime(2027, 6, 30, 23, 59), "at 23:59 on 30 June 2027"),
    ],
    ids=["morning", "last-minute-of-the-day"],
)
def test_the_sign_in_text_says_when_and_what_to_do_and_nothing_else(at, says):
    text = rules.portal_signed_in_text("Leicester City Council", at, "0116 454 1000")

    assert text.startswith("Leicester City Council: someone signed in to see your council record")
    assert says in text
    assert text.endswith("If this was not you, contact us straight away: 0116 454 1000")
