"""Fixtures for the dispute tests."""

import pytest

from app.rules.vocabulary import DisputeStatus
from tests import factories


@pytest.fixture
def first_not_upheld(resident):
    """An entry whose first dispute, D1, was decided "not upheld": the entry is back in use,
    and the resident may dispute it again. (entry, D1)"""
    entry = factories.make_entry(resident, team="Housing repairs")
    first = factories.make_dispute(resident, entry)
    factories.decide_dispute(first, DisputeStatus.NOT_UPHELD, "The leak was real")
    return entry, first
