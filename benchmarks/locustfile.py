"""Simulated call handlers for `make load` (benchmarks/load.py starts the app and runs this).

Each simulated handler signs in once with its own account, then works whole calls
(benchmarks/load_scenario.py) with 1 to 3 seconds of thought between steps; meanwhile, as the
open page does in their browser, it asks every 3 seconds how many calls wait (every page's
header) and, besides, what the page itself asks: the waiting calls on the Calls page, the
call's status on a call page (`Polls`).
Who they are and who calls them come from LOAD_PEOPLE, the JSON file benchmarks/load.py
writes after seeding.

Besides Locust's own summary, every response time is kept and, when Locust stops, written to
LOAD_STEP_OUT as exact percentiles per endpoint: the sign-ins all, the calls' requests only
from LOAD_WARMUP_SECONDS after the last handler signed in (signing in is slow on purpose, and
each server process draws its first pages) for LOAD_SECONDS, when Locust is stopped.
"""

import json
import os
import random
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from itertools import count
from pathlib import Path

import gevent
from locust import FastHttpUser, events, task
from locust.contrib.fasthttp import FastHttpSession

from benchmarks.load_scenario import (
    HTMX,
    POLL_SECONDS,
    Caller,
    Handler,
    Poll,
    Response,
    ScenarioFailed,
)

PEOPLE = json.loads(Path(os.environ["LOAD_PEOPLE"]).read_text())
CALLERS = [Caller(**caller) for caller in PEOPLE["callers"]]
_numbers = count()
_signed_in = count(1)
SIGN_IN = ("/login", "/login [sign in]")
_times: dict[str, list[float]] = defaultdict(list)
_errors: dict[str, int] = defaultdict(int)
_window = {"from": 0.0, "to": 0.0}


@events.test_start.add_listener
def _started(**kwargs) -> None:
    # Until every handler has signed in; then as below.
    _window["from"] = float("inf")


def _all_signed_in(environment) -> None:
    warmup = float(os.environ.get("LOAD_WARMUP_SECONDS", 10))
    _window["from"] = time.monotonic() + warmup
    gevent.spawn_later(warmup, lambda: _cpu.update(started=_cpu_seconds()))

    def stop() -> None:
        _cpu["stopped"] = _cpu_seconds()
        environment.runner.quit()

    gevent.spawn_later(warmup + float(os.environ.get("LOAD_SECONDS", 60)), stop)


# CPU seconds used by the app's processes (gunicorn's, LOAD_SERVER_PID and its workers) and
# by the database's (PostgreSQL's backends serving LOAD_DATABASE_NAME), when the measured time
# starts and stops: what each request costs, whatever else the machine is doing. A worker
# that stops meanwhile (restarted after MAX_REQUESTS) leaves its time with gunicorn's master,
# which counts the CPU of the children it has reaped.
_cpu: dict[str, dict[str, float]] = {}


def _cpu_seconds() -> dict[str, float]:
    server = int(os.environ.get("LOAD_SERVER_PID", 0))
    database = f" {os.environ.get('LOAD_DATABASE_NAME', '')} ".encode()
    used = {"server": 0.0, "database": 0.0}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            command, _, fields = stat.read_text().rpartition(")")
            ppid, utime, stime, reaped, reaped_system = (
                int(fields.split()[i]) for i in (1, 11, 12, 13, 14)
            )
            if int(stat.parent.name) == server:
                utime, stime = utime + reaped, stime + reaped_system
            seconds = (utime + stime) / os.sysconf("SC_CLK_TCK")
            if server in (int(stat.parent.name), ppid):
                used["server"] += seconds
            elif (
                command.endswith("(postgres") and database in (stat.parent / "cmdline").read_bytes()
            ):
                used["database"] += seconds
        except (OSError, ValueError):
            continue  # ended meanwhile
    return used


# Calls the app said it started (it sent the handler to the new call's page), over the whole
# run: make chaos looks for each of them in the database.
CALL_START = "/calls [start]"
CALL_PAGE = re.compile(r"/calls/\d+$")
_calls_started = {"count": 0}


@events.request.add_listener
def _timed(name: str, response_time: float, exception=None, **kwargs) -> None:
    if name not in SIGN_IN and time.monotonic() < _window["from"]:
        return
    _window["to"] = time.monotonic()
    if exception is not None:
        _errors[name] += 1
    if name in SIGN_IN or exception is None:
        _times[name].append(response_time)


def _figures(samples: list[float], errors: int, seconds: float) -> dict:
    q = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else []
    return {
        "requests": len(samples) + errors,
        "errors": errors,
        "rps": round(len(samples) / seconds, 2) if seconds > 0 else 0.0,
        **{f"p{p}_ms": round(q[p - 1], 1) if q else None for p in (50, 95, 99)},
    }


@events.quitting.add_listener
def _write(**kwargs) -> None:
    out = os.environ.get("LOAD_STEP_OUT")
    if not out:
        return
    seconds = _window["to"] - _window["from"]
    names = sorted(set(_times) | set(_errors))
    endpoints = {name: _figures(_times[name], _errors[name], seconds) for name in names}
    work = [name for name in names if name not in SIGN_IN]
    endpoints["all"] = _figures(
        [t for name in work for t in _times[name]], sum(_errors[name] for name in work), seconds
    )
    served = endpoints["all"]["requests"]
    cpu_ms = {
        f"{kind}_cpu_ms_per_request": round(
            (_cpu["stopped"][kind] - _cpu["started"][kind]) * 1000 / served, 2
        )
        for kind in ("server", "database")
        if "stopped" in _cpu and served
    }
    with open(out, "w") as file:
        json.dump(
            {
                "measured_s": round(seconds, 1),
                "endpoints": endpoints,
                "calls_started": _calls_started["count"],
                **cpu_ms,
            },
            file,
        )


class CallHandler(FastHttpUser):
    # geventhttpclient rather than requests: the simulated handlers share the machine with the
    # server, and this client costs a fraction of the CPU per request.
    def on_start(self) -> None:
        n = next(_numbers)
        account = PEOPLE["handlers"][n % len(PEOPLE["handlers"])]
        # Each handler takes its own callers, so no two open one record at once.
        self.callers = CALLERS[n % len(PEOPLE["handlers"]) :: len(PEOPLE["handlers"])]
        self.handler = Handler(self._browse, account, PEOPLE["password"])
        self.handler.sign_in()
        if next(_signed_in) == self.environment.runner.target_user_count:
            _all_signed_in(self.environment)
        # The page's own requests go on a client of their own, as a browser's would run
        # beside the handler's clicks, carrying the session the handler has.
        self.poll_client = FastHttpSession(
            base_url=self.host, request_event=self.environment.events.request, user=self
        )
        polls = self.handler.polls
        self._pollers = [
            gevent.spawn(self._poll, polls.count),
            gevent.spawn(self._poll, polls.of_page),
        ]

    def on_stop(self) -> None:
        gevent.killall(self._pollers, block=False)

    def _poll(self, ask: Callable[[], Poll | None]) -> None:
        """Every POLL_SECONDS, what `ask` says the open page asks, as its timer does in the
        handler's browser (each page's timer starts at its own moment)."""
        gevent.sleep(random.uniform(0, POLL_SECONDS))
        while True:
            if poll := ask():
                answer = self._send(
                    self.poll_client, "GET", poll.url, poll.name, None, poll.headers, poll.answers
                )
                self.handler.polls.answered(poll, answer)
            gevent.sleep(POLL_SECONDS)

    def _browse(
        self, method: str, url: str, name: str, data: dict | None = None, htmx: bool = False
    ) -> Response:
        response = self._send(self.client, method, url, name, data, HTMX if htmx else {})
        if name == CALL_START and CALL_PAGE.search(response.location):
            _calls_started["count"] += 1
        return response

    def _send(
        self,
        client: FastHttpSession,
        method: str,
        url: str,
        name: str,
        data: dict | None,
        headers: dict,
        answers: tuple[int, ...] | None = None,
    ) -> Response:
        """One request, a failure if not answered as expected (`answers`, else below 400)."""
        # The production session cookie is `Secure` (`__Host-`), which a client keeps to
        # https; the load runs on plain http on the loopback, so it is sent back by hand.
        if cookies := list(self.client.cookiejar):
            headers = {**headers, "Cookie": "; ".join(f"{c.name}={c.value}" for c in cookies)}
        with client.request(
            method,
            url,
            name=name,
            data=data,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            status = response.status_code
            if status in answers if answers else 0 < status < 400:
                response.success()
            else:
                response.failure(f"{status}")
            # A connection cut mid-request (a host killed under it) has no headers at all.
            found = response.headers or {}
            return Response(
                status, found.get("Location", ""), response.text or "", found.get("ETag", "")
            )

    @staticmethod
    def _think() -> None:
        gevent.sleep(random.uniform(1, 3))

    @task
    def work_a_call(self) -> None:
        try:
            self.handler.work_call(random.choice(self.callers), self._think)
        except ScenarioFailed as failed:
            self.environment.events.request.fire(
                request_type="CALL",
                name="whole call",
                response_time=0,
                response_length=0,
                exception=failed,
                context={},
            )
        self._think()
