"""A practice list uploaded for import, kept between its preview and its commit."""

import peewee as pw

from kiosk.models.base import PracticeScoped, created_at_field
from kiosk.models.practice import Practice
from kiosk.models.staff import StaffUser


class PatientImport(PracticeScoped):
    """The uploaded text exactly as previewed, with its SHA-256: the commit re-reads this text, never a second upload,
    and refuses unless the digest the preview page carried matches. Content is emptied once committed."""

    practice = pw.ForeignKeyField(Practice, on_delete="CASCADE")
    uploaded_by = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL")
    filename = pw.CharField(max_length=200, default="")
    content = pw.TextField(default="")
    digest = pw.CharField(max_length=64)
    created_at = created_at_field()
    committed_at = pw.DateTimeField(null=True)
    # What the commit did, for the page that says so.
    added = pw.IntegerField(default=0)
    updated = pw.IntegerField(default=0)
    unchanged = pw.IntegerField(default=0)
