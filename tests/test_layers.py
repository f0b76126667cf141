"""The layers point one way (docs/architecture.md): web and commands → services →
providers and models → rules. Read from the source, every import of every module under
`app/`; and every module imports cleanly first, in any order, in a fresh interpreter."""

import ast
import random
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"

# Plain helpers any layer above the rules may use: no request, no view.
HELPERS = {
    "clock", "refusals", "references", "phone_numbers", "charts", "passwords", "extensions",
    "paging",
}  # fmt: skip
# What each layer may import from the app, besides its own modules.
MAY_IMPORT = {
    "rules": set(),
    "helpers": {"rules"},
    "providers": {"rules", "helpers"},
    "models": {"rules", "helpers"},
    "services": {"rules", "helpers", "providers", "models"},
    "web": {"rules", "helpers", "providers", "models", "services"},
}


def layer_of(module: str) -> str:
    """The layer a module of the app belongs to. Everything not named below is the web's:
    the factory, the blueprints, the webhooks (app.telephony), the commands and the helpers
    that know the request (forms, pages, errors, security, navigation...)."""
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else ""
    if top in {"rules", "search"}:
        return "rules"
    if top in {"providers", "models", "services"}:
        return top
    if top in HELPERS:
        return "helpers"
    return "web"


def _modules() -> dict[str, Path]:
    modules = {}
    for path in APP.rglob("*.py"):
        parts = ["app", *path.relative_to(APP).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _imported(node: ast.AST) -> list[str]:
    """The app's modules an import statement names (`from app.services import audit` names
    app.services.audit; `from app.services.audit import record` names app.services.audit)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] == "app"]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        if node.module.split(".")[0] != "app":
            return []
        named = [f"{node.module}.{alias.name}" for alias in node.names]
        submodules = [name for name in named if name in MODULES]
        return submodules if len(submodules) == len(named) else [node.module, *submodules]
    return []


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"


def _imports(path: Path, *, at_import_time: bool) -> set[str]:
    """Every app module `path` imports; with `at_import_time`, only those imported while the
    module itself is imported (not inside a function, nor for type checkers only)."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if _is_type_checking(node):
            return
        found.update(_imported(node))
        for child in ast.iter_child_nodes(node):
            if at_import_time and isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
            ):
                continue
            visit(child)

    visit(tree)
    return found


def _arrows_up() -> list[tuple[str, str]]:
    wrong = []
    for module, path in MODULES.items():
        layer = layer_of(module)
        for imported in _imports(path, at_import_time=False):
            other = layer_of(imported)
            if other != layer and other not in MAY_IMPORT[layer]:
                wrong.append((module, imported))
    return sorted(wrong)


def test_no_layer_imports_one_above_it():
    assert list(_arrows_up()) == []


def test_no_service_asks_the_webhooks_or_a_blueprint_for_anything():
    services = {m: p for m, p in MODULES.items() if layer_of(m) == "services"}

    reached = {
        (module, imported)
        for module, path in services.items()
        for imported in _imports(path, at_import_time=False)
        if imported == "app.telephony" or imported.startswith("app.telephony.")
    }

    assert services and reached == set()


def test_providers_know_nothing_of_the_database_the_services_or_the_web():
    providers = {m: p for m, p in MODULES.items() if layer_of(m) == "providers"}

    reached = {
        imported
        for path in providers.values()
        for imported in _imports(path, at_import_time=False)
        if layer_of(imported) not in {"providers", "rules"}
    }

    assert set(providers) >= {"app.providers", "app.providers.registry"}
    assert reached == set()


def _with_packages(imported: str) -> set[str]:
    """A module and the packages Python initialises before it (`app.telephony` before
    `app.telephony.sms`), all but the app's own package, which is always first."""
    parts = imported.split(".")
    return {".".join(parts[:n]) for n in range(2, len(parts) + 1)}


def _cycles() -> list[list[str]]:
    """Import cycles among the app's modules at import time (Tarjan's strongly connected
    components). A module importing its own package (`from app.calls import bp`, a
    blueprint's views) is left out: Python initialises a package before its modules, and a
    blueprint's package makes `bp` before it imports its views."""
    graph = {
        module: {
            reached
            for imported in _imports(path, at_import_time=True)
            for reached in _with_packages(imported)
            if reached in MODULES and reached != module and not module.startswith(reached + ".")
        }
        for module, path in MODULES.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph[module]:
            if imported not in index:
                connect(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1 or module in graph[module]:
                cycles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph)))
    for module in sorted(graph):
        if module not in index:
            connect(module)
    return cycles


def test_no_module_imports_itself_round_a_cycle():
    assert _cycles() == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_module_imports_first_in_any_order_in_a_fresh_interpreter(seed):
    order = sorted(MODULES)
    random.Random(seed).shuffle(order)
    program = "import importlib, sys\nfor name in sys.argv[1:]:\n importlib.import_module(name)\n"

    ran = subprocess.run(
        [sys.executable, "-c", program, *order],
        cwd=APP.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert ran.returncode == 0, ran.stderr[-3000:]
