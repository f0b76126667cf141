import pytest


@pytest.fixture(autouse=True)
def _app_context():
    """The rules are plain Python: no app, no database."""
    yield
