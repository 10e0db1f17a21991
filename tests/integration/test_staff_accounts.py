"""A manager adds staff accounts, and disables and enables them."""

from datetime import datetime

import pytest
from argon2 import extract_parameters

from kiosk.models import AuditEvent, StaffUser
from kiosk.passwords import verify_password
from kiosk.services.staff_accounts import create_first_manager
from tests.builders import PASSWORD, make_practice, make_staff, make_staff_session
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


def test_a_new_accounts_password_is_temporary_and_its_first_sign_in_leads_to_choosing_one(client, app, practice):
    manager(client, practice)
    add(client)
    theirs = app.test_client()
    response = theirs.form_post("/staff/sign-in", {"email": GOOD["email"], "password": GOOD["password"]})
    created = StaffUser.get(StaffUser.email == GOOD["email"])
    assert (created.must_change_password, theirs.get(response.headers["Location"]).headers["Location"]) == (
        True,
        "/staff/password/",
    )


def test_the_first_manager_made_at_the_command_line_keeps_the_password_they_typed(practice):
    staff = create_first_manager(
        ods_code="Y01234", practice_name="Test", name="Mo Reyes", email="mo@example.test", password=GOOD["password"]
    )
    assert StaffUser.get_by_id(staff.id).must_change_password is False


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


# Own password: the current one is needed, and the same policy applies.

NEW_PASSWORD = "Velvet orchard compass 73"


def change_own(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    data = {"current_password": current, "password": new, "confirm": new if confirm is None else confirm}
    return client.form_post("/staff/password/", data)


def test_staff_change_their_own_password(client, practice):
    member = make_staff(practice, "reception")
    make_staff_session(client, member)
    response = change_own(client)
    assert (response.status_code, verify_password(StaffUser.get_by_id(member.id).password_hash, NEW_PASSWORD)) == (
        303,
        True,
    )


def test_a_wrong_current_password_is_refused_next_to_the_field(client, practice):
    make_staff_session(client, make_staff(practice, "reception"))
    tree = page(change_own(client, current="not my password at all"))
    assert tree.css_first("#current_password-error").text(strip=True).endswith("Your current password is not right")


def test_a_wrong_current_password_changes_nothing_and_is_audited(client, practice):
    member = make_staff(practice, "clinician")
    make_staff_session(client, member)
    change_own(client, current="not my password at all")
    event = AuditEvent.get(AuditEvent.action == "staff.password_change")
    assert (verify_password(StaffUser.get_by_id(member.id).password_hash, PASSWORD), event.outcome) == (True, "refused")


@pytest.mark.parametrize("weak", ["password1234", "Short 1"])
def test_the_password_policy_applies_to_a_new_password(client, practice, weak):
    member = make_staff(practice, "reception")
    make_staff_session(client, member)
    tree = page(change_own(client, new=weak))
    assert (tree.css_first("#password-error") is not None, verify_password(member.password_hash, PASSWORD)) == (
        True,
        True,
    )


def test_the_new_password_must_not_be_the_current_one(client, practice):
    make_staff_session(client, make_staff(practice, "reception"))
    tree = page(change_own(client, new=PASSWORD))
    assert "different from your current one" in tree.css_first("#password-error").text()


def test_the_new_password_typed_twice_must_match(client, practice):
    make_staff_session(client, make_staff(practice, "reception"))
    tree = page(change_own(client, confirm="Velvet orchard compass 74"))
    assert tree.css_first("#confirm-error").text(strip=True).endswith("The new passwords do not match")


def test_a_password_change_is_audited(client, practice):
    member = make_staff(practice, "reception")
    make_staff_session(client, member)
    change_own(client)
    event = AuditEvent.get((AuditEvent.action == "staff.password_change") & (AuditEvent.outcome == "ok"))
    assert (event.actor_id, event.object_id) == (member.id, member.id)


def test_a_password_change_keeps_this_session_and_ends_the_others(client, app, practice):
    member = make_staff(practice, "reception")
    other = app.test_client()
    make_staff_session(other, member)
    make_staff_session(client, member)
    change_own(client)
    assert (client.get("/staff/").status_code, other.get("/staff/").status_code) == (200, 302)


def test_anonymous_visitors_to_the_password_page_are_sent_to_sign_in(client):
    assert client.get("/staff/password/").headers["Location"].startswith("/staff/sign-in")


# A manager resets someone's password: they must choose a new one at their next sign-in.

TEMPORARY = "Granite tulip horizon 19"


def reset(client, member, password=TEMPORARY):
    return client.form_post(f"/staff/accounts/{member.id}/password", {"password": password}, token_from="/staff/")


def test_a_reset_sets_the_temporary_password_and_forces_a_new_one(client, practice):
    manager(client, practice)
    member = make_staff(practice, "reception")
    reset(client, member)
    saved = StaffUser.get_by_id(member.id)
    assert (verify_password(saved.password_hash, TEMPORARY), saved.must_change_password) == (True, True)


def test_a_reset_signs_the_person_out_everywhere(client, app, practice):
    member = make_staff(practice, "reception")
    theirs = app.test_client()
    make_staff_session(theirs, member)
    manager(client, practice)
    reset(client, member)
    assert theirs.get("/staff/").status_code == 302


def test_a_reset_is_audited(client, practice):
    boss = manager(client, practice)
    member = make_staff(practice, "reception")
    reset(client, member)
    event = AuditEvent.get(AuditEvent.action == "staff.password_reset")
    assert (event.actor_id, event.object_id) == (boss.id, member.id)


def test_a_weak_temporary_password_is_refused(client, practice):
    manager(client, practice)
    member = make_staff(practice, "reception")
    tree = page(reset(client, member, password="password1234"))
    assert (tree.css_first("#password-error") is not None, StaffUser.get_by_id(member.id).must_change_password) == (
        True,
        False,
    )


def test_a_reset_leaves_the_manager_signed_in_as_themselves(client, practice):
    manager(client, practice)
    reset(client, make_staff(practice, "reception", name="Rosa Reid"))
    assert "Hello, Mark Mensah" in client.get("/staff/").get_data(as_text=True)


def test_after_a_reset_sign_in_leads_to_choosing_a_new_password(client, practice):
    member = make_staff(practice, "reception", must_change_password=True)
    response = client.form_post("/staff/sign-in", {"email": member.email, "password": PASSWORD})
    assert client.get(response.headers["Location"]).headers["Location"] == "/staff/password/"


@pytest.mark.parametrize("url", ["/staff/", "/staff/arrivals/", "/staff/patients/"])
def test_until_a_new_password_is_chosen_every_page_leads_to_choosing_one(client, practice, url):
    make_staff_session(client, make_staff(practice, "reception", must_change_password=True))
    assert client.get(url).headers["Location"] == "/staff/password/"


def test_the_forced_page_says_why(client, practice):
    make_staff_session(client, make_staff(practice, "reception", must_change_password=True))
    tree = page(client.get("/staff/password/"))
    assert tree.css_first("h1").text() == "Choose a new password"


def test_choosing_a_new_password_opens_everything_again(client, practice):
    member = make_staff(practice, "reception", must_change_password=True)
    make_staff_session(client, member)
    change_own(client)
    assert (StaffUser.get_by_id(member.id).must_change_password, client.get("/staff/").status_code) == (False, 200)


def test_a_manager_resetting_their_own_password_is_sent_to_change_it(client, practice):
    boss = manager(client, practice)
    assert client.get(f"/staff/accounts/{boss.id}/password").headers["Location"] == "/staff/password/"


def test_another_practices_staff_cannot_be_reset(client, practice):
    manager(client, practice)
    elsewhere = make_staff(make_practice(), "reception")
    response = reset(client, elsewhere)
    assert (response.status_code, StaffUser.get_by_id(elsewhere.id).must_change_password) == (404, False)


# A manager changes someone's role; the practice always keeps an active manager.


def change_role(client, member, role):
    return client.form_post(f"/staff/accounts/{member.id}/role", {"role": role}, token_from="/staff/")


def test_a_manager_changes_a_role(client, practice):
    manager(client, practice)
    member = make_staff(practice, "reception")
    change_role(client, member, "clinician")
    assert StaffUser.get_by_id(member.id).role == "clinician"


def test_a_role_change_is_audited_with_old_and_new(client, practice):
    boss = manager(client, practice)
    member = make_staff(practice, "reception")
    change_role(client, member, "manager")
    event = AuditEvent.get(AuditEvent.action == "staff.role_change")
    assert (event.actor_id, event.object_id, event.detail) == (boss.id, member.id, "reception → manager")


def test_a_new_role_applies_from_the_next_page(client, app, practice):
    member = make_staff(practice, "reception")
    theirs = app.test_client()
    make_staff_session(theirs, member)
    manager(client, practice)
    change_role(client, member, "manager")
    assert theirs.get("/staff/practice/").status_code == 200


def test_the_only_manager_cannot_step_down(client, practice):
    boss = manager(client, practice)
    tree = page(change_role(client, boss, "reception"))
    assert (
        tree.css_first("#role-error").text(strip=True).endswith("Make someone else a manager first"),
        boss.role,
    ) == (
        True,
        "manager",
    )


def test_a_disabled_manager_does_not_count_as_another_manager(client, practice):
    boss = manager(client, practice)
    make_staff(practice, "manager", disabled_at=datetime(2026, 1, 1))
    change_role(client, boss, "reception")
    assert StaffUser.get_by_id(boss.id).role == "manager"


def test_a_manager_can_step_down_when_another_remains(client, practice):
    boss = manager(client, practice)
    make_staff(practice, "manager")
    response = change_role(client, boss, "reception")
    assert (response.headers["Location"], StaffUser.get_by_id(boss.id).role) == ("/staff/", "reception")


def test_an_unknown_role_changes_nothing(client, practice):
    manager(client, practice)
    member = make_staff(practice, "reception")
    change_role(client, member, "superuser")
    assert StaffUser.get_by_id(member.id).role == "reception"


def test_the_role_page_starts_on_the_current_role(client, practice):
    manager(client, practice)
    member = make_staff(practice, "clinician")
    tree = page(client.get(f"/staff/accounts/{member.id}/role"))
    assert tree.css_first("#role option[selected]").attributes["value"] == "clinician"


def test_another_practices_staff_role_cannot_be_changed(client, practice):
    manager(client, practice)
    elsewhere = make_staff(make_practice(), "reception")
    assert change_role(client, elsewhere, "manager").status_code == 404


@pytest.mark.parametrize("role", ["reception", "clinician"])
@pytest.mark.parametrize("action", ["password", "role"])
def test_other_staff_get_not_found_on_reset_and_role_pages(client, practice, role, action):
    make_staff_session(client, make_staff(practice, role))
    member = make_staff(practice, "reception")
    assert client.get(f"/staff/accounts/{member.id}/{action}").status_code == 404
