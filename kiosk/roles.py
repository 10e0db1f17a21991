"""The staff role groups, named for what each may do. Routes name a group in `staff_required`, never a list of roles,
so that a page and the action beside it cannot drift apart one module at a time."""

RECEPTION, CLINICIAN, MANAGER = "reception", "clinician", "manager"

ALL_STAFF = (RECEPTION, CLINICIAN, MANAGER)
# The front desk: arrivals, kiosks, booking and cancelling, the patient list, online access, handing out prescriptions.
DESK = (RECEPTION, MANAGER)
# Keeping the coded record and reading the letters waiting for review.
CLINICAL = (CLINICIAN, MANAGER)
# Keeping a patient's repeat medicines list.
PRESCRIBERS = (CLINICIAN, MANAGER)
# Clinical decisions a patient will see: approving or rejecting a prescription request, clearing or withholding a
# letter, reviewing a result, hiding an entry. A manager reads the queue but does not decide.
DECIDERS = (CLINICIAN,)
# Staff accounts, clinicians, the rota's templates and closures, practice settings, the audit log, reports.
MANAGERS = (MANAGER,)
# A clinician's own list for the day ("My patients today"): only a member of staff who sees patients has one.
OWN_LIST = (CLINICIAN,)
