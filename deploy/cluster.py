"""`make cluster`: the app as on several machines, on this one. Two web hosts (gunicorn, each on
its own port) behind HAProxy, two outbox workers, one scheduler, PostgreSQL and a Redis of
its own, each process started from the Procfile's commands by honcho.

Settings: CLUSTER_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/cluster,
created if missing, migrated, and given the demo data when empty) and CLUSTER_PORT (default
8080: HAProxy; the web hosts on the two ports after it, Redis on the third). Secrets are made
once and kept in instance/cluster/ (readable by its owner only), so a restart keeps sessions
and the audit chain's key. `benchmarks/chaos.py` starts the same processes itself, to kill
some of them.
"""

import json
import os
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import INSTANCE_DIR, database_url
from deploy.render_units import procfile

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/cluster"
WEB_HOSTS = 2
WORKERS = 2


def create_database(url: str) -> None:
    target = make_url(url)
    if target.get_backend_name() != "postgresql":
        raise SystemExit(f"{target.database}: the database must be PostgreSQL, as in production")
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    engine.dispose()


def kept_secrets(directory: Path) -> dict[str, str]:
    path = directory / "secrets.json"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        made = {
            "SECRET_KEY": secrets.token_urlsafe(48),
            "AUDIT_CHAIN_KEY": secrets.token_urlsafe(48),
        }
        path.write_text(json.dumps(made))
        path.chmod(0o600)
    return json.loads(path.read_text())


class Layout:
    """Where each process of one cluster listens, and the settings they share."""

    def __init__(self, directory: Path, url: str, port: int, workers: int = WORKERS,
                 schedulers: int = 1) -> None:  # fmt: skip
        self.directory = directory
        self.url = url
        self.port = port
        self.web_ports = [port + 1 + n for n in range(WEB_HOSTS)]
        self.redis_port = port + 1 + WEB_HOSTS
        self.workers = workers
        self.schedulers = schedulers

    @property
    def address(self) -> str:
        return f"http://localhost:{self.port}"

    def environment(self) -> dict[str, str]:
        return {
            **kept_secrets(self.directory),
            "APP_ENV": "production",
            "DATABASE_URL": self.url,
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{self.redis_port}/0",
            "AUDIT_HEAD_FILE": str(self.directory / "audit-head.log"),
            # Twilio could not reach this machine: webhooks are refused, texts go to the log.
            "PUBLIC_BASE_URL": "https://calls.cluster.example",
            "TWILIO_OFF": "1",
            "PROXY_COUNT": "1",
            "WEB_CONCURRENCY": os.environ.get("CLUSTER_WEB_CONCURRENCY", "2"),
            "OUTBOX_POLL_SECONDS": "1",
            "FLASK_APP": "app:create_app()",
            "PYTHONUNBUFFERED": "1",
        }

    def haproxy_config(self) -> Path:
        servers = "\n".join(
            f"    server web{n + 1} 127.0.0.1:{port} check" for n, port in enumerate(self.web_ports)
        )
        template = (ROOT / "deploy" / "haproxy.cfg.in").read_text()
        config = template.replace("@BIND@", f"127.0.0.1:{self.port}").replace("@SERVERS@", servers)
        path = self.directory / "haproxy.cfg"
        path.write_text(config)
        return path

    def processes(self) -> dict[str, str]:
        """Each process's name and command line: the Procfile's, with a port for each web
        host; Redis and HAProxy beside them."""
        declared = procfile()
        venv_bin = Path(sys.executable).parent
        found = {
            "redis": f"redis-server --port {self.redis_port} --bind 127.0.0.1 --save '' "
            "--appendonly no",
        }
        for n, port in enumerate(self.web_ports):
            metrics = self.directory / f"metrics-web{n + 1}"
            metrics.mkdir(parents=True, exist_ok=True)  # before gunicorn imports the app
            found[f"web{n + 1}"] = (
                f"env PORT={port} PROMETHEUS_MULTIPROC_DIR={metrics} {venv_bin}/{declared['web']}"
            )
        for n in range(self.workers):
            found[f"worker{n + 1}"] = f"{venv_bin}/{declared['worker']}"
        for n in range(self.schedulers):
            found[f"scheduler{n + 1}"] = f"{venv_bin}/{declared['scheduler']}"
        found["haproxy"] = f"haproxy -db -f {self.haproxy_config()}"
        return found


def prepare(layout: Layout, demo: bool = True) -> None:
    """The database created and migrated (with the demo data when empty)."""
    create_database(layout.url)
    env = {**os.environ, **layout.environment()}
    flask = [sys.executable, "-m", "flask"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True)  # noqa: S603
    if demo:
        development = {**env, "APP_ENV": "development"}
        subprocess.run(  # noqa: S603
            [*flask, "demo-data", "--if-empty"], env=development, cwd=ROOT, check=True
        )


def main() -> None:
    url = database_url(os.environ.get("CLUSTER_DATABASE_URL")) or DEFAULT_DATABASE
    layout = Layout(INSTANCE_DIR / "cluster", url, int(os.environ.get("CLUSTER_PORT", 8080)))
    prepare(layout)
    procfile_path = layout.directory / "Procfile"
    procfile_path.write_text(
        "".join(f"{name}: {line}\n" for name, line in layout.processes().items())
    )
    env_path = layout.directory / ".env"
    env_path.write_text("".join(f"{k}={shlex.quote(v)}\n" for k, v in layout.environment().items()))
    env_path.chmod(0o600)
    shown = make_url(url).render_as_string(hide_password=True)
    print(
        f"\nThe cluster: HAProxy on {layout.address}, web hosts on ports "
        f"{', '.join(map(str, layout.web_ports))}, {layout.workers} outbox workers, one "
        f"scheduler, Redis on {layout.redis_port}, PostgreSQL at {shown}."
        f"\nOpen {layout.address} and sign in as handler@example.org / handler-demo-password. "
        "Ctrl-C stops it all.\n",
        flush=True,
    )
    os.execv(  # noqa: S606
        sys.executable,
        [sys.executable, "-m", "honcho", "start", "-f", str(procfile_path), "-e", str(env_path),
         "-d", str(ROOT)],
    )  # fmt: skip


if __name__ == "__main__":
    main()
