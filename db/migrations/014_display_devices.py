"""Calling displays: a waiting-room TV enrolled like a kiosk, but of another kind, that only shows calls."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.add_fields("kiosk", kind=pw.CharField(max_length=10, default="kiosk"))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_fields("kiosk", "kind")
