"""A manager adds staff accounts, and disables and enables them."""

from datetime import datetime

import pytest
from argon2 import extract_parameters

from kiosk.models import AuditEvent, StaffUser
from kiosk.passwords import verify_password
from tests.builders import make_practice, make_staff, make_staff_session
from tests.pages import check_html

GOOD = {
    "name": "Nia Evans",
    "email": "nia.evans@example.test",
    "role": "clinician",
    "password": "Copper meadow lantern 58",
}


def manager(client, practice):
    staff = make_staff(practice, "manager", name="Mark Mensah")
    make_staff_session(client, staff)
    return staff


def add(client, **changes):
    return client.form_post("/staff/accounts/new", {**GOOD, **changes})


def page(response):
    return check_html(response.get_data(as_text=True))


def test_new_account_is_created_with_the_role_chosen(client, practice):
    manager(client, practice)
    add(client)
    created = StaffUser.get(StaffUser.email == "nia.evans@example.test")
    assert (created.name, created.role, created.practice_id, created.disabled_at) == (
        "Nia Evans",
        "clinician",
        practice.id,
        None,
    )


def test_new_account_returns_to_the_list_saying_so(client, practice):
    manager(client, practice)
    response = add(client)
    assert response.headers["Location"] == "/staff/accounts/"
    assert "Account created for Nia Evans" in client.get("/staff/accounts/").get_data(as_text=True)


def test_new_account_password_is_stored_as_an_argon2id_hash(client, practice):
    manager(client, practice)
    add(client)
    stored = StaffUser.get(StaffUser.email == "nia.evans@example.test").password_hash
    assert (extract_parameters(stored).type.name, verify_password(stored, GOOD["password"])) == ("ID", True)


def test_new_account_email_is_stored_in_lower_case(client, practice):
    manager(client, practice)
    add(client, email="Nia.Evans@Example.TEST")
    assert StaffUser.select().where(StaffUser.email == "nia.evans@example.test").exists()


def test_new_account_is_audited(client, practice):
    boss = manager(client, practice)
    add(client)
    event = AuditEvent.get(AuditEvent.action == "staff.create")
    assert (event.actor_id, event.role, event.practice_id) == (boss.id, "manager", practice.id)


def test_empty_form_shows_an_error_next_to_each_field(client, practice):
    manager(client, practice)
    tree = page(client.form_post("/staff/accounts/new", {}))
    inline = {n.attributes["id"] for n in tree.css(".nhsuk-error-message")}
    assert inline == {"name-error", "email-error", "role-error", "password-error"}


def test_empty_form_shows_an_error_summary_linking_to_each_field(client, practice):
    manager(client, practice)
    tree = page(client.form_post("/staff/accounts/new", {}))
    links = [a.attributes["href"] for a in tree.css(".nhsuk-error-summary a")]
    assert links == ["#name", "#email", "#role", "#password"]


def test_error_summary_links_lead_to_fields_on_the_page(client, practice):
    manager(client, practice)
    tree = page(client.form_post("/staff/accounts/new", {}))
    targets = [a.attributes["href"][1:] for a in tree.css(".nhsuk-error-summary a")]
    assert [t for t in targets if tree.css_first(f"[id='{t}']") is None] == []


def test_page_with_errors_has_a_title_starting_error(client, practice):
    manager(client, practice)
    assert page(client.form_post("/staff/accounts/new", {})).css_first("title").text().startswith("Error: ")


def test_answers_are_kept_when_the_form_is_shown_again(client, practice):
    manager(client, practice)
    tree = page(add(client, email="not an email"))
    assert tree.css_first("#name").attributes["value"] == "Nia Evans"


def test_password_is_not_sent_back_when_the_form_is_shown_again(client, practice):
    manager(client, practice)
    assert GOOD["password"] not in add(client, email="not an email").get_data(as_text=True)


def test_malformed_email_is_refused(client, practice):
    manager(client, practice)
    tree = page(add(client, email="nia.evans"))
    assert tree.css_first("#email-error").text(strip=True).endswith("Enter an email address like name@example.nhs.uk")


def test_duplicate_email_is_refused_next_to_the_email_field(client, practice):
    manager(client, practice)
    make_staff(practice, email="nia.evans@example.test")
    tree = page(add(client))
    assert tree.css_first("#email-error").text(strip=True).endswith("An account with this email address already exists")


def test_duplicate_email_in_another_case_is_refused(client, practice):
    manager(client, practice)
    make_staff(practice, email="nia.evans@example.test")
    add(client, email="NIA.EVANS@example.test", name="Someone Else")
    assert StaffUser.select().where(StaffUser.name == "Someone Else").count() == 0


@pytest.mark.parametrize("password", ["password1234", "Short 1"])
def test_weak_password_is_refused_next_to_the_password_field(client, practice, password):
    manager(client, practice)
    tree = page(add(client, password=password))
    assert tree.css_first("#password-error") is not None


def test_common_password_creates_no_account(client, practice):
    manager(client, practice)
    add(client, password="password1234")
    assert not StaffUser.select().where(StaffUser.email == GOOD["email"]).exists()


def test_unknown_role_is_refused(client, practice):
    manager(client, practice)
    add(client, role="superuser")
    assert not StaffUser.select().where(StaffUser.email == GOOD["email"]).exists()


def toggle(client, staff, change):
    return client.form_post(f"/staff/accounts/{staff.id}/{change}", token_from="/staff/accounts/")


def test_manager_disables_an_account(client, practice):
    manager(client, practice)
    colleague = make_staff(practice, "reception", name="Rosa Reid")
    toggle(client, colleague, "disable")
    assert StaffUser.get_by_id(colleague.id).disabled_at is not None


def test_disabled_account_is_shown_as_disabled_with_an_enable_button(client, practice):
    manager(client, practice)
    colleague = make_staff(practice, "reception", name="Rosa Reid")
    toggle(client, colleague, "disable")
    tree = page(client.get("/staff/accounts/"))
    row = next(r for r in tree.css("tbody tr") if "Rosa Reid" in r.text())
    assert ("Disabled" in row.text(), row.css_first("button").text(strip=True)) == (True, "EnableRosa Reid")


def test_manager_enables_a_disabled_account(client, practice):
    manager(client, practice)
    colleague = make_staff(practice, "reception", disabled_at=datetime(2026, 1, 1))
    toggle(client, colleague, "enable")
    assert StaffUser.get_by_id(colleague.id).disabled_at is None


@pytest.mark.parametrize("change", ["disable", "enable"])
def test_disabling_and_enabling_are_audited(client, practice, change):
    boss = manager(client, practice)
    colleague = make_staff(practice, "reception")
    toggle(client, colleague, change)
    event = AuditEvent.get(AuditEvent.action == f"staff.{change}")
    assert (event.actor_id, event.object_id) == (boss.id, colleague.id)


def test_manager_cannot_disable_their_own_account(client, practice):
    boss = manager(client, practice)
    toggle(client, boss, "disable")
    assert StaffUser.get_by_id(boss.id).disabled_at is None


def test_disabling_yourself_says_why_not(client, practice):
    boss = manager(client, practice)
    toggle(client, boss, "disable")
    assert "You cannot disable your own account" in client.get("/staff/accounts/").get_data(as_text=True)


def test_own_row_has_no_disable_button(client, practice):
    boss = manager(client, practice)
    tree = page(client.get("/staff/accounts/"))
    row = next(r for r in tree.css("tbody tr") if boss.name in r.text())
    assert row.css_first("form") is None


def test_unknown_account_is_not_found(client, practice):
    manager(client, practice)
    assert client.form_post("/staff/accounts/999999/disable", token_from="/staff/accounts/").status_code == 404


def test_accounts_list_shows_only_this_practice(client, practice):
    manager(client, practice)
    make_staff(make_practice(), name="Elsewhere Person")
    assert "Elsewhere Person" not in client.get("/staff/accounts/").get_data(as_text=True)
