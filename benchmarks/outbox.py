"""Benchmark: outbox throughput to the fake provider, in messages per second.

Queues BENCH_OUTBOX_MESSAGES texts (default 2,000), then times `flask outbox work` workers
(separate processes, as in production, each with the in-process fake Twilio from
tests/telephony/fake_twilio.py) until every message is sent: one worker, then four. Four
workers need PostgreSQL (`FOR UPDATE SKIP LOCKED`); on SQLite only one is timed.

The fake answers at once, so the figure is the outbox's own cost: claiming, committing and
recording each message. BENCH_OUTBOX_LATENCY_MS (default 50) adds a second run in which the
fake takes that long to answer, as a real provider does, which is where more workers help.

The database is BENCH_OUTBOX_DATABASE_URL, else BENCH_DATABASE_URL, else the SQLite file the
search benchmark uses; only its outbox_messages table is emptied. Figures are merged into
BENCH_OUT (default instance/bench.json) under "outbox" and printed.
"""

import json
import multiprocessing
import os
import secrets
import time
from itertools import count
from pathlib import Path

from sqlalchemy import delete, func, insert, select

from app import clock
from app.extensions import db
from app.models import OutboxMessage
from app.rules.vocabulary import MessageKind, MessageStatus
from benchmarks.search import bench_url
from config import INSTANCE_DIR, Config

BODY = "Someone reported something on your council record. (benchmark)"
SIDS_PER_WORKER = 100_000_000  # each worker's fake numbers its message ids from its own range


def _app(url: str):
    from app import create_app

    class BenchConfig(Config):
        SECRET_KEY = secrets.token_urlsafe(48)
        SQLALCHEMY_DATABASE_URI = url
        TWILIO_MESSAGING_FROM = "MG" + "0" * 32

    return create_app(BenchConfig)


def _worker(url: str, index: int, latency_s: float, ready, start, results) -> None:
    """One worker process: the outbox's own loop against a fake provider, until none is due."""
    from app.services import outbox
    from tests.telephony.fake_twilio import install_fake_twilio

    app = _app(url)
    fake = install_fake_twilio(app)
    fake._sids = count(index * SIDS_PER_WORKER + 1)
    if latency_s:
        answer = fake.request

        def slow(*args, **kwargs):
            time.sleep(latency_s)
            return answer(*args, **kwargs)

        fake.request = slow
    with app.app_context():
        db.session.execute(select(1))  # connected before the clock starts
        db.session.commit()
        ready.release()
        start.wait()
        sent = 0
        while True:
            done = outbox.send_due()
            if not done.claimed:
                break
            sent += done.sent
    results.put((index, sent, len(fake.sent("/Messages.json"))))


def _queue(n: int) -> None:
    db.session.execute(delete(OutboxMessage))
    now = clock.now()
    db.session.execute(
        insert(OutboxMessage),
        [
            {
                "kind": MessageKind.REPORT_MADE,
                "resident_id": None,
                "to_number": f"+4477009{i % 100000:05d}",
                "body": BODY,
                "status": MessageStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for i in range(n)
        ],
    )
    db.session.commit()


def _run(app, url: str, workers: int, n: int, latency_ms: int) -> dict:
    with app.app_context():
        _queue(n)
        db.session.remove()
        db.engine.dispose()
    spawn = multiprocessing.get_context("spawn")
    ready, start, results = spawn.Semaphore(0), spawn.Event(), spawn.Queue()
    processes = [
        spawn.Process(target=_worker, args=(url, i + 1, latency_ms / 1000, ready, start, results))
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.acquire()
    started = time.perf_counter()
    start.set()
    outcomes = [results.get() for _ in processes]
    seconds = time.perf_counter() - started
    for process in processes:
        process.join()
    with app.app_context():
        sent = db.session.scalar(
            select(func.count()).where(OutboxMessage.status == MessageStatus.SENT)
        )
        distinct = db.session.scalar(select(func.count(func.distinct(OutboxMessage.provider_sid))))
        db.session.execute(delete(OutboxMessage))
        db.session.commit()
    requests = sum(made for _, _, made in outcomes)
    # Every message sent, and each exactly once: as many provider requests as messages.
    assert sent == distinct == requests == n, (sent, distinct, requests, n)
    return {
        "workers": workers,
        "provider_latency_ms": latency_ms,
        "messages": n,
        "seconds": round(seconds, 3),
        "messages_per_s": round(n / seconds, 1),
        "sent_by_worker": sorted(made for _, _, made in outcomes),
    }


def main() -> None:
    from flask_migrate import upgrade

    n = int(os.environ.get("BENCH_OUTBOX_MESSAGES", 2000))
    latency_ms = int(os.environ.get("BENCH_OUTBOX_LATENCY_MS", 50))
    out = Path(os.environ.get("BENCH_OUT", INSTANCE_DIR / "bench.json"))
    url = bench_url("BENCH_OUTBOX_DATABASE_URL", "bench.sqlite")
    app = _app(url)
    with app.app_context():
        upgrade()
        dialect = db.engine.dialect.name
    worker_counts = (1, 4) if dialect == "postgresql" else (1,)
    runs = [_run(app, url, workers, n, 0) for workers in worker_counts]
    if latency_ms:
        # Fewer messages: each takes the latency, and one worker sends them one at a time.
        slow_n = max(100, min(n, int(20_000 / latency_ms)))
        runs += [_run(app, url, workers, slow_n, latency_ms) for workers in worker_counts]

    def rate(workers: int, latency: int) -> float | None:
        for run in runs:
            if (run["workers"], run["provider_latency_ms"]) == (workers, latency):
                return run["messages_per_s"]
        return None

    figures = {
        "database": dialect,
        "runs": runs,
        "messages_per_s_1_worker": rate(1, 0),
        "messages_per_s_4_workers": rate(4, 0),
    }
    if dialect != "postgresql":
        figures["note"] = "four workers need PostgreSQL (SKIP LOCKED); set BENCH_DATABASE_URL"
    report = json.loads(out.read_text()) if out.exists() else {}
    report["outbox"] = figures
    report["outbox_messages_per_s_1_worker"] = figures["messages_per_s_1_worker"]
    report["outbox_messages_per_s_4_workers"] = figures["messages_per_s_4_workers"]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")

    print(f"\noutbox throughput to the fake provider on {dialect}")
    print(f"{'workers':>8}{'latency ms':>12}{'messages':>10}{'seconds':>10}{'msg/s':>10}")
    for run in runs:
        print(
            f"{run['workers']:>8}{run['provider_latency_ms']:>12}{run['messages']:>10}"
            f"{run['seconds']:>10.2f}{run['messages_per_s']:>10.1f}"
        )
    if dialect != "postgresql":
        print(figures["note"])
    print(f"written to {out}")


if __name__ == "__main__":
    main()
