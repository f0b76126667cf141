"""Fixtures for the portal's tests."""

import pytest

from app import clock
from tests.portal.helpers import portal_sign_in


@pytest.fixture
def resident_client(client, resident):
    """A client signed in to the portal as the resident."""
    return portal_sign_in(client, resident)


@pytest.fixture
def stopped_clock() -> None:
    """The clock stopped at the moment the test starts, for tests that compare the pages two
    sign-ins draw: the code page says when to try again, to the minute, from when each was
    asked for, and two sign-ins a minute apart would differ by that alone."""
    clock.set_now(clock.now())
