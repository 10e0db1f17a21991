import re

import peewee as pw

from kiosk.models.base import PracticeScoped, created_at_field
from kiosk.models.practice import Practice

SEXES = {"female": "Female", "male": "Male", "other": "Other"}
# Why someone is no longer on the list. The record and its audit stay; only what they can do, and what is done for
# them, stops (kiosk/services/patient_list.py).
LEFT_REASONS = {"left": "Left the practice", "deceased": "Died"}


def nhs_check_digit(body: str) -> int | None:
    """Modulus 11 over nine digits: weights 10..2; 11 - remainder is the check digit (11 means 0). None when it
    would be 10: no NHS number has that body."""
    total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else check


def nhs_number_is_valid(value: str) -> bool:
    digits = value.replace(" ", "")
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    return nhs_check_digit(digits[:9]) == int(digits[9])


# A UK postcode's shape (outward code, space, inward code); whether it exists is Royal Mail's business, not ours.
_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_MOBILE = re.compile(r"\+?[0-9 ]{10,16}")


def normalise_nhs_number(value: str) -> str:
    """People write NHS numbers as 943 476 5919 or 943-476-5919; the list keeps the ten digits."""
    return "".join(ch for ch in value if ch not in " -")


def normalise_postcode(value: str) -> str:
    compact = "".join(value.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def postcode_is_valid(value: str) -> bool:
    return bool(_POSTCODE.fullmatch(normalise_postcode(value)))


def email_is_valid(value: str) -> bool:
    return len(value) <= 254 and bool(_EMAIL.fullmatch(value))


def mobile_is_valid(value: str) -> bool:
    return bool(_MOBILE.fullmatch(value.strip())) and sum(ch.isdigit() for ch in value) >= 10


class Patient(PracticeScoped):
    practice = pw.ForeignKeyField(Practice, backref="patients", on_delete="CASCADE")
    nhs_number = pw.CharField(max_length=10)
    given_name = pw.CharField(max_length=80)
    family_name = pw.CharField(max_length=80)
    date_of_birth = pw.DateField()
    sex = pw.CharField(max_length=10, choices=list(SEXES.items()))
    nominated_pharmacy = pw.CharField(max_length=200, default="")  # empty: collects prescriptions at the practice
    title = pw.CharField(max_length=20, default="")
    address = pw.CharField(max_length=300, default="")
    postcode = pw.CharField(max_length=10, default="")
    mobile = pw.CharField(max_length=20, default="")
    email = pw.CharField(max_length=254, default="")
    # Set together when reception records that the patient left or died; the appointments cancelled then carry the
    # same cancelled_at, so the confirmation page can list them again on reload.
    left_on = pw.DateField(null=True)
    left_reason = pw.CharField(max_length=20, default="")
    left_recorded_at = pw.DateTimeField(null=True)
    created_at = created_at_field()

    class Meta:
        indexes = (
            (("practice", "nhs_number"), True),
            (("practice", "date_of_birth"), False),
        )

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def has_left(self) -> bool:
        return self.left_on is not None

    @property
    def left_label(self) -> str:
        return LEFT_REASONS.get(self.left_reason, "")

    @property
    def formatted_nhs_number(self) -> str:
        n = self.nhs_number
        return f"{n[:3]} {n[3:6]} {n[6:]}"


# Stored keys stay short and stable; "nurse" (from before there were labels) reads as "Practice nurse".
PROFESSIONS = {
    "gp": "GP",
    "nurse": "Practice nurse",
    "hca": "Healthcare assistant",
    "pharmacist": "Pharmacist",
    "physio": "Physiotherapist",
}


class Clinician(PracticeScoped):
    practice = pw.ForeignKeyField(Practice, backref="clinicians", on_delete="CASCADE")
    # What patients read, e.g. "Dr A Patel": no given names on shared screens.
    display_name = pw.CharField(max_length=80)
    # What staff read, e.g. "Anita Patel"; empty for clinicians added before it was asked for.
    staff_name = pw.CharField(max_length=160, default="")
    profession = pw.CharField(max_length=20)  # a key of PROFESSIONS
    room = pw.CharField(max_length=80, default="")
    # Deactivated clinicians keep their rows, slots and appointments: the history stays readable.
    active = pw.BooleanField(default=True)
    # Set by reception on the arrivals screen; counts only on the day it was set.
    running_late_minutes = pw.IntegerField(default=0)
    running_late_on = pw.DateField(null=True)

    @property
    def profession_label(self) -> str:
        return PROFESSIONS.get(self.profession, self.profession)

    @property
    def staff_label(self) -> str:
        """How staff pages name the clinician: both names when they differ."""
        if self.staff_name and self.staff_name != self.display_name:
            return f"{self.staff_name} ({self.display_name})"
        return self.display_name
