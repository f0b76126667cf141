"""Simulated call handlers for `make load` (benchmarks/load.py starts the app and runs this).

Each simulated handler signs in once with its own account, then works whole calls
(benchmarks/load_scenario.py) with 1 to 3 seconds of thought between steps; meanwhile, as the
Calls page does in their browser, it asks every 3 seconds whether the calls waiting changed.
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
from itertools import count
from pathlib import Path

import gevent
from locust import FastHttpUser, events, task
from locust.contrib.fasthttp import FastHttpSession

from benchmarks.load_scenario import Caller, Handler, Response, ScenarioFailed

PEOPLE = json.loads(Path(os.environ["LOAD_PEOPLE"]).read_text())
CALLERS = [Caller(**caller) for caller in PEOPLE["callers"]]
_numbers = count()
_signed_in = count(1)
SIGN_IN = ("/login", "/login [sign in]")
WAITING_POLL_SECONDS = 3
WAITING = "/calls/waiting [poll]"
SHOWN = re.compile(r"/calls/waiting\?([^\"]+)\"")
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
    gevent.spawn_later(warmup + float(os.environ.get("LOAD_SECONDS", 60)), environment.runner.quit)


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
    with open(out, "w") as file:
        json.dump(
            {
                "measured_s": round(seconds, 1),
                "endpoints": endpoints,
                "calls_started": _calls_started["count"],
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
        self._poller = gevent.spawn(self._poll_waiting_calls)

    def on_stop(self) -> None:
        self._poller.kill(block=False)

    def _poll_waiting_calls(self) -> None:
        """The Calls page's list of waiting calls, asked for every 3 seconds with what it
        shows (answered 204 while nothing changed), as htmx does in the handler's browser."""
        query = ""
        gevent.sleep(random.uniform(0, WAITING_POLL_SECONDS))
        while True:
            url = "/calls/waiting" + (f"?{query.replace('&amp;', '&')}" if query else "")
            headers = {"HX-Request": "true"}
            if cookies := list(self.client.cookiejar):
                headers["Cookie"] = "; ".join(f"{c.name}={c.value}" for c in cookies)
            with self.poll_client.request(
                "GET", url, name=WAITING, headers=headers, catch_response=True
            ) as answer:
                if answer.status_code not in (200, 204):
                    answer.failure(f"{answer.status_code}")
                else:
                    answer.success()
                text = answer.text or ""
            if answer.status_code == 200 and (found := SHOWN.search(text)):
                query = found.group(1)
            gevent.sleep(WAITING_POLL_SECONDS)

    def _browse(
        self, method: str, url: str, name: str, data: dict | None = None, htmx: bool = False
    ) -> Response:
        headers = {"HX-Request": "true"} if htmx else {}
        # The production session cookie is `Secure` (`__Host-`), which a client keeps to
        # https; the load runs on plain http on the loopback, so it is sent back by hand.
        if cookies := list(self.client.cookiejar):
            headers["Cookie"] = "; ".join(f"{c.name}={c.value}" for c in cookies)
        with self.client.request(
            method,
            url,
            name=name,
            data=data,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code >= 400 or response.status_code == 0:
                response.failure(f"{response.status_code}")
            else:
                response.success()
            # A connection cut mid-request (a host killed under it) has no headers at all.
            location = response.headers.get("Location", "") if response.headers else ""
            if name == CALL_START and CALL_PAGE.search(location):
                _calls_started["count"] += 1
            return Response(response.status_code, location, response.text or "")

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
