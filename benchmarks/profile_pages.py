"""Where a page's time goes, through the real routes, in process: for each kind of request,
SQL statements, templates drawn, Python function calls and CPU time per request, beside
`/healthz`.

Function calls and statements barely move with the machine's load, unlike milliseconds, so
they compare one version of the code with another fairly. Runs against a database
`python -m benchmarks.search` has already seeded (BENCH_DATABASE_URL, else
instance/bench.sqlite); it adds two calls and nothing else.

    python -m benchmarks.profile_pages            # every kind
    python -m benchmarks.profile_pages workspace  # some

PROFILE_REQUESTS requests of each kind (default 200); PROFILE_OUT, where the figures go as JSON
(default instance/profile_pages.json); PROFILE_DUMP, a folder to write each kind's cProfile
statistics to (`python -m pstats <folder>/workspace.pstats` reads them). The kinds:

  healthz    GET /healthz, the floor
  phone      a search by phone number on a call
  misspelt   a search by a misspelt name on a call
  workspace  the call page of a verified resident calling about themselves
  record     the record panel of that call, as htmx fetches it
  waiting    the count of calls waiting in every page's header, asked again with the version
             it holds while no call came or went: "not modified" (304)
"""

import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from random import Random

from flask import template_rendered
from sqlalchemy import event, func, select

from app import create_app
from app.extensions import db
from app.models import Resident
from app.phone_numbers import for_display
from benchmarks.audit import _sign_in, _verified_call
from benchmarks.search import BENCH_EMAIL, _config, misspelt_name, phones_of
from config import INSTANCE_DIR

KINDS = ("healthz", "phone", "misspelt", "workspace", "record", "waiting")
HTMX = {"HX-Request": "true"}
JSON = {"Accept": "application/json"}
# What each kind answers when it works: the header's count, unchanged, is "not modified".
ANSWERS = {"waiting": 304}


def _call(client, token: str, number: str) -> str:
    response = client.post("/calls", data={"caller_number": number, "csrf_token": token})
    return response.headers["Location"]


def main() -> None:
    kinds = sys.argv[1:] or list(KINDS)
    n = int(os.environ.get("PROFILE_REQUESTS", 200))
    out = Path(os.environ.get("PROFILE_OUT", INSTANCE_DIR / "profile_pages.json"))
    app = create_app(_config())
    statements: list[str] = []
    drawn: list[str] = []
    template_rendered.connect(
        lambda sender, template, **kw: drawn.append(template.name), app, weak=False
    )
    rng = Random(3)
    with app.app_context():
        event.listen(
            db.engine, "before_cursor_execute", lambda *args, **kw: statements.append(args[2])
        )
        total = db.session.scalar(select(func.max(Resident.id)))
        ids = sorted(rng.sample(range(1, total + 1), n))
        residents = db.session.scalars(select(Resident).where(Resident.id.in_(ids))).all()
        phones = phones_of(ids)
        texts = {
            "phone": [for_display(phones[r.id]) for r in residents if r.id in phones],
            "misspelt": [misspelt_name(r.forename, r.surname, rng) for r in residents],
        }
    client, token = _sign_in(app, BENCH_EMAIL)
    search_url = _call(client, token, "07700900998")
    verified_url = _verified_call(app, client, token, residents[0].id)
    waiting = {
        **JSON,
        "If-None-Match": client.get("/calls/waiting-count", headers=JSON).headers["ETag"],
    }

    def request(kind: str, text: str | None):
        if kind == "healthz":
            return client.get("/healthz")
        if kind == "waiting":
            return client.get("/calls/waiting-count", headers=waiting)
        if kind == "workspace":
            return client.get(verified_url)
        if kind == "record":
            return client.get(verified_url + "/record", headers=HTMX)
        return client.post(
            search_url + "/search", data={"q": text, "csrf_token": token}, headers=HTMX
        )

    figures = {}
    for kind in kinds:
        queries = texts.get(kind, [None] * n)
        for text in queries[:10]:  # caches warm, as on a running server
            request(kind, text)
        statements.clear()
        drawn.clear()
        walls, cpus = [], []
        for text in queries:
            wall, cpu = time.perf_counter(), time.process_time()
            response = request(kind, text)
            response.get_data()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            assert response.status_code == ANSWERS.get(kind, 200), (kind, response.status_code)
        sql = len(statements) / len(queries)
        templates = len(drawn) / len(queries)
        profiler = cProfile.Profile()
        profiler.enable()
        for text in queries[:50]:
            request(kind, text).get_data()
        profiler.disable()
        if dump := os.environ.get("PROFILE_DUMP"):
            Path(dump).mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(Path(dump) / f"{kind}.pstats")
        q = statistics.quantiles(walls, n=100, method="inclusive")
        figures[kind] = {
            "sql": round(sql, 1),
            "templates": round(templates, 1),
            "python_calls": round(pstats.Stats(profiler).total_calls / len(queries[:50])),
            "cpu_ms": round(statistics.mean(cpus) * 1000, 2),
            "p50_ms": round(q[49] * 1000, 2),
            "p95_ms": round(q[94] * 1000, 2),
        }
    floor = figures.get("healthz")
    heading = ("SQL", "drawn", "calls", "CPU ms", "p50 ms", "p95 ms")
    print(f"{'kind':<11}" + "".join(f"{h:>8}" for h in heading) + f"{'CPU ÷ floor':>13}")
    for kind, f in figures.items():
        ratio = f"{f['cpu_ms'] / floor['cpu_ms']:.1f}" if floor else "-"
        print(
            f"{kind:<11}{f['sql']:>8}{f['templates']:>8}{f['python_calls']:>8}{f['cpu_ms']:>8}"
            f"{f['p50_ms']:>8}{f['p95_ms']:>8}{ratio:>13}"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
