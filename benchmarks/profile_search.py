"""Where a search's time goes: SQL statements, wall and CPU time per kind of search, and a
profile of each kind.

Runs `app.services.search.find_residents` (what the search route calls, audit event and
commit included) in process against a database `python -m benchmarks.search` has already
seeded: BENCH_DATABASE_URL, else instance/bench.sqlite. Nothing is seeded or emptied.
PROFILE_REQUESTS searches of each kind (default 200); with pyinstrument installed
(`make setup` installs it with the load group) each kind's profile is written to
instance/profile_search_<kind>.txt (a second pass: the figures are from the first).

    BENCH_DATABASE_URL=postgresql+psycopg://... python -m benchmarks.profile_search
"""

import os
import statistics
import time
from pathlib import Path
from random import Random

from sqlalchemy import event, func, select

from app import create_app
from app.extensions import db
from app.models import Resident
from app.phone_numbers import for_display
from app.references import format_reference
from app.services.search import find_residents
from benchmarks.search import _config, misspelt_name, phones_of
from config import INSTANCE_DIR


def _queries(n: int) -> dict[str, list[str]]:
    rng = Random(5)
    total = db.session.scalar(select(func.max(Resident.id)))
    ids = sorted(rng.sample(range(1, total + 1), n))
    residents = db.session.scalars(select(Resident).where(Resident.id.in_(ids))).all()
    phones = phones_of(ids)
    misspelt = [misspelt_name(r.forename, r.surname, rng) for r in residents]
    return {
        "phone": [for_display(phones[r.id]) for r in residents if r.id in phones],
        "reference": [format_reference(r.reference).lower() for r in residents],
        "postcode": [r.postcode.replace(" ", "").lower() for r in residents],
        "name_exact": [f"{r.forename} {r.surname}" for r in residents],
        "name_misspelt": misspelt,
        "nothing_found": [f"Qxzv{chr(97 + i % 26)} Wqxj{chr(97 + i // 26 % 26)}" for i in range(n)],
    }


def main() -> None:
    n = int(os.environ.get("PROFILE_REQUESTS", 200))
    app = create_app(_config())
    statements = []
    with app.app_context():
        event.listen(
            db.engine, "before_cursor_execute", lambda *args, **kwargs: statements.append(1)
        )
        queries = _queries(n)
        try:
            from pyinstrument import Profiler
        except ImportError:
            Profiler = None
        print(f"{db.engine.dialect.name}: {n} searches of each kind, in process")
        print(f"{'kind':<15}{'SQL/search':>11}{'p50 ms':>9}{'p95 ms':>9}{'CPU ms':>9}")
        for kind, texts in queries.items():
            find_residents(texts[0], staff_id=None)  # caches warm, as on a running server
            walls, cpus = [], []
            before = len(statements)
            for text in texts:
                wall, cpu = time.perf_counter(), time.process_time()
                find_residents(text, staff_id=None)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            count = len(statements) - before
            if Profiler:
                profiler = Profiler(interval=0.0005)
                with profiler:
                    for text in texts:
                        find_residents(text, staff_id=None)
                out = Path(INSTANCE_DIR / f"profile_search_{kind}.txt")
                out.write_text(profiler.output_text(unicode=True, show_all=False))
            q = statistics.quantiles(walls, n=100, method="inclusive")
            print(
                f"{kind:<15}{count / len(texts):>11.1f}"
                f"{q[49] * 1000:>9.2f}{q[94] * 1000:>9.2f}"
                f"{statistics.mean(cpus) * 1000:>9.2f}"
            )


if __name__ == "__main__":
    main()
