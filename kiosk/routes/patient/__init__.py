"""Patients and proxies: sign-in and registration, appointments, repeat prescriptions, record and letters."""

from kiosk.routes.patient import appointments, auth, notifications, prescriptions, record

BLUEPRINTS = (
    auth.bp,
    appointments.bp,
    prescriptions.bp,
    record.bp,
    notifications.bp,
)
