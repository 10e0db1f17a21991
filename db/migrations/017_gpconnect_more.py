"""GP Connect import, more of the record: who recorded each entry and where, a result's interpretation and the
report or specimen it came with, a problem's status and the problem an entry is linked to, a letter's type and
organisation, and confidential (hidden) imported medicines."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.add_fields(
        "coded_entry",
        recorded_by=pw.CharField(max_length=200, default=""),
        interpretation=pw.CharField(max_length=60, default=""),
        group_label=pw.CharField(max_length=255, default=""),
        clinical_status=pw.CharField(max_length=20, default=""),
        linked_to=pw.CharField(max_length=120, default=""),
    )
    migrator.add_fields(
        "medicine",
        recorded_by=pw.CharField(max_length=200, default=""),
        recorded_at_place=pw.CharField(max_length=120, default=""),
        hidden_at=pw.DateTimeField(null=True),
        hidden_reason=pw.CharField(max_length=20, default=""),
    )
    migrator.add_fields(
        "letter",
        title=pw.CharField(max_length=255, default=""),
        organisation=pw.CharField(max_length=200, default=""),
    )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_fields("letter", "title", "organisation")
    migrator.remove_fields("medicine", "recorded_by", "recorded_at_place", "hidden_at", "hidden_reason")
    migrator.remove_fields("coded_entry", "recorded_by", "interpretation", "group_label", "clinical_status", "linked_to")
