"""Sign-in limits shared through Redis, as separate app instances share them.

Each instance is a process of its own, as behind a load balancer.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PARALLEL_REDIS_URL = os.environ.get("TEST_REDIS_PARALLEL_URL", "redis://127.0.0.1:6379/7")

# An app instance of its own on the shared SQLite file and Redis (arguments 1 to 3); the
# scripts below carry on from here with their own arguments.
APP = textwrap.dedent(
    """
    import json, re, sys
    from app import create_app
    from config import TestConfig

    database, storage, prefix = sys.argv[1:4]

    class InstanceConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"
        RATELIMIT_STORAGE_URI = storage
        RATELIMIT_KEY_PREFIX = prefix

    app = create_app(InstanceConfig)
    """
)

INSTANCE = APP + textwrap.dedent(
    """
    from flask_migrate import upgrade
    from app.rules.vocabulary import Role
    from app.services import staff

    password, tries = sys.argv[4:6]
    with app.app_context():
        upgrade()
        if staff.fetch_staff_by_email("a@example.org") is None:
            staff.save_staff_user(email="a@example.org", name="A", password="right-password",
                                  role=Role.HANDLER)
    codes = []
    for _ in range(int(tries)):
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        response = client.post("/login", data={"email": "a@example.org", "password": password,
                                               "csrf_token": token})
        codes.append(response.status_code)
    print(json.dumps(codes))
    """
)


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def _instance(tmp_path, prefix: str, password: str, tries: int) -> list[int]:
    result = subprocess.run(
        [sys.executable, "-c", INSTANCE, str(tmp_path / "shared.sqlite"), REDIS_URL, prefix,
         password, str(tries)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not _redis_answers(), reason="Redis is not running on 127.0.0.1:6379")
def test_failures_on_one_instance_limit_sign_in_on_another(tmp_path):
    prefix = uuid.uuid4().hex

    first = _instance(tmp_path, prefix, "wrong", tries=5)
    second = _instance(tmp_path, prefix, "right-password", tries=1)

    assert first == [200, 200, 200, 200, 200]
    assert second == [429]


PARALLEL_INSTANCE = APP + textwrap.dedent(
    """
    import threading, time
    from concurrent.futures import ThreadPoolExecutor

    tries, start_at = sys.argv[4:6]
    clients, tokens = [], []
    for _ in range(int(tries)):
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        tokens.append(re.search(r'name="csrf-token" content="([^"]+)"', page).group(1))
        clients.append(client)
    start = threading.Barrier(int(tries))

    def attempt(n):
        data = {"email": "a@example.org", "password": "wrong", "csrf_token": tokens[n]}
        start.wait()
        return clients[n].post("/login", data=data).status_code

    time.sleep(max(0.0, float(start_at) - time.time()))
    with ThreadPoolExecutor(int(tries)) as pool:
        print(json.dumps(list(pool.map(attempt, range(int(tries))))))
    """
)


@pytest.mark.skipif(not _redis_answers(), reason="Redis is not running on 127.0.0.1:6379")
def test_parallel_attempts_on_several_instances_are_checked_no_more_than_the_limit(tmp_path):
    prefix = uuid.uuid4().hex
    _instance(tmp_path, prefix, "right-password", tries=0)
    instances, tries = 3, 4
    start_at = str(time.time() + 3)

    command = [sys.executable, "-c", PARALLEL_INSTANCE, str(tmp_path / "shared.sqlite"),
               PARALLEL_REDIS_URL, prefix, str(tries), start_at]  # fmt: skip
    running = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(instances)
    ]
    codes = []
    for process in running:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        codes += json.loads(out.strip().splitlines()[-1])

    assert sorted(codes) == [200] * 5 + [429] * (instances * tries - 5)
