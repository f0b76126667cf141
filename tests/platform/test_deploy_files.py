"""The processes are declared once, in the Procfile; the systemd units say the same."""

import shlex
import subprocess
import sys
import zipfile

import pytest

from deploy import render_units
from deploy.render_units import UNITS


def test_the_committed_systemd_units_are_those_the_procfile_gives():
    committed = {path.name: path.read_text() for path in UNITS.glob("*.service")}

    assert committed == render_units.units(), "run `make units` and commit deploy/systemd/"


def test_the_procfile_declares_the_web_app_a_worker_and_the_scheduler():
    assert set(render_units.procfile()) == {"web", "worker", "scheduler"}


@pytest.mark.parametrize("process", ["worker", "scheduler"])
def test_each_flask_command_in_the_procfile_exists(app, process):
    words = shlex.split(render_units.procfile()[process])
    assert words[0] == "flask"

    result = app.test_cli_runner().invoke(args=[*words[1:], "--help"])

    assert result.exit_code == 0, result.output


def test_the_web_process_reads_gunicorns_settings_from_the_package(monkeypatch):
    words = shlex.split(render_units.procfile()["web"])
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    import importlib

    from app import gunicorn_config

    settings = importlib.reload(gunicorn_config)

    assert words[:3] == ["gunicorn", "--config", "python:app.gunicorn_config"]
    assert words[3] == "app:create_app()"
    assert (settings.bind, settings.workers, settings.accesslog) == ("127.0.0.1:8123", 3, None)


def test_each_worker_serves_requests_in_threads_from_an_app_loaded_once(monkeypatch):
    """Handlers per core: two workers a core, four threads each, the app imported before
    the workers fork, and a connection kept for longer than a page waits between polls."""
    for name in ("WEB_CONCURRENCY", "WEB_THREADS"):
        monkeypatch.delenv(name, raising=False)
    import importlib
    import os

    from app import gunicorn_config

    settings = importlib.reload(gunicorn_config)

    assert settings.workers == 2 * len(os.sched_getaffinity(0))
    assert (settings.worker_class, settings.threads, settings.preload_app) == ("gthread", 4, True)
    assert settings.keepalive > 3


def test_the_wheel_carries_the_templates_built_assets_migrations_and_config(tmp_path):
    """`pip install` of the wheel is enough: `make install-check` installs it into a fresh
    virtualenv and runs it; this only looks inside."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path), str(render_units.ROOT)],
        check=True, capture_output=True,
    )  # fmt: skip
    [wheel] = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    for expected in (
        "config.py",
        "app/gunicorn_config.py",
        "app/bundle/templates/base.html",
        "app/bundle/static/vendor/htmx.min.js",
        "app/bundle/static/vendor/govuk/govuk-frontend.min.css",
        "app/bundle/migrations/env.py",
        "app/bundle/migrations/versions/0001_schema.py",
    ):
        assert expected in names
    assert not [name for name in names if name.startswith(("tests/", "benchmarks/"))]
