"""Online access (R1-R4, R7, R8): accounts, identity checks, registration keys, services and proxies."""

import peewee as pw

from kiosk.models.base import PracticeScoped, created_at_field
from kiosk.models.people import Patient
from kiosk.models.practice import Practice
from kiosk.models.staff import StaffUser

RECORD_LEVELS = {
    "none": "No record access",
    "summary": "Summary record (medicines and allergies)",
    "detailed": "Detailed coded record",
    "full": "Full record",
}
RECORD_ORDER = list(RECORD_LEVELS)
VERIFICATION_METHODS = {
    "documents": "Identity documents",
    "vouching": "Vouched for by a member of staff who knows them",
    "vouching_confirmation": "Vouching with confirmation questions",
}
PROXY_BASES = {
    "consent": "The patient’s consent",
    "parental": "Parental responsibility (child under 16)",
    "lpa": "Lasting Power of Attorney for health and welfare",
    "deputy": "Court-appointed deputy",
    "best_interests": "Best interests (Mental Capacity Act)",
}
ENHANCED_REVIEW = "1364731000000104"
ENHANCED_REVIEW_OVERRIDE = "1364751000000106"


class OnlineAccount(PracticeScoped):
    """One person's credentials. A proxy who is not registered at the practice has an account with no patient."""

    practice = pw.ForeignKeyField(Practice, backref="online_accounts", on_delete="CASCADE")
    patient = pw.ForeignKeyField(Patient, null=True, unique=True, backref="online_accounts", on_delete="CASCADE")
    given_name = pw.CharField(max_length=80)
    family_name = pw.CharField(max_length=80)
    date_of_birth = pw.DateField()
    account_id = pw.CharField(max_length=20, unique=True)
    password_hash = pw.CharField(max_length=255, null=True)
    registered_at = pw.DateTimeField(null=True)
    # The patient's own services (R3); meaningless for a proxy-only account.
    appointments = pw.BooleanField(default=False)
    prescriptions = pw.BooleanField(default=False)
    record_level = pw.CharField(max_length=20, default="none")
    services_enabled_at = pw.DateTimeField(null=True)
    services_enabled_by = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL")
    # R8: switched off at once, reason recorded; a suspended account cannot sign in or act for anyone.
    suspended_at = pw.DateTimeField(null=True)
    suspended_reason = pw.TextField(default="")
    # Sign-ins: the home page tells what is new since the one before this (015).
    last_visit_at = pw.DateTimeField(null=True)
    previous_visit_at = pw.DateTimeField(null=True)
    created_at = created_at_field()

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class IdentityCheck(PracticeScoped):
    """How reception verified who this person is (R1). Kept as history: a new check adds a row."""

    practice = pw.ForeignKeyField(Practice, on_delete="CASCADE")
    account = pw.ForeignKeyField(OnlineAccount, backref="identity_checks", on_delete="CASCADE")
    method = pw.CharField(max_length=30)
    evidence = pw.TextField()  # which documents, who vouched, or which questions were asked
    verified_by = pw.ForeignKeyField(StaffUser, on_delete="RESTRICT")
    verified_at = created_at_field()


class LinkageKey(PracticeScoped):
    """A registration letter's key (R2): only its hash is kept; single use; expires 14 days after issue."""

    practice = pw.ForeignKeyField(Practice, on_delete="CASCADE")
    account = pw.ForeignKeyField(OnlineAccount, backref="linkage_keys", on_delete="CASCADE")
    key_hash = pw.CharField(max_length=64)
    issued_at = created_at_field()
    expires_at = pw.DateTimeField()
    issued_by = pw.ForeignKeyField(StaffUser, on_delete="RESTRICT")
    used_at = pw.DateTimeField(null=True)
    revoked_at = pw.DateTimeField(null=True)
    # Wrong letters typed against this key's Account ID; at REGISTRATION_ATTEMPTS_PER_KEY the key is revoked and
    # revoked_reason tells reception why a new letter is needed.
    failed_attempts = pw.IntegerField(default=0)
    revoked_reason = pw.CharField(max_length=120, default="")
    # One live key per account is a partial unique index in the migration (linkage_key_one_live).


class ProxyLink(PracticeScoped):
    """A proxy acting for a patient (R7): basis, scope, end date, and who decided. Refusals are kept too."""

    practice = pw.ForeignKeyField(Practice, on_delete="CASCADE")
    proxy = pw.ForeignKeyField(OnlineAccount, backref="proxy_links", on_delete="CASCADE")
    patient = pw.ForeignKeyField(Patient, backref="proxies", on_delete="CASCADE")
    basis = pw.CharField(max_length=20)
    competence_assessment = pw.TextField(default="")
    appointments = pw.BooleanField(default=False)
    prescriptions = pw.BooleanField(default=False)
    record_level = pw.CharField(max_length=20, default="none")
    ends_on = pw.DateField(null=True)
    status = pw.CharField(max_length=20, default="active")  # active, refused, ended
    reason = pw.TextField(default="")
    decided_by = pw.ForeignKeyField(StaffUser, on_delete="RESTRICT")
    decided_at = created_at_field()
