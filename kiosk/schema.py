"""Versioned migrations under db/migrations, applied in order and recorded in the database."""

import logging

import peewee as pw
from peewee_migrate import Router

from kiosk.config import ROOT

MIGRATIONS = ROOT / "db" / "migrations"


def router(database: pw.Database) -> Router:
    logger = logging.getLogger("kiosk.migrations")
    return Router(database, migrate_dir=MIGRATIONS, logger=logger)


def migrate(database: pw.Database) -> list[str]:
    """Apply every migration not yet applied; returns the names applied."""
    return router(database).run()
