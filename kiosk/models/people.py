import peewee as pw

from kiosk.models.base import PracticeScoped, created_at_field
from kiosk.models.practice import Practice

SEXES = {"female": "Female", "male": "Male", "other": "Other"}


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


class Patient(PracticeScoped):
    practice = pw.ForeignKeyField(Practice, backref="patients", on_delete="CASCADE")
    nhs_number = pw.CharField(max_length=10)
    given_name = pw.CharField(max_length=80)
    family_name = pw.CharField(max_length=80)
    date_of_birth = pw.DateField()
    sex = pw.CharField(max_length=10, choices=[(k, v) for k, v in SEXES.items()])
    nominated_pharmacy = pw.CharField(max_length=200, default="")  # empty: collects prescriptions at the practice
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
    def formatted_nhs_number(self) -> str:
        n = self.nhs_number
        return f"{n[:3]} {n[3:6]} {n[6:]}"


class Clinician(PracticeScoped):
    practice = pw.ForeignKeyField(Practice, backref="clinicians", on_delete="CASCADE")
    # What patients read, e.g. "Dr A Patel": no given names on shared screens.
    display_name = pw.CharField(max_length=80)
    profession = pw.CharField(max_length=20)  # gp, nurse, hca, pharmacist
    active = pw.BooleanField(default=True)
    # Set by reception on the arrivals screen; counts only on the day it was set.
    running_late_minutes = pw.IntegerField(default=0)
    running_late_on = pw.DateField(null=True)
