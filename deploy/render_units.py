"""Write deploy/systemd/ from the Procfile: one unit per process type, each running the
Procfile's command from the installed virtualenv (`python -m deploy.render_units`;
`make units`). tests/platform/test_deploy_files.py checks the committed units match.

- `caller-verification-web@PORT.service`: one gunicorn per instance, on that port
  (`systemctl enable --now caller-verification-web@8000`);
- `caller-verification-worker@N.service`: outbox workers, as many as wanted;
- `caller-verification-scheduler.service`: the periodic jobs (one per host is plenty; each
  job runs once per period whichever host takes it).

Every unit reads the settings from /etc/caller-verification/env and runs as the
`caller-verification` user from /opt/caller-verification/venv.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "deploy" / "systemd"
PREFIX = "caller-verification"
VENV = "/opt/caller-verification/venv"

WHAT = {
    "web": (
        "web@",
        "The web app (gunicorn) on port %i",
        # Each gunicorn worker's figures, summed on /metrics (app/observability.py).
        "Environment=PORT=%i\nRuntimeDirectory=caller-verification-web-%i\n"
        "Environment=PROMETHEUS_MULTIPROC_DIR=/run/caller-verification-web-%i\n",
    ),
    "worker": ("worker@", "Outbox worker %i: texts to residents and portal codes", ""),
    "scheduler": ("scheduler", "The periodic jobs, each once per period", ""),
}

TEMPLATE = """\
# Written by deploy/render_units.py from the Procfile: edit those, then `make units`.
[Unit]
Description=Caller verification: {description}
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User={prefix}
Group={prefix}
WorkingDirectory=/var/lib/{prefix}
EnvironmentFile=/etc/{prefix}/env
{environment}Environment=PATH={venv}/bin:/usr/bin:/bin
ExecStart={venv}/bin/{command}
KillSignal=SIGTERM
TimeoutStopSec=60
Restart=always
RestartSec=2
NoNewPrivileges=true
PrivateTmp=true
ProtectSystem=full
ProtectHome=true

[Install]
WantedBy=multi-user.target
"""


def procfile() -> dict[str, str]:
    """The Procfile's process types and their commands."""
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            processes[name.strip()] = command.strip()
    return processes


def units() -> dict[str, str]:
    """Each unit file's name and text."""
    rendered = {}
    for name, command in procfile().items():
        unit, description, environment = WHAT[name]
        rendered[f"{PREFIX}-{unit}.service"] = TEMPLATE.format(
            description=description, prefix=PREFIX, environment=environment, venv=VENV,
            command=command,
        )  # fmt: skip
    return rendered


def main() -> None:
    UNITS.mkdir(parents=True, exist_ok=True)
    for name, text in units().items():
        (UNITS / name).write_text(text)
        print(f"wrote deploy/systemd/{name}")


if __name__ == "__main__":
    main()
