"""Where `make run` serves the app, from HOST and PORT."""

import pytest

from config import local_address


@pytest.mark.parametrize(
    ("host", "port", "address"),
    [
        (None, None, "http://127.0.0.1:5000"),
        ("", " ", "http://127.0.0.1:5000"),
        ("127.0.0.1", "8080", "http://127.0.0.1:8080"),
        ("0.0.0.0", "8000", "http://localhost:8000"),  # noqa: S104
        ("::", "8000", "http://localhost:8000"),
        ("::1", "5001", "http://[::1]:5001"),
        ("devbox.local", "5000", "http://devbox.local:5000"),
    ],
    ids=["defaults", "blank", "port", "every-interface", "every-ipv6-interface", "ipv6", "name"],
)
def test_the_address_follows_host_and_port(host, port, address):
    assert local_address(host, port) == address
