from kiosk.models.appointments import SLOT_KINDS, STATUSES, Appointment, Slot
from kiosk.models.attempts import AttemptCounter
from kiosk.models.audit import AuditEvent
from kiosk.models.calling import Call, Ticket
from kiosk.models.devices import Kiosk
from kiosk.models.imports import PatientImport
from kiosk.models.notifications import CATEGORIES, CHANNELS, OUTBOX_STATUSES, ContactPreference, Notification
from kiosk.models.online import (
    ENHANCED_REVIEW,
    ENHANCED_REVIEW_OVERRIDE,
    PROXY_BASES,
    RECORD_LEVELS,
    RECORD_ORDER,
    VERIFICATION_METHODS,
    IdentityCheck,
    LinkageKey,
    OnlineAccount,
    ProxyLink,
)
from kiosk.models.people import LEFT_REASONS, PROFESSIONS, SEXES, Clinician, Patient, nhs_number_is_valid
from kiosk.models.practice import Practice
from kiosk.models.prescriptions import ITEM_STATUSES, REQUEST_STATUSES, Medicine, PrescriptionRequest, RequestItem
from kiosk.models.record import (
    LETTER_KINDS,
    RECORD_KINDS,
    WITHHOLD_REASONS,
    CodedEntry,
    Letter,
    LetterAttachment,
)
from kiosk.models.rota import WEEKDAYS, Closure, RotaSession, RotaTemplate
from kiosk.models.sessions import WebSession
from kiosk.models.signup import SignupRequest
from kiosk.models.staff import ROLES, StaffUser

# In dependency order, for migrations and test set-up.
ALL_MODELS = [
    Practice,
    Patient,
    Clinician,
    StaffUser,
    Slot,
    Appointment,
    RotaTemplate,
    RotaSession,
    Closure,
    Kiosk,
    AuditEvent,
    WebSession,
    OnlineAccount,
    IdentityCheck,
    LinkageKey,
    ProxyLink,
    CodedEntry,
    Medicine,
    PrescriptionRequest,
    RequestItem,
    Letter,
    LetterAttachment,
    AttemptCounter,
    PatientImport,
    Ticket,
    Call,
    ContactPreference,
    Notification,
    SignupRequest,
]

__all__ = [
    "CATEGORIES",
    "CHANNELS",
    "OUTBOX_STATUSES",
    "ContactPreference",
    "Notification",
    "SignupRequest",
    "Call",
    "Ticket",
    "ALL_MODELS",
    "PROFESSIONS",
    "WEEKDAYS",
    "Closure",
    "RotaSession",
    "RotaTemplate",
    "AttemptCounter",
    "LEFT_REASONS",
    "PatientImport",
    "LETTER_KINDS",
    "RECORD_KINDS",
    "WITHHOLD_REASONS",
    "Letter",
    "LetterAttachment",
    "ITEM_STATUSES",
    "REQUEST_STATUSES",
    "Medicine",
    "PrescriptionRequest",
    "RequestItem",
    "ENHANCED_REVIEW",
    "ENHANCED_REVIEW_OVERRIDE",
    "PROXY_BASES",
    "RECORD_LEVELS",
    "RECORD_ORDER",
    "VERIFICATION_METHODS",
    "CodedEntry",
    "IdentityCheck",
    "LinkageKey",
    "OnlineAccount",
    "ProxyLink",
    "ROLES",
    "SEXES",
    "SLOT_KINDS",
    "STATUSES",
    "Appointment",
    "AuditEvent",
    "Clinician",
    "Kiosk",
    "Patient",
    "Practice",
    "Slot",
    "StaffUser",
    "WebSession",
    "nhs_number_is_valid",
]
