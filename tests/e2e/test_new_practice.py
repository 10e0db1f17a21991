"""A new practice from nothing, in Chromium with JavaScript on and off: the documented command makes its first
manager, and from then on only the screens. The manager sets the practice up, reception imports the list and
generates the diary, a patient registers with their letter, books, and checks in on a kiosk reception enrolled, and
reception sees the arrival.

Nothing here is seeded: no demo loader, no tests/builders.py, no writes to the database. The test reads the
database only to check what the screens recorded. The one skip is late in the evening (London time), when a
session covering the next 90 minutes would run past midnight.
"""

import csv
import io
import itertools
import re
import subprocess
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from kiosk.clock import local_today, to_local, utcnow
from kiosk.models import WEEKDAYS, Appointment, Clinician, Patient, Practice, Slot, StaffUser
from tests.builders import valid_nhs_numbers
from tests.e2e.axe import assert_accessible, screenshot
from tests.e2e.screens import CHECKED_IN, KioskScreen, StaffScreens
from tests.e2e.server import ROOT, VENV_BIN

pytestmark = pytest.mark.e2e

_runs = itertools.count(1)  # one practice per run: the live server's database outlives a single test

MANAGER_PASSWORD = "Harbour quill meadow 64"
TEMPORARY_PASSWORD = "Saffron ladder pebble 31"
RECEPTION_PASSWORD = "Cobalt willow anchor 85"
PATIENT_PASSWORD = "Juniper canal whistle 27"
PATIENTS = 50
CHOSEN = 23  # the row of the patient who registers, books and checks in
CHOSEN_BORN = date(1979, 8, 21)
CLINICIANS = [("Dr E Rowe", "Erin Rowe"), ("Dr O Adeyemi", "Olu Adeyemi")]


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def flash(page: Page):
    return page.locator(".app-flash")


def staff_menu(page: Page, link: str) -> None:
    page.get_by_role("navigation", name="Staff menu").get_by_role("link", name=link, exact=True).click()


# The practice list: 50 made-up patients with valid NHS numbers ---------------------------------------------------


def patient_rows(run: int) -> list[dict[str, str]]:
    rows = []
    for i, number in enumerate(valid_nhs_numbers(PATIENTS, 450_000_000 + run * 1000)):
        born = CHOSEN_BORN if i == CHOSEN else date(1940 + i, i % 12 + 1, i % 28 + 1)
        rows.append(
            {
                "nhs_number": number,
                "title": "",
                "given_name": "Imogen" if i == CHOSEN else f"Given{i:02d}",
                "family_name": "Quayle" if i == CHOSEN else f"Family{i:02d}",
                "date_of_birth": born.strftime("%d/%m/%Y"),
                "sex": "female" if i % 2 else "male",  # CHOSEN is odd: Imogen is female
                "address": f"{i + 1} Mill Lane, Leeds",
                "postcode": "LS1 4AP",
                "mobile": "",
                "email": "",
                "nominated_pharmacy": "",
            }
        )
    return rows


def practice_list_csv(columns: list[str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


# The steps --------------------------------------------------------------------------------------------------------


def create_manager(live_server, ods: str, email: str) -> None:
    """The command the README gives for a practice's first manager, run against the live server's database."""
    done = subprocess.run(
        [
            VENV_BIN / "flask",
            "--app",
            "wsgi",
            "create-manager",
            "--ods",
            ods,
            "--practice-name",
            "Canal Street Surgery",
            "--name",
            "Maryam Begum",
            "--email",
            email,
            "--password",
            MANAGER_PASSWORD,
        ],
        cwd=ROOT,
        env=live_server.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Manager {email} created for {ods}."


def set_letters_date(page: Page) -> None:
    page.get_by_role("link", name="Change letters settings").click()
    expect(heading(page)).to_have_text("Letters settings")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("4")
    page.get_by_label("Year").fill("2019")
    page.get_by_role("button", name="Check the change").click()
    expect(heading(page)).to_have_text("Check the new letters date")
    page.get_by_role("button", name="Save the new date").click()
    expect(heading(page)).to_have_text("Practice settings")


def set_check_in_window(page: Page) -> None:
    page.get_by_role("link", name="Change kiosk check-in settings").click()
    page.get_by_label("How early patients can check in", exact=True).fill("30")
    page.get_by_label("How late patients can check in", exact=True).fill("20")
    page.get_by_role("button", name="Save kiosk check-in settings").click()
    expect(heading(page)).to_have_text("Practice settings")
    expect(page.get_by_text("Kiosk check-in: 2 settings saved")).to_be_visible()


def add_clinician(page: Page, shown: str, staff_name: str, room: str) -> None:
    page.get_by_role("link", name="Add a clinician").click()
    page.get_by_label("Name patients see").fill(shown)
    page.get_by_label("Name staff see").fill(staff_name)
    page.get_by_label("Role").select_option(label="GP")
    page.get_by_label("Room").fill(room)
    page.get_by_role("button", name="Add the clinician").click()
    expect(flash(page)).to_contain_text(f"{shown} added")


def add_rota(page: Page, shown: str, staff_name: str, starts: str, ends: str) -> None:
    page.get_by_role("link", name="Back to the rota").click()
    page.get_by_role("link", name="Add a rota for a clinician").click()
    page.get_by_label("Clinician").select_option(label=f"{staff_name} ({shown})")
    page.get_by_label("First date").fill(local_today().isoformat())
    page.get_by_role("button", name="Add the rota").click()
    expect(heading(page)).to_have_text(f"Rota: {staff_name} ({shown})")

    page.get_by_role("link", name="Add a weekly session").click()
    page.get_by_label("Day of the week").select_option(label=WEEKDAYS[local_today().weekday()])
    page.get_by_label("Start time").fill(starts)
    page.get_by_label("End time").fill(ends)
    page.get_by_label("Length of each slot").select_option(label="10 minutes")
    page.get_by_label("Type of appointment").select_option(label="GP appointment")
    page.get_by_label("Who can book these slots").select_option(label="Released for online booking")
    page.get_by_role("button", name="Add the session").click()
    expect(page.locator("tbody")).to_contain_text("9 × 10 minutes")
    expect(page.locator("tbody")).to_contain_text("Online")


def add_receptionist(page: Page, email: str) -> None:
    staff_menu(page, "Practice")
    page.get_by_role("link", name="Staff accounts", exact=True).click()
    expect(heading(page)).to_have_text("Staff accounts")
    page.get_by_role("link", name="Add a staff account").click()
    page.get_by_label("Full name").fill("Rhiannon Price")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Role").select_option(label="Receptionist")
    page.get_by_label("Temporary password").fill(TEMPORARY_PASSWORD)
    page.get_by_role("button", name="Add account").click()
    expect(flash(page)).to_have_text("Account created for Rhiannon Price")
    expect(page.get_by_role("cell", name=email, exact=True)).to_be_visible()


def first_sign_in(page: Page, email: str) -> None:
    """A new account's password is the manager's: nothing opens until its holder has chosen their own."""
    page.goto("/staff/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(TEMPORARY_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page)).to_have_text("Choose a new password")
    page.goto("/staff/patients/")
    expect(heading(page)).to_have_text("Choose a new password")
    page.get_by_label("Current password").fill(TEMPORARY_PASSWORD)
    page.get_by_label("New password", exact=True).fill(RECEPTION_PASSWORD)
    page.get_by_label("Type the new password again").fill(RECEPTION_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    expect(heading(page)).to_have_text("Hello, Rhiannon Price")
    expect(flash(page)).to_have_text("Your password has been changed")


def import_list(page: Page, run: int, tmp_path) -> None:
    staff_menu(page, "Patients")
    page.get_by_role("link", name="Import a list").click()
    expect(heading(page)).to_have_text("Import a practice list")
    with page.expect_download() as download:
        page.get_by_role("link", name="empty template (CSV)").click()
    template = download.value.path().read_text(encoding="utf-8-sig")
    columns = next(csv.reader(io.StringIO(template)))
    assert {"nhs_number", "given_name", "family_name", "date_of_birth", "sex"} <= set(columns)

    path = tmp_path / "practice-list.csv"
    path.write_bytes(practice_list_csv(columns, patient_rows(run)))
    page.get_by_label("CSV file of the practice list").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()
    expect(heading(page)).to_have_text("Check the practice list before importing")
    new = page.locator(".nhsuk-summary-list__row", has=page.get_by_text("New patients", exact=True)).locator("dd")
    expect(new).to_have_text(str(PATIENTS))
    page.get_by_role("button", name=f"Import {PATIENTS} patients").click()
    expect(heading(page)).to_have_text("Practice list imported")


def generate_diary(page: Page) -> tuple[date, int]:
    """Four weeks from today; returns the last day the diary reaches and how many slots were added."""
    staff_menu(page, "Diary")
    page.get_by_role("link", name="Rota and closures").click()
    page.get_by_role("link", name="Generate the diary").click()
    expect(heading(page)).to_have_text("Generate the diary")
    page.get_by_label("Weeks ahead").fill("4")
    page.get_by_role("button", name="Generate the diary").click()
    expect(flash(page)).to_contain_text("slots added")
    said = flash(page).inner_text()
    found = re.search(r"Diary generated to (\w+ \d+ \w+ \d{4}): (\d+) slots added, 0 changed, 0 removed", said)
    assert found, said
    return datetime.strptime(found[1], "%A %d %B %Y").date(), int(found[2])


def issue_letter(page: Page) -> dict[str, str]:
    staff_menu(page, "Patients")
    page.get_by_label("Name, date of birth or NHS number").fill("Quayle")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="QUAYLE, Imogen").click()
    expect(heading(page)).to_have_text("Imogen Quayle")
    page.get_by_role("button", name="Set up online services").click()
    expect(heading(page)).to_have_text("Verify Imogen Quayle’s identity")
    page.get_by_label("How did you verify their identity?").select_option(label="Identity documents")
    page.get_by_label("Evidence").fill("Passport and a council tax bill")
    page.get_by_role("button", name="Record identity check").click()
    expect(heading(page)).to_have_text("Online services for Imogen Quayle")
    page.get_by_label("Book and cancel appointments").check()
    page.get_by_label("I have spoken with the patient alone and they are not being pressured into this").check()
    page.get_by_role("button", name="Save services").click()
    expect(flash(page)).to_have_text("Online services updated")
    page.get_by_role("button", name="Issue the registration letter").click()
    expect(heading(page)).to_have_text("Your registration for GP online services")
    names = page.locator(".app-letter-codes dt").all_inner_texts()
    values = page.locator(".app-letter-codes dd").all_inner_texts()
    return dict(zip(names, values, strict=True))


def register(page: Page, letter: dict[str, str]) -> None:
    page.goto("/register")
    page.get_by_label("Account ID").fill(letter["Account ID"])
    page.get_by_label("Linkage Key").fill(letter["Linkage Key"])
    page.get_by_label("Day").fill(str(CHOSEN_BORN.day))
    page.get_by_label("Month").fill(str(CHOSEN_BORN.month))
    page.get_by_label("Year").fill(str(CHOSEN_BORN.year))
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Create a password")
    page.get_by_label("Create a password").fill(PATIENT_PASSWORD)
    page.get_by_label("Type your password again").fill(PATIENT_PASSWORD)
    page.get_by_role("button", name="Create password and sign in").click()
    expect(heading(page)).to_have_text("Hello, Imogen")


def first_free_slot(practice: Practice) -> Slot:
    """The first free online slot that starts more than two minutes from now, so that it cannot start while the
    patient is choosing it (the finder, like this, orders by time and then by the clinician's name)."""
    return (
        Slot.select(Slot, Clinician)
        .join(Clinician)
        .where(
            (Slot.practice == practice.id)
            & (Slot.released_online == True)  # noqa: E712 - a SQL comparison
            & (Slot.starts_at > utcnow() + timedelta(minutes=2))
        )
        .order_by(Slot.starts_at, Clinician.display_name)
        .first()
    )


def book(page: Page, slot: Slot) -> None:
    shown = f"{to_local(slot.starts_at):%H:%M}"
    page.get_by_role("link", name="Book an appointment").click()
    expect(heading(page)).to_have_text("Book an appointment")
    page.get_by_role("link", name=f"{shown} {slot.clinician.display_name}", exact=True).click()
    expect(heading(page)).to_have_text("Check your appointment")
    page.get_by_role("button", name="Book this appointment").click()
    expect(heading(page)).to_have_text("Appointment booked")
    page.get_by_role("link", name="See all your appointments").click()
    expect(heading(page)).to_have_text("Your appointments")
    card = page.locator(".app-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(f"{to_local(slot.starts_at):%A %-d %B %Y} at {shown}")
    expect(card).to_contain_text(slot.clinician.display_name)


def enrol_kiosk(page: Page, email: str) -> None:
    StaffScreens(page).sign_in(email, RECEPTION_PASSWORD)
    staff_menu(page, "Kiosks")
    expect(heading(page)).to_have_text("Kiosks and calling displays")
    page.get_by_label("Name for this kiosk").fill("Waiting room 1")
    page.get_by_role("button", name="Enrol this device").click()
    expect(flash(page)).to_contain_text("This device is now the kiosk “Waiting room 1”")


# The journey ------------------------------------------------------------------------------------------------------


def test_a_new_practice_from_nothing_to_its_first_check_in(live_server, new_page, db, js, tmp_path):
    now = to_local(utcnow())
    if now.hour * 60 + now.minute > 22 * 60 + 15:
        pytest.skip("after 22:15 in London a session covering the next 90 minutes would run past midnight")
    starts = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    ends = starts + timedelta(minutes=90)
    run = next(_runs)
    ods = f"N{run:04d}{'J' if js else 'P'}"
    manager_email = f"maryam.begum@{ods.lower()}.nhs.test"
    reception_email = f"rhiannon.price@{ods.lower()}.nhs.test"

    # 1. The first manager, from the command line
    create_manager(live_server, ods, manager_email)
    practice = Practice.get(Practice.ods_code == ods)
    assert practice.name == "Canal Street Surgery"
    assert StaffUser.get(StaffUser.practice == practice.id).role == "manager"

    # 2. The manager sets the practice up
    manager = StaffScreens(new_page("desktop", js=js))
    manager.sign_in(manager_email, MANAGER_PASSWORD)
    page = manager.page
    staff_menu(page, "Practice")
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(heading(page)).to_have_text("Practice settings")
    set_letters_date(page)
    set_check_in_window(page)
    practice = Practice.get_by_id(practice.id)
    assert (practice.letters_from, practice.check_in_early_minutes, practice.check_in_late_minutes) == (
        date(2019, 4, 1),
        30,
        20,
    )

    staff_menu(page, "Practice")
    page.get_by_role("link", name="Clinicians and rota").click()
    page.get_by_role("link", name="Clinicians", exact=True).click()
    for n, (shown, staff_name) in enumerate(CLINICIANS, start=1):
        add_clinician(page, shown, staff_name, f"Room {n}")
    for shown, staff_name in CLINICIANS:
        add_rota(page, shown, staff_name, f"{starts:%H:%M}", f"{ends:%H:%M}")
    add_receptionist(page, reception_email)

    # ... and the receptionist's first sign-in makes them choose their own password
    reception = new_page("desktop", js=js)
    first_sign_in(reception, reception_email)
    assert StaffUser.get(StaffUser.email == reception_email).must_change_password is False

    # 3. Reception imports the practice list and generates four weeks of diary
    import_list(reception, run, tmp_path)
    assert Patient.select().where(Patient.practice == practice.id).count() == PATIENTS
    last_day, added = generate_diary(reception)
    slots = Slot.select().where(Slot.practice == practice.id)
    assert added == slots.count()
    later = [s for s in slots if to_local(s.starts_at).date() > local_today()]
    assert (last_day, len(later)) == (local_today() + timedelta(days=28), len(CLINICIANS) * 9 * 4)
    assert all(s.released_online and s.kind == "gp" for s in slots)

    # 4. Reception sets up Imogen Quayle's online services and prints her letter
    letter = issue_letter(reception)

    # 5. She registers on her phone and books the first free time
    phone = new_page("phone", js=js)
    register(phone, letter)
    slot = first_free_slot(practice)
    assert slot is not None and to_local(slot.starts_at).date() == local_today()
    book(phone, slot)
    appointment = Appointment.get(Appointment.slot == slot.id)
    quayle = Patient.get((Patient.practice == practice.id) & (Patient.family_name == "Quayle"))
    assert (appointment.patient_id, appointment.status, appointment.booked_via) == (quayle.id, "booked", "online")
    if js:  # an appointment too soon to cancel online: a state the appointment tests' axe runs do not reach
        screenshot(phone, "new-practice-appointments-soon")
        assert_accessible(phone)

    # 6. Reception enrols the waiting-room screen, and she checks in on it
    screen = new_page("kiosk", js=js)
    enrol_kiosk(screen, reception_email)
    if js:  # the kiosks page on the device just enrolled: not reached by the other axe runs
        screenshot(screen, "new-practice-kiosk-enrolled")
        assert_accessible(screen)
    screen.get_by_role("button", name="Sign out").click()
    expect(screen.get_by_text("You have signed out.")).to_be_visible()
    kiosk = KioskScreen(screen)
    kiosk.identify("Q", "Female", CHOSEN_BORN)
    shown = f"{to_local(slot.starts_at):%H:%M}"
    expect(kiosk.heading).to_have_text(f"Your appointment at {shown} with {slot.clinician.display_name}: is this you?")
    screen.get_by_role("button", name="Yes, check me in").click()
    expect(kiosk.heading).to_have_text(CHECKED_IN)
    assert Appointment.get_by_id(appointment.id).status == "arrived"

    # 7. Reception sees her arrive
    arrivals = StaffScreens(reception).arrivals()
    expect(arrivals.status(appointment)).to_have_text("Arrived")
    expect(arrivals.row(appointment)).to_contain_text("Imogen Quayle")
