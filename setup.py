"""The wheel carries what the app reads besides its code: the templates, the static files
(with the built GOV.UK Frontend and htmx, so a server needs no Node) and the migrations,
under app/bundle/; and config.py. A checkout reads them where they are (config.RESOURCE_DIR).

Everything else about the package is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("templates", "static", "migrations")


class BuildWithBundle(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout itself
        if not (ROOT / "static" / "vendor" / ".built").exists():
            raise SystemExit("static/vendor is not built: run `make assets` before building")
        bundle = Path(self.build_lib) / "app" / "bundle"
        shutil.rmtree(bundle, ignore_errors=True)
        for name in BUNDLED:
            shutil.copytree(
                ROOT / name, bundle / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".built"),
            )  # fmt: skip


setup(cmdclass={"build_py": BuildWithBundle})
