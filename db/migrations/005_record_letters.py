"""The readable record: results, notes and hiding on coded entries; clinical letters and their attachments."""

import datetime

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add letters and the record's visibility fields."""
    migrator.add_fields("practice", letters_from=pw.DateField(default=datetime.date(2017, 3, 31)))

    @migrator.create_model
    class Letter(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(column_name="practice_id", field="id", model=migrator.orm["practice"],
                                      on_delete="CASCADE")
        patient = pw.ForeignKeyField(column_name="patient_id", field="id", model=migrator.orm["patient"],
                                     on_delete="CASCADE")
        kind = pw.CharField(max_length=20)
        received_on = pw.DateField()
        author = pw.CharField(max_length=200)
        body = pw.TextField()
        status = pw.CharField(max_length=20, default="awaiting_review")
        withhold_reason = pw.CharField(max_length=20, default="")
        decision_note = pw.TextField(default="")
        look_again_on = pw.DateField(null=True)
        decided_by = pw.ForeignKeyField(column_name="decided_by_id", field="id", model=migrator.orm["staff_user"],
                                        null=True, on_delete="SET NULL")
        decided_at = pw.DateTimeField(null=True)
        filed_by = pw.ForeignKeyField(column_name="filed_by_id", field="id", model=migrator.orm["staff_user"],
                                      on_delete="RESTRICT")
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "letter"
            indexes = [(("practice", "status", "created_at"), False), (("patient", "status"), False)]

    @migrator.create_model
    class LetterAttachment(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(column_name="practice_id", field="id", model=migrator.orm["practice"],
                                      on_delete="CASCADE")
        letter = pw.ForeignKeyField(column_name="letter_id", field="id", model=migrator.orm["letter"],
                                    on_delete="CASCADE")
        filename = pw.CharField(max_length=200)
        content_type = pw.CharField(max_length=100)
        data = pw.BlobField()

        class Meta:
            table_name = "letter_attachment"

    migrator.add_fields(
        "coded_entry",
        value=pw.CharField(max_length=60, default=""),
        units=pw.CharField(max_length=30, default=""),
        reference_range=pw.CharField(max_length=60, default=""),
        abnormal=pw.BooleanField(default=False),
        reviewed_at=pw.DateTimeField(null=True),
        reviewed_by=pw.ForeignKeyField(column_name="reviewed_by_id", field="id", model=migrator.orm["staff_user"],
                                       null=True, on_delete="SET NULL"),
        text=pw.TextField(default=""),
        recorded_at_place=pw.CharField(max_length=120, default=""),
        letter=pw.ForeignKeyField(column_name="letter_id", field="id", model=migrator.orm["letter"], null=True,
                                  on_delete="CASCADE"),
        hidden_at=pw.DateTimeField(null=True),
        hidden_reason=pw.CharField(max_length=20, default=""),
        hidden_by=pw.ForeignKeyField(column_name="hidden_by_id", field="id", model=migrator.orm["staff_user"],
                                     null=True, on_delete="SET NULL"),
        added_by=pw.ForeignKeyField(column_name="added_by_id", field="id", model=migrator.orm["staff_user"],
                                    null=True, on_delete="SET NULL"),
    )
    migrator.sql("CREATE INDEX coded_entry_patient_kind ON coded_entry (patient_id, kind, effective_on)")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Remove letters and the record's visibility fields."""
    migrator.remove_fields("coded_entry", "value", "units", "reference_range", "abnormal", "reviewed_at",
                           "reviewed_by", "text", "recorded_at_place", "letter", "hidden_at", "hidden_reason",
                           "hidden_by", "added_by")
    migrator.remove_model("letter_attachment")
    migrator.remove_model("letter")
    migrator.remove_fields("practice", "letters_from")
