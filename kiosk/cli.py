"""Commands: flask --app wsgi <command>."""

import click

from kiosk.db import database


def register(app):
    @app.cli.command("migrate")
    def migrate_command():
        """Apply database migrations not yet applied."""
        from kiosk.schema import migrate

        applied = migrate(database.obj)
        click.echo(f"Applied: {', '.join(applied)}" if applied else "Database is up to date.")

    @app.cli.command("demo")
    @click.option("--force", is_flag=True, help="Load even though the database already holds practices.")
    def demo_command(force):
        """Load the fictional demo practice (prints the demo passwords)."""
        from kiosk.services import DomainError
        from kiosk.services.demo import load_demo

        try:
            summary = load_demo(force=force)
        except DomainError as e:
            raise click.ClickException(e.message) from None
        click.echo(summary)

    @app.cli.command("create-manager")
    @click.option("--ods", required=True, help="The practice's ODS code; the practice is created if new.")
    @click.option("--practice-name", default="", help="Name for a new practice.")
    @click.option("--name", required=True)
    @click.option("--email", required=True)
    @click.password_option()
    def create_manager_command(ods, practice_name, name, email, password):
        """Create a practice's first manager account."""
        from kiosk.services import DomainError
        from kiosk.services.staff_accounts import create_first_manager

        try:
            staff = create_first_manager(
                ods_code=ods, practice_name=practice_name or ods, name=name, email=email, password=password
            )
        except DomainError as e:
            raise click.ClickException(e.message) from None
        click.echo(f"Manager {staff.email} created for {ods.upper()}.")
