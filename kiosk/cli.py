"""Commands: flask --app wsgi <command>."""

from collections import Counter
from pathlib import Path

import click

from kiosk.db import database


def register(app):
    _database_commands(app)
    _practice_commands(app)
    _gpconnect_commands(app)
    _housekeeping_commands(app)
    _notification_commands(app)


def _database_commands(app):
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


def _practice_commands(app):
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

    @app.cli.command("import-patients")
    @click.option("--ods", required=True, help="The ODS code of the practice whose list this is.")
    @click.option("--dry-run", is_flag=True, help="Show the preview and write nothing.")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    def import_patients_command(ods, dry_run, file):
        """Import a practice list from a CSV FILE: previewed first, then all of it or nothing."""
        import os

        from kiosk.services import DomainError
        from kiosk.services.patient_import import MAX_BYTES, apply, command_actor, decode, preview

        try:
            actor = command_actor(ods)
            with open(file, "rb") as f:
                data = f.read(MAX_BYTES + 1)  # one byte past the limit tells a file is too big without reading it all
            plan = preview(actor.practice_id, decode(data, os.path.getsize(file)))
        except DomainError as e:
            raise click.ClickException(e.message) from None
        click.echo(
            f"{len(plan.new)} new, {len(plan.updates)} would be updated, {plan.unchanged} unchanged, "
            f"{len(plan.rejected)} rejected."
        )
        for rejected in plan.rejected:
            click.echo(f"  line {rejected.line}: {rejected.reason}", err=True)
        if plan.rejected:
            raise click.ClickException("Nothing was imported: correct the rejected rows and run the command again.")
        if dry_run:
            click.echo("Dry run: nothing was written.")
            return
        try:
            with click.progressbar(length=len(plan.rows), label="Importing") as bar:
                result = apply(actor, plan, bar.update)
        except DomainError as e:
            raise click.ClickException(e.message) from None
        click.echo(f"Imported: {result.added} added, {result.updated} updated, {result.unchanged} unchanged.")


def _gpconnect_commands(app):
    @app.cli.command("import-gpconnect")
    @click.option("--ods", required=True, help="The ODS code of the practice whose patients these records are.")
    @click.option("--by", "email", required=True, help="Email of the clinician or manager filing the letters.")
    @click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
    def import_gpconnect_command(ods, email, files):
        """Import GP Connect structured records (FHIR STU3 bundles) from FILES, each for the patient whose NHS
        number it carries. Each file is one transaction; a refused file writes nothing and the others go on."""
        from kiosk.services import DomainError
        from kiosk.services import gpconnect_import as gpconnect

        try:
            practice = gpconnect.find_practice(ods)
            actor = gpconnect.staff_for_command(practice, email)
        except DomainError as e:
            raise click.ClickException(e.message) from None
        done, failed, totals = 0, [], Counter()
        with click.progressbar(files, label="Importing", item_show_func=lambda f: f and Path(f).name) as bar:
            for name in bar:
                try:
                    with open(name, "rb") as f:
                        raw = f.read(gpconnect.MAX_BYTES + 1)
                    _patient, report = gpconnect.import_file(actor, practice, raw)
                except DomainError as e:
                    failed.append((name, e.message))
                    continue
                done += 1
                for (_kind, outcome), n in report.counts.items():
                    totals[outcome] += n
        click.echo(
            f"Imported {done} of {len(files)} files: "
            + (", ".join(f"{o} {n}" for o, n in sorted(totals.items())) or "nothing new")
            + "."
        )
        for name, message in failed:
            click.echo(f"  {name}: {message}", err=True)
        if failed:
            raise click.ClickException(f"{len(failed)} files were not imported.")


def _housekeeping_commands(app):
    @app.cli.command("backup")
    @click.argument("dest", type=click.Path(dir_okay=True, file_okay=True))
    def backup_command(dest):
        """Copy the SQLite database to DEST (a file, or a folder) with a .sha256 beside it."""
        from kiosk.services.backup import BackupError, backup

        try:
            written = backup(dest)
        except BackupError as e:
            raise click.ClickException(str(e)) from None
        click.echo(f"Backed up to {written} (integrity ok; checksum in {written.name}.sha256).")

    @app.cli.command("restore")
    @click.argument("src", type=click.Path(exists=True, dir_okay=False))
    @click.confirmation_option(prompt="Replace the whole database with this backup and sign everyone out?")
    def restore_command(src):
        """Replace the database with a checked backup and end every session."""
        from kiosk.services.backup import BackupError, restore

        try:
            ended = restore(src)
        except BackupError as e:
            raise click.ClickException(str(e)) from None
        click.echo(f"Restored from {src} (checksum and integrity ok). Ended {ended} sessions: everyone signs in again.")

    @app.cli.command("audit-verify")
    def audit_verify_command():
        """Check the audit log's hash chain; report the first row that breaks it."""
        from kiosk.services.audit import chain_heads, verify_chain

        report = verify_chain()
        if not report.ok:
            raise click.ClickException(
                f"Audit chain broken at row {report.broken_id} (practice {report.practice_id}): {report.problem}."
            )
        click.echo(f"Audit chain intact: {report.rows} rows.")
        for practice_id, (event_id, digest) in chain_heads().items():
            click.echo(f"  practice {practice_id}: newest row {event_id}, hash {digest}")

    @app.cli.command("purge-sessions")
    def purge_sessions_command():
        """Delete expired sessions and stale sign-in counters (requests also do this now and then)."""
        from kiosk.services import lockout
        from kiosk.sessions import purge_expired

        ended, counters = purge_expired(app), lockout.prune()
        click.echo(f"Deleted {ended} expired sessions and {counters} stale sign-in counters.")


def _notification_commands(app):
    @app.cli.command("send-notifications")
    @click.option("--once", is_flag=True, help="Send what is due, then stop (for cron or tests).")
    def send_notifications_command(once):
        """Send queued texts and emails through GOV.UK Notify (without NOTIFY_API_KEY: print them), until stopped."""
        import signal
        import threading

        from kiosk.services import notify_worker

        config = app.config
        if config["NOTIFY_API_KEY"]:
            sender = notify_worker.NotifySender(
                config["NOTIFY_API_KEY"], config["NOTIFY_TEMPLATES"], base_url=config["NOTIFY_BASE_URL"] or None
            )
        else:
            sender = notify_worker.LogSender()
        settings = notify_worker.WorkerSettings(
            batch_size=config["NOTIFY_BATCH_SIZE"],
            lease_seconds=config["NOTIFY_LEASE_SECONDS"],
            max_attempts=config["NOTIFY_MAX_ATTEMPTS"],
        )
        stopping = threading.Event()
        if not once:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stopping.set())
            click.echo(f"Sending notifications ({type(sender).__name__}); stop with Ctrl-C.")
        while True:
            database.connect(reuse_if_open=True)
            try:
                counts = notify_worker.run_once(sender, settings, stop=stopping.is_set)
            finally:
                database.close()
            if once:
                click.echo(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "Nothing to send.")
                return
            if counts:
                click.echo(", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
            if stopping.wait(config["NOTIFY_POLL_SECONDS"]):
                click.echo("Stopped.")
                return
