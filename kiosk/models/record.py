"""The GP record patients can read (R3-R6): coded entries and clinical letters, hidden until cleared."""

import peewee as pw

from kiosk.models.base import PracticeScoped, created_at_field
from kiosk.models.people import Patient
from kiosk.models.practice import Practice
from kiosk.models.staff import StaffUser

# Kinds of entry, in the order the record shows them, with the lowest access level that includes each (R3).
RECORD_KINDS = {
    "medication": ("Medicines", "summary"),
    "allergy": ("Allergies and adverse reactions", "summary"),
    "problem": ("Problems and diagnoses", "detailed"),
    "result": ("Test results", "detailed"),
    "immunisation": ("Immunisations", "detailed"),
    "procedure": ("Procedures", "detailed"),
    "referral": ("Referrals", "detailed"),
    "consultation": ("Consultation notes", "full"),
    "admin": ("Administrative codes", None),  # never shown online: e.g. the enhanced review codes
}
LETTER_KINDS = {
    "discharge": "Discharge summary",
    "outpatient": "Outpatient letter",
    "referral": "Referral letter",
    "other": "Other letter",
}
WITHHOLD_REASONS = {
    "third_party": "Refers to a third party",
    "serious_harm": "Could cause serious harm",
}


class Letter(PracticeScoped):
    """Clinical correspondence. Starts awaiting review and invisible; only a clinician's "clear" shows it (R5)."""

    practice = pw.ForeignKeyField(Practice, on_delete="CASCADE")
    patient = pw.ForeignKeyField(Patient, backref="letters", on_delete="CASCADE")
    kind = pw.CharField(max_length=20)
    received_on = pw.DateField()
    author = pw.CharField(max_length=200)
    body = pw.TextField()
    status = pw.CharField(max_length=20, default="awaiting_review")  # awaiting_review, cleared, withheld
    withhold_reason = pw.CharField(max_length=20, default="")
    decision_note = pw.TextField(default="")
    look_again_on = pw.DateField(null=True)
    decided_by = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL")
    decided_at = pw.DateTimeField(null=True)
    filed_by = pw.ForeignKeyField(StaffUser, on_delete="RESTRICT", backref="filed_letters")
    created_at = created_at_field()
    source_id = pw.CharField(max_length=120, default="")  # GP Connect resource id, for idempotent re-import (012)
    source_digest = pw.CharField(max_length=64, default="")
    title = pw.CharField(max_length=255, default="")  # the source's document type (017)
    organisation = pw.CharField(max_length=200, default="")

    class Meta:
        # The review queue (a practice's letters by status, oldest first) and a patient's cleared letters.
        indexes = (
            (("practice", "status", "created_at"), False),
            (("patient", "status"), False),
            (("practice", "patient", "received_on"), False),  # a patient's letters, within the practice (011)
            (("practice", "patient", "source_id"), False),  # re-import finds what it brought before (012)
        )

    @property
    def kind_label(self) -> str:
        return LETTER_KINDS[self.kind]


class LetterAttachment(PracticeScoped):
    practice = pw.ForeignKeyField(Practice, on_delete="CASCADE")
    letter = pw.ForeignKeyField(Letter, backref="attachments", on_delete="CASCADE")
    filename = pw.CharField(max_length=200)
    content_type = pw.CharField(max_length=100)
    data = pw.BlobField()


class CodedEntry(PracticeScoped):
    """A SNOMED CT coded entry. Hiding never deletes (R6): hidden entries stay for staff, with who and why."""

    practice = pw.ForeignKeyField(Practice, on_delete="CASCADE")
    patient = pw.ForeignKeyField(Patient, backref="coded_entries", on_delete="CASCADE")
    kind = pw.CharField(max_length=20)
    snomed_code = pw.CharField(max_length=20, index=True)
    term = pw.CharField(max_length=255)
    effective_on = pw.DateField()
    created_at = created_at_field()
    # Results: value, units and range; abnormal ones wait for a clinician's review before patients see them.
    value = pw.CharField(max_length=60, default="")
    units = pw.CharField(max_length=30, default="")
    reference_range = pw.CharField(max_length=60, default="")
    abnormal = pw.BooleanField(default=False)
    reviewed_at = pw.DateTimeField(null=True)
    reviewed_by = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL", backref="reviewed_entries")
    text = pw.TextField(default="")  # consultation notes: shown only at full access
    recorded_at_place = pw.CharField(max_length=120, default="")
    letter = pw.ForeignKeyField(Letter, null=True, backref="entries", on_delete="CASCADE")
    hidden_at = pw.DateTimeField(null=True)
    hidden_reason = pw.CharField(max_length=20, default="")
    hidden_by = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL", backref="hidden_entries")
    added_by = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL", backref="added_entries")
    source_id = pw.CharField(max_length=120, default="")  # GP Connect resource id (012)
    source_digest = pw.CharField(max_length=64, default="")
    # Imported (017): who recorded it, a result's interpretation and its report or specimen, a problem's status,
    # and the source id of the problem it is linked to.
    recorded_by = pw.CharField(max_length=200, default="")
    interpretation = pw.CharField(max_length=60, default="")
    group_label = pw.CharField(max_length=255, default="")
    clinical_status = pw.CharField(max_length=20, default="")
    linked_to = pw.CharField(max_length=120, default="")

    class Meta:
        indexes = (
            (("patient", "kind", "effective_on"), False),  # a patient's record, section by section
            (("practice", "patient", "kind", "effective_on"), False),  # the same, within the practice (011)
            (("practice", "patient", "source_id"), False),  # re-import finds what it brought before (012)
        )

    @property
    def kind_label(self) -> str:
        return RECORD_KINDS[self.kind][0]
