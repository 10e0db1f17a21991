"""Appointments online: the practice's booking rules and address, who cancelled and why, double-submit tokens."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add online booking and cancelling."""
    migrator.add_fields(
        "practice",
        address=pw.CharField(max_length=200, default=""),
        booking_horizon_days=pw.IntegerField(default=28),
        max_online_bookings=pw.IntegerField(default=2),
        cancel_cutoff_minutes=pw.IntegerField(default=120),
    )
    migrator.add_fields(
        "appointment",
        booking_token=pw.CharField(max_length=64, null=True),
        cancel_token=pw.CharField(max_length=64, null=True),
        cancelled_by=pw.CharField(max_length=160, default=""),
        cancelled_via=pw.CharField(max_length=20, default=""),
        cancel_reason=pw.TextField(default=""),
    )
    # A form carries one token: a double tap or a resent POST finds the row the first one made.
    migrator.sql("CREATE UNIQUE INDEX appointment_booking_token ON appointment (booking_token)")
    migrator.sql("CREATE UNIQUE INDEX appointment_cancel_token ON appointment (cancel_token)")
    # The slot finder looks for free released slots by practice and time.
    migrator.sql("CREATE INDEX slot_practice_starts_at ON slot (practice_id, starts_at)")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Remove online booking and cancelling."""
    migrator.sql("DROP INDEX slot_practice_starts_at")
    migrator.sql("DROP INDEX appointment_cancel_token")
    migrator.sql("DROP INDEX appointment_booking_token")
    migrator.remove_fields("appointment", "booking_token", "cancel_token", "cancelled_by", "cancelled_via",
                           "cancel_reason")
    migrator.remove_fields("practice", "address", "booking_horizon_days", "max_online_bookings",
                           "cancel_cutoff_minutes")
