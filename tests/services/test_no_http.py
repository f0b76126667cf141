"""Services know nothing of HTTP: they take who acts and what they ask as arguments and answer
with domain errors (app/refusals.py). Only the blueprints know the request, `g`, the
signed-in user, `abort()` and templates. A service may read the app's settings
(`current_app.config`) and nothing else of Flask."""

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "app" / "services"
ALLOWED = {"flask": {"current_app"}}
WEB_ONLY = {"flask", "flask_login", "flask_wtf", "werkzeug"}


def _web_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            package = node.module.split(".")[0]
            if package in WEB_ONLY:
                allowed = ALLOWED.get(node.module, set())
                found += [
                    f"{node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name not in allowed
                ]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[0] in WEB_ONLY]
    return found


@pytest.mark.parametrize(
    "path",
    sorted(SERVICES.glob("*.py")),
    ids=lambda path: path.stem,
)
def test_a_service_imports_nothing_of_the_web_but_the_apps_settings(path):
    assert _web_imports(path) == []
