"""Numbered tickets given at check-in, and the calls that bring a patient in by number and room."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    @migrator.create_model
    class Ticket(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(
            column_name="practice_id", field="id", model=migrator.orm["practice"], on_delete="CASCADE"
        )
        appointment = pw.ForeignKeyField(
            column_name="appointment_id", field="id", model=migrator.orm["appointment"], on_delete="CASCADE", unique=True
        )
        day = pw.DateField()
        number = pw.IntegerField()
        issued_at = pw.DateTimeField()

        class Meta:
            table_name = "ticket"
            indexes = ((("practice", "day", "number"), True),)

    @migrator.create_model
    class Call(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(
            column_name="practice_id", field="id", model=migrator.orm["practice"], on_delete="CASCADE"
        )
        ticket = pw.ForeignKeyField(column_name="ticket_id", field="id", model=migrator.orm["ticket"], on_delete="CASCADE")
        number = pw.IntegerField()
        room = pw.CharField(max_length=80)
        called_at = pw.DateTimeField()
        called_by = pw.ForeignKeyField(
            column_name="called_by_id", field="id", model=migrator.orm["staff_user"], on_delete="RESTRICT"
        )

        class Meta:
            table_name = "call"
            indexes = ((("practice", "called_at"), False),)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model("call")
    migrator.remove_model("ticket")
