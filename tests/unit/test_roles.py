"""The role groups, and how an access rule is read for a role."""

import pytest

from kiosk import roles
from kiosk.access import role_passes
from kiosk.models.staff import ROLES


def test_all_staff_names_every_role_a_member_of_staff_can_have():
    assert sorted(roles.ALL_STAFF) == sorted(ROLES)


@pytest.mark.parametrize(
    ("rule", "role", "passes"),
    [
        ("staff:any", "reception", True),
        ("staff:clinician,manager", "clinician", True),
        ("staff:clinician,manager", "reception", False),
        ("staff:clinician", "manager", False),
        ("public", "reception", True),
        ("patient:any", "manager", False),
        ("kiosk", "manager", False),
    ],
)
def test_role_passes_reads_the_rule(rule, role, passes):
    assert role_passes(rule, role) is passes
