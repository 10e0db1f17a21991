from kiosk.models.appointments import SLOT_KINDS, STATUSES, Appointment, Slot
from kiosk.models.audit import AuditEvent
from kiosk.models.devices import Kiosk
from kiosk.models.people import SEXES, Clinician, Patient, nhs_number_is_valid
from kiosk.models.practice import Practice
from kiosk.models.sessions import WebSession
from kiosk.models.staff import ROLES, StaffUser

# In dependency order, for migrations and test set-up.
ALL_MODELS = [Practice, Patient, Clinician, StaffUser, Slot, Appointment, Kiosk, AuditEvent, WebSession]

__all__ = [
    "ALL_MODELS",
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
