"""`flask staff ...`: staff accounts from the command line, for the first administrator on a
new deployment and for when nobody can sign in to do it on the pages.

Each command does what the Staff pages do, under the same rules, and is audited the same
way (with no member of staff, and the purpose "command line").
"""

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app, url_for
from flask.cli import AppGroup

from app import clock
from app.refusals import Refused
from app.rules import two_factor as two_factor_rules
from app.rules.staff_accounts import StaffDetails
from app.rules.vocabulary import Role, ServiceArea
from app.services import staff as staff_service

staff_cli = AppGroup("staff", help="Manage staff accounts.")

_ROLES = click.Choice([role.value for role in Role])
_AREAS = click.Choice([area.value for area in ServiceArea])


@contextmanager
def _refusals_shown() -> Iterator[None]:
    """A refusal from the service ends the command with its message, as the pages show it."""
    try:
        yield
    except Refused as refused:
        raise click.ClickException(refused.message) from None


def _account(email: str):
    with _refusals_shown():
        return staff_service.fetch_staff_for_command(email)


def _link(token: str) -> str:
    """The link's full address, on the site's public address (PUBLIC_BASE_URL)."""
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        return url_for("auth.set_password", token=token, _external=True)


def _issue_link(user) -> None:
    with _refusals_shown():
        token = staff_service.issue_password_link(user, None, clock.now())
    hours = int(staff_service.password_link_lifetime().total_seconds() // 3600)
    click.echo(
        f"Send this link to {user.email} and to nobody else. It works once, for {hours} hours:"
    )
    click.echo(f"  {_link(token)}")


@staff_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Their full name.")
@click.option("--role", type=_ROLES, required=True)
@click.option("--area", "areas", type=_AREAS, multiple=True, help="A service area (repeat).")
@click.option("--all-areas", is_flag=True, help="Every service area.")
@click.option("--sensitive", is_flag=True, help="May see entries marked sensitive.")
@click.option("--no-link", is_flag=True, help="Do not issue a set-password link now.")
def create_command(email, name, role, areas, all_areas, sensitive, no_link) -> None:
    """Create an account, and print a link for its holder to set a password."""
    codes = frozenset(area.value for area in ServiceArea) if all_areas else frozenset(areas)
    details = StaffDetails(
        name=name, email=email, role=Role(role), area_codes=codes, may_see_sensitive=sensitive
    )
    with _refusals_shown():
        user = staff_service.create_staff(details, None)
    click.echo(f"Created {user.role.label.lower()} account for {user.email}.")
    if not no_link:
        _issue_link(user)


@staff_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=_ROLES)
def set_role_command(email, role) -> None:
    """Change an account's role (its sessions end)."""
    user = _account(email)
    with _refusals_shown():
        staff_service.set_role(user, Role(role), None)
    click.echo(f"{user.email} is now: {user.role.label}.")


@staff_cli.command("deactivate")
@click.argument("email")
def deactivate_command(email) -> None:
    """Deactivate an account and end its sessions at once."""
    user = _account(email)
    with _refusals_shown():
        staff_service.deactivate_staff(user, None)
    click.echo(f"{user.email} is deactivated and signed out.")


@staff_cli.command("reset-two-factor")
@click.argument("email")
def reset_two_factor_command(email) -> None:
    """Forget an account's second factor: it sets it up again at its next sign-in."""
    user = _account(email)
    staff_service.reset_two_factor(user, None)
    click.echo(f"Two-factor sign-in reset for {user.email}; they are signed out.")


@staff_cli.command("issue-password-link")
@click.argument("email")
def issue_password_link_command(email) -> None:
    """Print a one-use link for the account's holder to set a password."""
    _issue_link(_account(email))


@staff_cli.command("demo-code")
@click.argument("email")
def demo_code_command(email) -> None:
    """Print the code a demo account's authenticator app would show now (demo data only)."""
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException("Demo codes are for development only.")
    user = _account(email)
    if not user.two_factor_enrolled:
        raise click.ClickException(f"{user.email} has not set up two-factor sign-in.")
    step = two_factor_rules.time_step(clock.now())
    click.echo(two_factor_rules.code_at_step(user.two_factor_secret, step))
