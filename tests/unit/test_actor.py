"""The Actor services receive: built the same way by a request, a command and a test."""

import pytest

from kiosk import access
from kiosk.actor import Actor, token_digest


def test_a_proxy_is_a_patient_acting_in_the_proxy_role():
    actor = Actor.patient(7, "Carol Carer", 1, "127.0.0.1 phone", proxy=True)
    assert (actor.kind, actor.role) == ("patient", "proxy")


def test_the_system_acts_from_the_command_line_unless_told():
    assert Actor.system(3, name="kiosk command") == Actor("system", None, "kiosk command", "system", 3, "command line")


def test_an_actor_cannot_be_changed_after_it_is_made():
    actor = Actor.kiosk(2, "Waiting room", 1, "kiosk 2 (Waiting room)")
    with pytest.raises(AttributeError):
        actor.practice_id = 9  # type: ignore[misc]


def test_access_still_offers_the_same_actor_and_digest():
    assert (access.Actor, access.token_digest) == (Actor, token_digest)
