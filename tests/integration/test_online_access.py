"""Reception's online-access screens over real routes: search, identity, services, letter, suspension, proxies, and
who may reach each of them."""

from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk.models import (
    ENHANCED_REVIEW,
    AuditEvent,
    IdentityCheck,
    LinkageKey,
    OnlineAccount,
    ProxyLink,
    WebSession,
)
from kiosk.services import online_access
from tests.builders import (
    make_coded_entry,
    make_identity_check,
    make_online_account,
    make_patient,
    make_patient_session,
    make_practice,
    make_proxy_link,
    make_registered_account,
    make_staff,
    make_staff_session,
)
from tests.cheap_hashing import use_cheap_argon2
from tests.pages import check_html
from tests.stored import everything_stored

NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
BORN = date(1985, 3, 14)


@pytest.fixture(autouse=True)
def _frozen(time_machine, monkeypatch):
    time_machine.move_to(NOW, tick=False)
    use_cheap_argon2(monkeypatch)


@pytest.fixture
def grace(practice):
    return make_patient(practice, given_name="Grace", family_name="Shaw", date_of_birth=BORN)


@pytest.fixture
def reception(client, practice):
    staff = make_staff(practice, "reception")
    make_staff_session(client, staff)
    return staff


def text(response) -> str:
    return " ".join(check_html(response.get_data(as_text=True)).body.text(separator=" ").split())


def title(response) -> str:
    return check_html(response.get_data(as_text=True)).css_first("title").text()


def account_of(patient) -> OnlineAccount:
    return OnlineAccount.get(OnlineAccount.patient == patient.id)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


# Finding a patient


def found(client, query) -> str:
    response = client.get("/staff/patients/", query_string={"q": query})
    assert response.status_code == 200
    return text(response)


def test_search_page_starts_empty(client, reception, grace):
    page = text(client.get("/staff/patients/"))
    assert "Find a patient" in page and "SHAW" not in page


@pytest.mark.parametrize("query", ["shaw", "Grace Shaw", "14/03/1985", "14 3 1985"])
def test_search_finds_by_name_and_date_of_birth(client, reception, grace, query):
    assert "SHAW, Grace" in found(client, query)


def test_search_finds_by_nhs_number_with_spaces(client, reception, grace):
    assert "SHAW, Grace" in found(client, grace.formatted_nhs_number)


def test_search_says_when_nobody_matches(client, reception, grace):
    assert "No patients found" in found(client, "Nobody-by-this-name")


def test_search_never_shows_another_practices_patient(client, reception, grace):
    make_patient(make_practice(), given_name="Grace", family_name="Shawcross", date_of_birth=BORN)
    page = found(client, "shaw")
    assert "Shawcross" not in page and "1 patient found" in page


def test_search_as_you_type_answers_with_only_the_results(client, reception, grace):
    response = client.get("/staff/patients/?q=shaw", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "SHAW, Grace" in html and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


# The journey: set up, verify, services, letter


def set_up(client, patient):
    return client.form_post(f"/staff/patients/{patient.id}/online-access", token_from=f"/staff/patients/{patient.id}")


def verify(client, account_id, method="documents", evidence="Passport and a council tax bill"):
    url = f"/staff/online-accounts/{account_id}/identity"
    return client.form_post(url, {"method": method, "evidence": evidence})


def services(client, account_id, **choice):
    return client.form_post(f"/staff/online-accounts/{account_id}/services", choice)


def issue_letter(client, account):
    url = f"/staff/online-accounts/{account.id}/letter"
    return client.form_post(url, token_from=f"/staff/patients/{account.patient_id}")


def letter_codes(response) -> dict:
    tree = check_html(response.get_data(as_text=True))
    names = [dt.text(strip=True) for dt in tree.css(".app-letter-codes dt")]
    values = [dd.text(strip=True) for dd in tree.css(".app-letter-codes dd")]
    return dict(zip(names, values, strict=True))


def ready(client, patient) -> OnlineAccount:
    """Through the screens: set up, identity by documents, appointments and prescriptions on."""
    set_up(client, patient)
    account = account_of(patient)
    verify(client, account.id)
    services(client, account.id, appointments="y", prescriptions="y", record_level="none", not_pressured="y")
    return account


def test_setting_up_goes_straight_to_identity(client, reception, grace):
    response = set_up(client, grace)
    account = account_of(grace)
    assert response.headers["Location"] == f"/staff/online-accounts/{account.id}/identity"
    assert (account.appointments, account.prescriptions, account.record_level) == (False, False, "none")


def test_identity_without_a_method_is_an_error(client, reception, grace):
    set_up(client, grace)
    response = verify(client, account_of(grace).id, method="", evidence="")
    assert title(response).startswith("Error: ")
    assert "Choose how you verified their identity" in text(response)
    assert IdentityCheck.select().count() == 0


def test_identity_check_is_recorded_then_services_are_next(client, reception, grace):
    set_up(client, grace)
    account = account_of(grace)
    response = verify(client, account.id, "vouching_confirmation", "Asked when she last saw the nurse")
    assert response.headers["Location"] == f"/staff/online-accounts/{account.id}/services"
    check = IdentityCheck.get(IdentityCheck.account == account.id)
    assert (check.method, check.verified_by_id) == ("vouching_confirmation", reception.id)


def test_services_page_warns_when_identity_is_not_verified(client, reception, grace):
    set_up(client, grace)
    assert "Identity not verified" in text(client.get(f"/staff/online-accounts/{account_of(grace).id}/services"))


def test_services_before_identity_are_refused_on_the_page_and_audited(client, reception, grace):
    set_up(client, grace)
    account = account_of(grace)
    response = services(client, account.id, appointments="y", record_level="none", not_pressured="y")
    assert title(response).startswith("Error: ")
    assert "verified their identity" in text(response)
    assert account_of(grace).appointments is False
    assert [e.outcome for e in events("online.services")] == ["refused"]


def test_services_without_the_pressure_tick_are_refused(client, reception, grace):
    set_up(client, grace)
    account = account_of(grace)
    verify(client, account.id)
    response = services(client, account.id, appointments="y", record_level="none")
    assert title(response).startswith("Error: ")
    assert "not being pressured" in text(response)
    assert account_of(grace).appointments is False


def test_services_with_identity_and_tick_are_switched_on(client, reception, grace):
    account = ready(client, grace)
    account = OnlineAccount.get_by_id(account.id)
    assert (account.appointments, account.prescriptions, account.record_level) == (True, True, "none")
    page = text(client.get(f"/staff/patients/{grace.id}"))
    assert "Appointments On" in page and "Repeat prescriptions On" in page


def test_enhanced_review_code_is_explained_and_blocks_only_record_access(client, reception, grace):
    make_coded_entry(grace, ENHANCED_REVIEW)
    set_up(client, grace)
    account = account_of(grace)
    verify(client, account.id)
    assert "Record access needs a review" in text(client.get(f"/staff/online-accounts/{account.id}/services"))
    refused = services(client, account.id, appointments="y", record_level="detailed", not_pressured="y")
    assert title(refused).startswith("Error: ") and "clinician’s review" in text(refused)
    assert services(client, account.id, appointments="y", record_level="none", not_pressured="y").status_code == 303
    assert (account_of(grace).appointments, account_of(grace).record_level) == (True, "none")


def test_letter_is_refused_before_identity(client, reception, grace):
    set_up(client, grace)
    response = issue_letter(client, account_of(grace))
    assert response.headers["Location"] == f"/staff/patients/{grace.id}"
    assert "verified their identity" in text(client.get(f"/staff/patients/{grace.id}"))
    assert LinkageKey.select().count() == 0


def test_letter_carries_practice_account_id_key_and_expiry(client, reception, grace, practice):
    account = ready(client, grace)
    response = issue_letter(client, account)
    assert response.headers["Location"] == f"/staff/online-accounts/{account.id}/letter"
    page = client.get(response.headers["Location"])
    codes = letter_codes(page)
    assert codes["Account ID"].replace("-", "") == account.account_id
    assert len(codes["Linkage Key"].replace("-", "")) == 16
    assert codes["Use by"] == "24 June 2026"
    assert practice.name in text(page) and f"ODS code {practice.ods_code}" in text(page)


def test_letter_page_has_no_navigation_and_a_print_note(client, reception, grace):
    account = ready(client, grace)
    tree = check_html(client.get(issue_letter(client, account).headers["Location"]).get_data(as_text=True))
    assert tree.css("nav") == [] and tree.css("header") == []
    assert "Print this page" in tree.css_first(".app-no-print").text()


def test_the_key_on_the_letter_registers_the_patient(client, app, reception, grace):
    account = ready(client, grace)
    codes = letter_codes(client.get(issue_letter(client, account).headers["Location"]))
    patient = app.test_client()
    response = patient.form_post(
        "/register",
        {
            "account_id": codes["Account ID"],
            "linkage_key": codes["Linkage Key"],
            "day": "14",
            "month": "3",
            "year": "1985",
        },
    )
    assert response.headers["Location"] == "/register/password"


def test_the_plain_key_is_nowhere_in_the_database_while_or_after_printing(client, reception, grace):
    account = ready(client, grace)
    response = issue_letter(client, account)
    after_issue = everything_stored()
    key = letter_codes(client.get(response.headers["Location"]))["Linkage Key"]
    after_printing = everything_stored()
    for shape in (key, key.replace("-", ""), key.replace("-", "").lower()):
        assert shape not in after_issue
        assert shape not in after_printing


def test_the_letter_cannot_be_shown_to_another_member_of_staff(client, app, reception, grace, practice):
    account = ready(client, grace)
    issue_letter(client, account)
    colleague = app.test_client()
    make_staff_session(colleague, make_staff(practice, "reception"))
    response = colleague.get(f"/staff/online-accounts/{account.id}/letter")
    assert response.headers["Location"] == f"/staff/patients/{grace.id}"


def test_reissuing_invalidates_the_first_letter(client, app, reception, grace):
    account = ready(client, grace)
    first = letter_codes(client.get(issue_letter(client, account).headers["Location"]))
    second = letter_codes(client.get(issue_letter(client, account).headers["Location"]))
    assert first["Linkage Key"] != second["Linkage Key"]
    patient = app.test_client()
    details = {"account_id": first["Account ID"], "day": "14", "month": "3", "year": "1985"}
    refused = patient.form_post("/register", {**details, "linkage_key": first["Linkage Key"]})
    assert title(refused).startswith("Error: ")
    accepted = patient.form_post("/register", {**details, "linkage_key": second["Linkage Key"]})
    assert accepted.headers["Location"] == "/register/password"


def test_issuing_is_audited(client, reception, grace):
    issue_letter(client, ready(client, grace))
    [event] = events("online.letter_issue")
    assert (event.outcome, event.patient_id, event.actor_id) == ("ok", grace.id, reception.id)


# Suspend and restore


@pytest.fixture
def registered_grace(grace, practice):
    account = make_registered_account(practice, grace, appointments=True)
    return account


def suspend(client, account, reason="Asked at the desk"):
    return client.form_post(f"/staff/online-accounts/{account.id}/suspend", {"reason": reason})


def test_suspend_needs_a_reason(client, reception, registered_grace):
    response = suspend(client, registered_grace, reason="")
    assert title(response).startswith("Error: ") and "Enter the reason" in text(response)
    assert not OnlineAccount.get_by_id(registered_grace.id).is_suspended


def test_suspend_switches_access_off_at_once_and_records_why(client, app, reception, registered_grace, grace):
    phone = app.test_client()
    make_patient_session(phone, registered_grace)
    online_access.issue_registration_letter(
        online_access.Actor("staff", reception.id, "", "reception", grace.practice_id, ""), registered_grace.id
    )
    response = suspend(client, registered_grace, "Worried about pressure at home")
    assert response.headers["Location"] == f"/staff/patients/{grace.id}"
    assert OnlineAccount.get_by_id(registered_grace.id).suspended_reason == "Worried about pressure at home"
    assert LinkageKey.get(LinkageKey.account == registered_grace.id).revoked_at is not None
    assert phone.get("/home").headers["Location"] == "/sign-in?next=/home"
    [event] = events("online.suspend")
    assert (event.actor_id, event.detail) == (reception.id, "Worried about pressure at home")


def test_any_member_of_staff_can_suspend(client, practice, registered_grace):
    make_staff_session(client, make_staff(practice, "clinician"))
    assert suspend(client, registered_grace).status_code == 303
    assert OnlineAccount.get_by_id(registered_grace.id).is_suspended


def test_restore_lets_the_patient_sign_in_again(client, app, reception, registered_grace, grace):
    suspend(client, registered_grace)
    assert "Restore online access" in text(client.get(f"/staff/patients/{grace.id}"))
    client.form_post(f"/staff/online-accounts/{registered_grace.id}/restore", token_from=f"/staff/patients/{grace.id}")
    assert not OnlineAccount.get_by_id(registered_grace.id).is_suspended
    phone = app.test_client()
    signed_in = phone.form_post(
        "/sign-in", {"account_id": registered_grace.account_id, "password": "Quiet harbour lamp 2041"}
    )
    assert signed_in.headers["Location"] == "/home"


# Proxies


@pytest.fixture
def hannah(practice):
    return make_registered_account(
        practice, make_patient(practice, given_name="Hannah", family_name="Green"), appointments=True
    )


def decide(client, patient, proxy, **fields):
    values = {
        "proxy_account_id": proxy.account_id,
        "basis": "parental",
        "appointments": "y",
        "record_level": "none",
        "decision": "grant",
        "reason": "Mother, seen with the child",
    }
    return client.form_post(f"/staff/patients/{patient.id}/proxies/new", {**values, **fields})


def test_proxy_form_lists_what_is_missing(client, reception, grace):
    response = client.form_post(f"/staff/patients/{grace.id}/proxies/new", {})
    page = text(response)
    assert title(response).startswith("Error: ")
    for message in (
        "Enter the proxy’s Account ID",
        "Choose the basis for access",
        "Choose whether to grant or refuse",
        "Enter the reason for the decision",
    ):
        assert message in page


def test_proxy_for_a_12_year_old_needs_the_competence_assessment(client, reception, practice, hannah):
    sophie = make_patient(practice, given_name="Sophie", family_name="Green", date_of_birth=date(2014, 1, 1))
    response = decide(client, sophie, hannah)
    assert title(response).startswith("Error: ") and "competence assessment" in text(response)
    assert ProxyLink.select().count() == 0
    granted = decide(client, sophie, hannah, competence_assessment="Discussed with Sophie alone: content")
    assert granted.headers["Location"] == f"/staff/patients/{sophie.id}"
    link = ProxyLink.get()
    assert (link.basis, link.status, link.appointments) == ("parental", "active", True)


def test_parental_basis_for_a_16_year_old_is_refused_on_the_page(client, reception, practice, hannah):
    teen = make_patient(practice, given_name="Theo", date_of_birth=date(2010, 1, 1))
    response = decide(client, teen, hannah, competence_assessment="Assessed")
    assert "only for a child under 16" in text(response)


def test_a_refusal_is_recorded_from_the_form(client, reception, practice, hannah):
    sophie = make_patient(practice, given_name="Sophie", date_of_birth=date(2019, 1, 1))
    decide(client, sophie, hannah, decision="refuse", reason="Mother has no parental responsibility")
    link = ProxyLink.get()
    assert (link.status, link.reason, link.decided_by_id) == (
        "refused",
        "Mother has no parental responsibility",
        reception.id,
    )
    assert "Refused" in text(client.get(f"/staff/patients/{sophie.id}"))


def test_an_impossible_end_date_is_an_error(client, reception, practice, hannah):
    sophie = make_patient(practice, given_name="Sophie", date_of_birth=date(2019, 1, 1))
    response = decide(client, sophie, hannah, end_day="31", end_month="2", end_year="2027")
    assert "End date must be a real date" in text(response)


def test_ending_proxy_access_from_the_patient_page(client, reception, practice, hannah):
    sophie = make_patient(practice, given_name="Sophie", date_of_birth=date(2019, 1, 1))
    link = make_proxy_link(hannah, sophie, basis="parental")
    client.form_post(
        f"/staff/proxy-links/{link.id}/end", {"reason": "Moved away"}, token_from=f"/staff/patients/{sophie.id}"
    )
    assert ProxyLink.get_by_id(link.id).status == "ended"


def test_proxies_ending_page_lists_links_ending_within_30_days(client, reception, practice, hannah):
    soon = make_patient(practice, given_name="Sophie", family_name="Green", date_of_birth=date(2010, 7, 1))
    later = make_patient(practice, given_name="Ben", family_name="Green", date_of_birth=date(2010, 8, 1))
    make_proxy_link(hannah, soon, basis="parental")
    make_proxy_link(hannah, later, basis="parental")
    page = text(client.get("/staff/proxies/ending"))
    assert "1 Jul 2026 Sophie Green Hannah Green parental" in page
    assert "Ben Green" not in page


def test_a_proxy_not_registered_here_gets_an_account_with_identity_checked(client, reception):
    response = client.form_post(
        "/staff/online-accounts/new",
        {
            "given_name": "Robin",
            "family_name": "Carer",
            "day": "5",
            "month": "5",
            "year": "1975",
            "method": "documents",
            "evidence": "Driving licence",
        },
    )
    account = OnlineAccount.get(OnlineAccount.given_name == "Robin")
    assert response.headers["Location"] == f"/staff/online-accounts/{account.id}"
    assert account.patient_id is None and online_access.latest_identity_check(account).method == "documents"
    assert "can only act as a proxy" in text(client.get(response.headers["Location"]))


def test_new_proxy_person_form_shows_errors(client, reception):
    response = client.form_post("/staff/online-accounts/new", {})
    assert title(response).startswith("Error: ") and "Enter their first name" in text(response)


# Who may reach what


@pytest.fixture
def things(practice, grace):
    account = make_online_account(practice, grace)
    make_identity_check(account)
    proxy = make_registered_account(practice)
    link = make_proxy_link(proxy, grace)
    return {"patient": grace.id, "account": account.id, "proxy": proxy.id, "link": link.id}


DESK = ("reception", "manager")
ANY = ("reception", "clinician", "manager")
# (method, url, roles allowed, form data)
ACTIONS = {
    "search": ("GET", "/staff/patients/?q=Shaw", ANY, None),
    "patient page": ("GET", "/staff/patients/{patient}", ANY, None),
    "set up": ("POST", "/staff/patients/{patient}/online-access", DESK, {}),
    "proxy account page": ("GET", "/staff/online-accounts/{proxy}", ANY, None),
    "new person page": ("GET", "/staff/online-accounts/new", DESK, None),
    "identity page": ("GET", "/staff/online-accounts/{account}/identity", DESK, None),
    "record identity": (
        "POST",
        "/staff/online-accounts/{account}/identity",
        DESK,
        {"method": "documents", "evidence": "Passport"},
    ),
    "services page": ("GET", "/staff/online-accounts/{account}/services", DESK, None),
    "change services": (
        "POST",
        "/staff/online-accounts/{account}/services",
        DESK,
        {"appointments": "y", "record_level": "none", "not_pressured": "y"},
    ),
    "issue letter": ("POST", "/staff/online-accounts/{account}/letter", DESK, {}),
    "suspend page": ("GET", "/staff/online-accounts/{account}/suspend", ANY, None),
    "suspend": ("POST", "/staff/online-accounts/{account}/suspend", ANY, {"reason": "Asked"}),
    "restore": ("POST", "/staff/online-accounts/{account}/restore", DESK, {}),
    "proxy page": ("GET", "/staff/patients/{patient}/proxies/new", DESK, None),
    "end proxy": ("POST", "/staff/proxy-links/{link}/end", DESK, {"reason": "Moved away"}),
    "proxies ending": ("GET", "/staff/proxies/ending", DESK, None),
    "uptake": ("GET", "/staff/reports/uptake", ("manager",), None),
    "uptake csv": ("GET", "/staff/reports/uptake.csv", ("manager",), None),
}
WITH_IDS = [name for name, (_, url, _, _) in ACTIONS.items() if "{" in url]


def state() -> tuple:
    return (
        list(OnlineAccount.select().order_by(OnlineAccount.id).tuples()),
        list(IdentityCheck.select().order_by(IdentityCheck.id).tuples()),
        list(LinkageKey.select().order_by(LinkageKey.id).tuples()),
        list(ProxyLink.select().order_by(ProxyLink.id).tuples()),
    )


def act(client, name: str, things: dict, form_page: str = "/staff/"):
    method, url, _, data = ACTIONS[name]
    url = url.format(**things)
    if method == "GET":
        return client.get(url)
    return client.form_post(url, data, token_from=form_page)


def test_anonymous_visitor_is_sent_to_staff_sign_in_and_nothing_changes(client, things):
    before = state()
    answers = {name: act(client, name, things, form_page="/staff/sign-in") for name in ACTIONS}
    assert {n: (r.status_code, r.headers["Location"].split("?")[0]) for n, r in answers.items()} == dict.fromkeys(
        ACTIONS, (302, "/staff/sign-in")
    )
    assert state() == before


@pytest.mark.parametrize("role", ["clinician", "reception"])
def test_a_role_without_the_right_gets_not_found_and_nothing_changes(client, practice, things, role):
    make_staff_session(client, make_staff(practice, role))
    before = state()
    denied = [name for name, (_, _, allowed, _) in ACTIONS.items() if role not in allowed]
    assert {name: act(client, name, things).status_code for name in denied} == dict.fromkeys(denied, 404)
    assert state() == before


@pytest.mark.parametrize("role", ANY)
def test_each_role_reaches_what_it_is_allowed(client, practice, things, role):
    make_staff_session(client, make_staff(practice, role))
    allowed = [name for name, (method, _, roles, _) in ACTIONS.items() if role in roles and method == "GET"]
    assert {name: act(client, name, things).status_code for name in allowed} == dict.fromkeys(allowed, 200)


def test_staff_of_another_practice_get_not_found_and_nothing_changes(client, things):
    make_staff_session(client, make_staff(make_practice(), "manager"))
    before = state()
    answers = {name: act(client, name, things) for name in WITH_IDS}
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(WITH_IDS, 404)
    assert not [name for name, r in answers.items() if "Grace" in r.get_data(as_text=True)]
    assert state() == before


def test_a_patient_id_of_another_practice_is_not_found_in_search_results(client, things):
    make_staff_session(client, make_staff(make_practice(), "reception"))
    assert "Grace" not in text(client.get("/staff/patients/?q=Shaw"))


def test_viewing_a_patient_page_is_audited(client, reception, grace):
    client.get(f"/staff/patients/{grace.id}")
    [event] = events("patient.view")
    assert (event.patient_id, event.actor_id) == (grace.id, reception.id)


def test_every_post_refuses_a_missing_csrf_token(client, practice, things):
    make_staff_session(client, make_staff(practice, "manager"))
    client.get("/staff/")
    before = state()
    posts = {name: url.format(**things) for name, (method, url, _, _) in ACTIONS.items() if method == "POST"}
    answers = {name: client.post(url, data=ACTIONS[name][3]).status_code for name, url in posts.items()}
    assert answers == dict.fromkeys(posts, 400)
    assert state() == before


def test_session_of_a_suspended_patient_is_gone_from_the_server(client, reception, registered_grace, app):
    phone = app.test_client()
    make_patient_session(phone, registered_grace)
    suspend(client, registered_grace)
    owned = WebSession.select().where((WebSession.user_kind == "patient") & (WebSession.user_id == registered_grace.id))
    assert not owned.exists()


def test_letter_key_expiry_shown_is_14_days_after_issue(client, reception, grace, time_machine):
    time_machine.move_to(NOW + timedelta(days=3), tick=False)
    make_staff_session(client, reception)
    account = ready(client, grace)
    codes = letter_codes(client.get(issue_letter(client, account).headers["Location"]))
    assert codes["Use by"] == "27 June 2026"
