"""Codes' provider: who sends them (one answer, never the console in production), and Lookup
v2's answers read as Twilio writes them: ISO 8601 periods with seconds, dates, error codes,
and both names Lookup has given call forwarding."""

from datetime import UTC, datetime, timedelta

import pytest

from app.providers import CodesUnavailable
from app.providers.lookup import forwarding_of, parse_duration, parse_instant, sim_swap_of
from app.rules.text_codes import SIM_SWAP_UNKNOWN, SimSwap
from app.rules.vocabulary import TextCodeProvider
from app.services.text_codes import code_backend, deliver_code, text_code_policy
from tests.telephony.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, lookup_answer

DURATIONS = {
    "hours": ("PT24H", timedelta(hours=24)),
    "days": ("P7D", timedelta(days=7)),
    "weeks": ("P2W", timedelta(weeks=2)),
    "hours-minutes-seconds": ("PT3H12M5S", timedelta(hours=3, minutes=12, seconds=5)),
    "twilios-example": ("PT15282H33M44S", timedelta(hours=15282, minutes=33, seconds=44)),
    "minutes": ("PT90M", timedelta(minutes=90)),
    "seconds-only": ("PT45S", timedelta(seconds=45)),
    "fraction-of-a-second": ("PT0.5S", timedelta(seconds=0.5)),
    "comma-fraction": ("PT1,25S", timedelta(seconds=1.25)),
    "days-and-time": ("P1DT2H", timedelta(days=1, hours=2)),
    "lower-case": ("pt2h", timedelta(hours=2)),
    "zero": ("PT0S", timedelta(0)),
    "spaces-around": (" PT1H ", timedelta(hours=1)),
}


@pytest.mark.parametrize(("text", "period"), DURATIONS.values(), ids=DURATIONS.keys())
def test_lookups_periods_are_read_to_the_second(text, period):
    assert parse_duration(text) == period


UNREADABLE = {
    "empty": "",
    "p-alone": "P",
    "pt-alone": "PT",
    "years": "P1Y",
    "months": "P1M",
    "negative": "-PT1H",
    "time-without-t": "P1H",
    "t-without-time": "P1DT",
    "out-of-order": "PT1M2H",
    "words": "one day",
    "none": None,
    "a-number": 86400,
    "fraction-of-an-hour": "PT1.5H",
}


@pytest.mark.parametrize("text", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_period_that_cannot_be_read_is_none(text):
    assert parse_duration(text) is None


def test_dates_are_read_with_or_without_a_zone():
    assert parse_instant("2020-04-27T10:18:50Z") == datetime(2020, 4, 27, 10, 18, 50, tzinfo=UTC)
    assert parse_instant("2020-04-27T10:18:50") == datetime(2020, 4, 27, 10, 18, 50, tzinfo=UTC)
    assert parse_instant("27 April") is None
    assert parse_instant(None) is None


def _swap(**last) -> dict:
    package = lookup_answer("+447700900123")["sim_swap"]
    package["last_sim_swap"] = {
        "last_sim_swap_date": None,
        "swapped_period": None,
        "swapped_in_period": None,
        **last,
    }
    return package


SIM_SWAPS = {
    "twilios-example": (
        _swap(
            last_sim_swap_date="2020-04-27T10:18:50Z",
            swapped_period="PT15282H33M44S",
            swapped_in_period=True,
        ),
        SimSwap(
            True,
            timedelta(hours=15282, minutes=33, seconds=44),
            datetime(2020, 4, 27, 10, 18, 50, tzinfo=UTC),
        ),
    ),
    "not-swapped-in-a-month": (
        _swap(swapped_period="PT720H", swapped_in_period=False),
        SimSwap(False, timedelta(hours=720)),
    ),
    "error-code": (
        {"last_sim_swap": None, "carrier_name": None, "error_code": 60620},
        SIM_SWAP_UNKNOWN,
    ),
    "error-code-beside-an-answer": (
        {**_swap(swapped_period="PT720H", swapped_in_period=False), "error_code": 60008},
        SIM_SWAP_UNKNOWN,
    ),
    "no-package": (None, SIM_SWAP_UNKNOWN),
    "no-last-swap": ({"error_code": None}, SIM_SWAP_UNKNOWN),
    "period-unreadable": (
        _swap(swapped_period="a while", swapped_in_period=False),
        SimSwap(False, None),
    ),
    "in-period-not-a-boolean": (
        _swap(swapped_period="PT24H", swapped_in_period="false"),
        SimSwap(None, timedelta(hours=24)),
    ),
}


@pytest.mark.parametrize(("package", "read"), SIM_SWAPS.values(), ids=SIM_SWAPS.keys())
def test_the_sim_swap_package_is_read_as_it_is_and_an_error_says_nothing(package, read):
    assert sim_swap_of(package) == read


FORWARDING = {
    "enabled-newer-name": ({"call_forwarding_enabled": True, "error_code": None}, True),
    "disabled-newer-name": ({"call_forwarding_enabled": False, "error_code": None}, False),
    "status-older-name": ({"call_forwarding_status": True, "error_code": None}, True),
    "not-forwarded-older-name": ({"call_forwarding_status": False, "error_code": None}, False),
    "error-code": ({"call_forwarding_status": None, "error_code": 60607}, None),
    "neither-field": ({"error_code": None}, None),
    "no-package": (None, None),
    "a-string-not-a-boolean": ({"call_forwarding_enabled": "yes", "error_code": None}, None),
}


@pytest.mark.parametrize(("package", "forwarded"), FORWARDING.values(), ids=FORWARDING.keys())
def test_call_forwarding_is_read_under_either_name_and_unknown_otherwise(package, forwarded):
    assert forwarding_of(package) is forwarded


BACKENDS = {
    "development-no-twilio": (False, False, None, None, TextCodeProvider.CONSOLE),
    "development-twilio-no-sender": (False, True, None, None, TextCodeProvider.CONSOLE),
    "development-verify": (False, True, "VA1", None, TextCodeProvider.TWILIO_VERIFY),
    "production-no-twilio": (True, False, None, None, None),
    "production-twilio-no-sender": (True, True, None, None, None),
    "production-verify-without-credentials": (True, False, "VA1", "MG1", None),
    "production-verify": (True, True, "VA1", None, TextCodeProvider.TWILIO_VERIFY),
    "production-messaging": (True, True, None, "MG1", TextCodeProvider.TWILIO_MESSAGING),
    "production-verify-and-messaging": (True, True, "VA1", "MG1", TextCodeProvider.TWILIO_VERIFY),
}


@pytest.mark.parametrize(
    ("production", "credentials", "verify_sid", "sender", "backend"),
    BACKENDS.values(),
    ids=BACKENDS.keys(),
)
def test_one_function_says_who_sends_codes_and_never_the_console_in_production(
    app, monkeypatch, production, credentials, verify_sid, sender, backend
):
    monkeypatch.setitem(app.config, "IS_PRODUCTION", production)
    monkeypatch.setitem(app.config, "TWILIO_ACCOUNT_SID", ACCOUNT_SID if credentials else None)
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", AUTH_TOKEN if credentials else None)
    monkeypatch.setitem(app.config, "TWILIO_VERIFY_SERVICE_SID", verify_sid)
    monkeypatch.setitem(app.config, "TWILIO_MESSAGING_FROM", sender)

    assert code_backend() is backend


def test_the_console_refuses_to_make_a_code_in_production(app, production):
    with pytest.raises(CodesUnavailable):
        deliver_code(
            "+447700900123", None, TextCodeProvider.CONSOLE, text_code_policy(), lambda code: code
        )
