"""What the `flask ...` commands share."""

import click


def setting_option(name: str, kind: click.ParamType, text: str):
    """An option that overrides a setting for one run: left out, the command reads the
    setting itself, so `text` (the help) should name it."""
    return click.option(name, type=kind, default=None, help=text)
