from datetime import UTC, datetime, timedelta

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
        (MessageStatus.SENT, "read", MessageStatus.DELIVERED),
        (MessageStatus.SENT, "partially_delivered", MessageStatus.UNDELIVERED),
        (MessageStatus.SENT, "canceled", MessageStatus.FAILED),
        (MessageStatus.SENT, "Delivered ", MessageStatus.DELIVERED),
        (MessageStatus.PENDING, "delivered", MessageStatus.DELIVERED),
        (MessageStatus.PENDING, "accepted", MessageStatus.SENT),
        (MessageStatus.PENDING, "scheduled", MessageStatus.SENT),
        (MessageStatus.PENDING, "queued", MessageStatus.SENT),
        (MessageStatus.PENDING, "sending", MessageStatus.SENT),
        (MessageStatus.PENDING, "sent", MessageStatus.SENT),
        (MessageStatus.SENT, "sent", None),
        (MessageStatus.SENT, "queued", None),
        (MessageStatus.SENT, "nonsense", None),
        (MessageStatus.PENDING, "received", None),
        (MessageStatus.PENDING, "receiving", None),
        (MessageStatus.DELIVERED, "sent", None),
        (MessageStatus.DELIVERED, "failed", None),
        (MessageStatus.DELIVERED, "read", None),
        (MessageStatus.FAILED, "delivered", None),
        (MessageStatus.UNDELIVERED, "delivered", None),
        (MessageStatus.UNDELIVERED, "queued", None),
    ],
    ids=[
        "delivered",
        "undelivered",
        "failed",
        "read-is-delivered",
        "partly-delivered-is-not-delivered",
        "canceled-is-failed",
        "case-and-spaces-do-not-matter",
        "a-report-before-the-worker-recorded-the-send-counts",
        "accepted-by-the-provider-is-sent",
        "scheduled-by-the-provider-is-sent",
        "queued-by-the-provider-is-sent",
        "sending-is-sent",
        "sent-is-sent",
        "sent-adds-nothing-to-sent",
        "queued-adds-nothing-to-sent",
        "an-unknown-word-changes-nothing",
        "a-word-for-a-message-coming-in-changes-nothing",
        "receiving-changes-nothing",
        "a-late-sent-never-undoes-delivered",
        "a-late-failed-never-undoes-delivered",
        "read-after-delivered-adds-nothing",
        "a-final-failure-stays",
        "a-final-undelivered-stays",
        "a-late-queued-never-undoes-undelivered",
    ],
)
def test_a_delivery_report_moves_a_message_only_forward(current, reported, new):
    assert rules.status_after_report(current, reported) is new


def test_every_status_twilio_documents_for_a_message_has_a_meaning_here():
    from twilio.rest.api.v2010.account.message import MessageInstance

    documented = {
        value for name, value in vars(MessageInstance.Status).items() if not name.startswith("_")
    }

    assert documented == set(rules.TWILIO_STATUSES)


FINAL = {MessageStatus.DELIVERED, MessageStatus.UNDELIVERED, MessageStatus.FAILED}


@given(
    current=st.sampled_from(list(MessageStatus)),
    reported=st.sampled_from(sorted(rules.TWILIO_STATUSES)) | st.text(max_size=30),
)
def test_a_report_never_moves_a_message_back_or_sideways(current, reported):
    new = rules.status_after_report(current, reported)

    if current in FINAL:
        assert new is None
    elif current is MessageStatus.SENT:
        assert new is None or new in FINAL
    else:
        assert new is not MessageStatus.PENDING


@pytest.mark.parametrize(
    ("http_status", "maybe"),
    [(None, True), (500, True), (502, True), (504, True), (400, False), (401, False),
     (404, False), (408, False), (429, False)],
    ids=["no-answer", "server-error", "bad-gateway", "gateway-timeout", "refused",
         "bad-credentials", "not-found", "request-timeout", "too-many-requests"],
)  # fmt: skip
def test_a_send_without_an_answer_or_with_a_server_error_may_have_been_taken(http_status, maybe):
    assert rules.may_have_been_taken(http_status) is maybe


SINCE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def held(sid="SM1", body="Hello", created=SINCE, outgoing=True, status="queued"):
    return rules.HeldMessage(
        sid=sid, body=body, created_at=created, status=status, outgoing=outgoing
    )


@pytest.mark.parametrize(
    ("found", "recorded", "expected"),
    [
        ([], set(), None),
        ([held()], set(), "SM1"),
        ([held(created=SINCE + timedelta(seconds=14))], set(), "SM1"),
        ([held(created=SINCE - timedelta(minutes=4))], set(), "SM1"),
        ([held(created=SINCE - timedelta(minutes=6))], set(), None),
        ([held(body="Hello again")], set(), None),
        ([held(body=None)], set(), None),
        ([held(created=None)], set(), None),
        ([held(outgoing=False)], set(), None),
        ([held()], {"SM1"}, None),
        ([held("SM2", created=SINCE + timedelta(seconds=5)), held("SM1")], set(), "SM1"),
        ([held("SM1"), held("SM2", created=SINCE + timedelta(seconds=5))], {"SM1"}, "SM2"),
    ],
    ids=[
        "nothing-held",
        "held-since-the-attempt",
        "held-seconds-after",
        "held-just-before-by-a-clock-a-little-behind",
        "held-long-before",
        "other-words",
        "no-body",
        "no-creation-time",
        "a-message-coming-in",
        "already-recorded-for-another-of-ours",
        "the-oldest-of-two",
        "the-oldest-not-recorded-for-another",
    ],
)
def test_the_message_the_provider_already_holds_for_ours(found, recorded, expected):
    match = rules.already_held("Hello", SINCE, found, recorded)

    assert (match.sid if match else None) == expected


@given(
    found=st.lists(
        st.builds(
            held,
            sid=st.sampled_from(["SM1", "SM2", "SM3"]),
            body=st.sampled_from(["Hello", "Other", None]),
            created=st.none() | st.datetimes(timezones=st.just(UTC)),
            outgoing=st.booleans(),
        ),
        max_size=6,
    ),
    recorded=st.sets(st.sampled_from(["SM1", "SM2", "SM3"])),
)
def test_a_message_found_is_always_ours_and_never_one_recorded_for_another(found, recorded):
    match = rules.already_held("Hello", SINCE, found, recorded)

    if match is not None:
        assert match in found
        assert match.body == "Hello" and match.outgoing
        assert match.sid not in recorded
        assert match.created_at >= SINCE - rules.CLOCK_SKEW


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
