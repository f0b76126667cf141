"""Each page part has one home (docs/architecture.md, "Page parts, written once"): nothing
reads the htmx header but `is_htmx()`, and views list a page at a time only through
`page_of`."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"


def _modules():
    return {
        str(path.relative_to(APP.parent)): path.read_text() for path in sorted(APP.rglob("*.py"))
    }


def test_only_is_htmx_reads_the_htmx_header():
    readers = [path for path, text in _modules().items() if "HX-Request" in text]

    assert readers == ["app/htmx.py"]


def test_views_take_nothing_from_the_pagination_module_but_page_of():
    taken = {}
    views = {path: text for path, text in _modules().items() if "/services/" not in path}
    for path, text in views.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and node.module == "app.pagination":
                names = {alias.name for alias in node.names} - {"page_of", "requested_page"}
                if names:
                    taken[path] = sorted(names)

    assert taken == {}
