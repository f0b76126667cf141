"""Benchmark: request p95 with four gunicorn workers while the audit log is sealed the old
way and the new way (`python -m benchmarks.sealer`).

- before: as when every outbox worker sealed each round: SEALER_OLD_WORKERS processes
  (default 2) each take `LOCK TABLE audit_events IN SHARE MODE` (with the old 1 s lock
  timeout) every OUTBOX_POLL_SECONDS (1 s here, a busy worker's pace), then seal. Writers
  that come while the lock waits for a long writer queue behind it.
- after: one `flask scheduler run`, sealing every minute without a lock; here, to be harsh,
  a loop sealing every second, as the old workers did.

Each runs `make load` (benchmarks/load.py) with the same seed, LOAD_USERS handlers (default
50) over LOAD_RESIDENTS residents (default 20,000) for LOAD_SECONDS (default 60), and the
figures go to instance/sealer.json (and each run's own to instance/sealer-before.json and
instance/sealer-after.json).
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from config import BASE_DIR, INSTANCE_DIR

LOOP_SECONDS = 1.0


def _old_round(engine) -> None:
    """What each outbox worker's round did before: wait for every writer under a SHARE lock
    (queueing the writers behind it), then seal."""
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL lock_timeout = '1s'"))
        try:
            connection.execute(text("LOCK TABLE audit_events IN SHARE MODE"))
        except Exception:  # the old code gave up for the round, as here
            return
        connection.execute(text("SELECT max(id) FROM audit_events"))


def seal_loop(mode: str) -> None:
    """Run in a process of its own beside the load (benchmarks/load.py starts it)."""
    from app import create_app
    from app.services import audit

    app = create_app()
    with app.app_context():
        from app.extensions import db

        while True:
            if mode == "table-lock":
                _old_round(db.engine)
            try:
                audit.seal_pending()
            except Exception:
                db.session.rollback()
            time.sleep(LOOP_SECONDS)


def main() -> None:
    results = {}
    for label, sealers in (
        ("before", f"table-lock:{os.environ.get('SEALER_OLD_WORKERS', '2')}"),
        ("after", "snapshot:1"),
    ):
        out = INSTANCE_DIR / f"sealer-{label}.json"
        env = {
            **os.environ,
            "LOAD_SEALERS": sealers,
            "LOAD_OUT": str(out),
            "LOAD_USERS": os.environ.get("LOAD_USERS", "50"),
            "LOAD_RESIDENTS": os.environ.get("LOAD_RESIDENTS", "20000"),
            "LOAD_WORKERS": "4",
        }
        subprocess.run([sys.executable, "-m", "benchmarks.load"], env=env, cwd=BASE_DIR, check=True)
        figures = json.loads(out.read_text())
        step = figures["steps"][-1]
        results[label] = {
            "sealers": sealers,
            "p95_ms": step["p95_ms"],
            "p99_ms": step["endpoints"]["all"]["p99_ms"],
            "p50_ms": step["endpoints"]["all"]["p50_ms"],
            "errors": step["errors"],
            "floor_p95_ms": figures["floor"]["p95_ms"],
            "p95_to_floor_p95": step["p95_to_floor_p95"],
        }
    report = {"gunicorn_workers": 4, "handlers": int(os.environ.get("LOAD_USERS", "50")), **results}
    path = Path(os.environ.get("SEALER_OUT", INSTANCE_DIR / "sealer.json"))
    path.write_text(json.dumps(report, indent=2) + "\n")
    for label in ("before", "after"):
        r = results[label]
        print(f"{label:<7} ({r['sealers']}): p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
              f"p99 {r['p99_ms']} ms, {r['errors']} errors")  # fmt: skip
    print(f"written to {path}")


def writers(seconds: float = 20, threads: int = 8) -> dict:
    """Writers alone, as requests write audit events: `threads` quick writers commit one
    event each, back to back, while a slow writer keeps an event uncommitted for 300 ms of
    every second (a slow request), and the sealers run the old way, then the new way. The
    quick writers' commit times show whether anyone waits for the sealer."""
    import statistics
    import threading

    from app import create_app
    from app.extensions import db
    from app.services import audit
    from config import Config

    url = os.environ.get("LOAD_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/load")

    class WritersConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = "writers-benchmark-secret-not-for-use"  # noqa: S105
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": threads + 6}

    app = create_app(WritersConfig)
    figures = {}
    for mode in ("table-lock", "snapshot"):
        stop = threading.Event()
        times: list[float] = []

        def quick(stop: threading.Event, times: list[float]) -> None:
            with app.app_context():
                while not stop.is_set():
                    started = time.perf_counter()
                    audit.record("bench.write")
                    db.session.commit()
                    times.append((time.perf_counter() - started) * 1000)

        def slow(stop: threading.Event) -> None:
            with app.app_context():
                while not stop.is_set():
                    audit.record("bench.slow")
                    db.session.flush()
                    time.sleep(0.3)
                    db.session.commit()
                    stop.wait(0.7)

        def sealer(stop: threading.Event, mode: str) -> None:
            with app.app_context():
                while not stop.is_set():
                    if mode == "table-lock":
                        _old_round(db.engine)
                    audit.seal_pending()
                    stop.wait(LOOP_SECONDS)

        sealers = 2 if mode == "table-lock" else 1
        workers = [threading.Thread(target=quick, args=(stop, times)) for _ in range(threads)]
        workers += [threading.Thread(target=slow, args=(stop,))]
        workers += [threading.Thread(target=sealer, args=(stop, mode)) for _ in range(sealers)]
        for worker in workers:
            worker.start()
        time.sleep(seconds)
        stop.set()
        for worker in workers:
            worker.join()
        q = statistics.quantiles(times, n=1000)
        figures[mode] = {
            "sealers": sealers, "commits": len(times), "p50_ms": round(q[499], 1),
            "p95_ms": round(q[949], 1), "p99_ms": round(q[989], 1), "max_ms": round(max(times), 1),
        }  # fmt: skip
        print(mode, figures[mode], flush=True)
    return figures


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "loop":
        seal_loop(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "writers":
        found = writers()
        path = INSTANCE_DIR / "sealer-writers.json"
        path.write_text(json.dumps(found, indent=2) + "\n")
        print(f"written to {path}")
    else:
        main()
