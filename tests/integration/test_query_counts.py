"""The busiest pages send a fixed, small number of SQL statements, however many rows they show.

Each page is fetched with N rows and again with 3N: the statements must be the same in number (a query per row, such
as a template following a foreign key, would add 2N) and within the page's budget. The budgets are today's counts:
lower one when a change saves a query; a change that needs a higher one should say why here. Queries are counted,
never timed: a count is the same on every machine.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest

from kiosk import sessions
from kiosk.services.audit import append
from tests.builders import (
    actor_for,
    local_time_today,
    make_appointment,
    make_clinician,
    make_entry,
    make_medicine,
    make_online_account,
    make_patient,
    make_patient_session,
    make_prescription_request,
    make_registered_account,
    make_slot,
    make_staff,
    make_staff_session,
)
from tests.pages import csrf_token
from tests.query_counter import counting_queries, queries_for

NOW = datetime(2026, 6, 10, 9, 0)  # Wednesday 10 June 2026, 10:00 in London
TOMORROW_8 = datetime(2026, 6, 11, 7, 0)  # 08:00 in London
N = 4

# Statements per request, whole request: session, identity, the page's reads, and the audit record of a view.
# PostgreSQL takes an advisory lock before appending to the audit chain (kiosk/services/audit.py): one more.
BUDGETS = {
    # Session, staff member, today's appointments with slot, clinician and patient (one join), the practice.
    "arrivals": {"sqlite": 4, "postgres": 4},
    # Session, the account with its practice and patient (one join), proxies, clinicians, bookings held, the week's
    # free slots.
    "slot finder": {"sqlite": 6, "postgres": 6},
    # Session, the account with its practice and patient, proxies; the audited view (savepoint, chain head, insert,
    # release); the enhanced-review check once (the route asks, and hands the answer to the services); section
    # totals; each section's newest ten (one ranked query); current medicines.
    "record overview": {"sqlite": 11, "postgres": 12},
    # Session, staff member, practice, and each list with its patients and item counts in one query.
    "prescriptions queue": {"sqlite": 5, "postgres": 5},
    # Session, the kiosk, the count of recent failed matches.
    "kiosk start": {"sqlite": 3, "postgres": 3},
    # Session, the account with its practice and patient, proxies, the items already asked for, the repeat list, the
    # audited view (savepoint, chain head, insert, release).
    "prescriptions page": {"sqlite": 9, "postgres": 10},
    # Session, the account with its practice and patient, proxies, the patient in the practice, the form token, the
    # slot with its clinician, whether it is free, the bookings held, the insert, the audit row (four), and who is
    # told (the notification choices, two reads). PostgreSQL also locks the patient row, so that the booking limit
    # holds under races, and takes the audit chain's lock.
    "booking POST": {"sqlite": 16, "postgres": 18},
}


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW.replace(tzinfo=UTC), tick=False)


@pytest.fixture(autouse=True)
def _no_housekeeping(monkeypatch):
    # One request in PURGE_ONE_IN also deletes expired sessions and counters, whatever the page: not the page's cost.
    monkeypatch.setattr(sessions, "_purge_quietly", lambda app: None)


@pytest.fixture
def backend(request):
    return request.node.callspec.params["database_url"]


@pytest.fixture
def clinicians(practice):
    return [make_clinician(practice, display_name=f"Dr {initial} Jones") for initial in "ABCD"]


def _counts(client, url: str, add_rows, shown) -> tuple[list[str], list[str]]:
    """Statements for `url` with N rows, then with 3N; `shown(page, 3N)` checks the page shows what was added."""
    add_rows(N)
    client.get(url)  # the first request may set up what later ones reuse (a session row)
    with_n = queries_for(client, url)
    add_rows(2 * N)
    shown(client.get(url).get_data(as_text=True), 3 * N)
    return with_n, queries_for(client, url)


def _check(page: str, backend: str, counts: tuple[list[str], list[str]]) -> None:
    with_n, with_3n = counts
    listing = "\n".join(with_3n)
    assert len(with_n) == len(with_3n), (
        f"{page}: {len(with_n)} statements with {N} rows, {len(with_3n)} with {3 * N}:\n{listing}"
    )
    assert len(with_3n) <= BUDGETS[page][backend], f"{page}: over its budget of {BUDGETS[page][backend]}:\n{listing}"


def test_arrivals_for_four_clinicians(client, practice, clinicians, backend):
    make_staff_session(client, make_staff(practice, "reception"))
    made = []

    def add_rows(per_clinician: int):
        for _ in range(per_clinician):
            at = local_time_today(8) + timedelta(minutes=10 * (len(made) // len(clinicians)))
            for clinician in clinicians:
                made.append(make_appointment(make_patient(practice), make_slot(clinician, at)))

    def shown(html: str, per_clinician: int):
        assert html.count('<tr id="appointment-') == per_clinician * len(clinicians)

    _check("arrivals", backend, _counts(client, "/staff/arrivals/", add_rows, shown))


def test_slot_finder_for_a_week_of_free_slots(client, practice, clinicians, backend):
    make_patient_session(client, make_online_account(practice, make_patient(practice), appointments=True))
    made = []

    def add_rows(per_clinician: int):
        for _ in range(per_clinician):
            at = TOMORROW_8 + timedelta(minutes=10 * (len(made) // len(clinicians)))
            made.extend(make_slot(clinician, at) for clinician in clinicians)

    def shown(html: str, per_clinician: int):
        assert len(re.findall(r'href="/appointments/book/\d+"', html)) == per_clinician * len(clinicians)

    _check("slot finder", backend, _counts(client, "/appointments/book", add_rows, shown))


def test_record_overview_at_full_access(client, practice, backend):
    patient = make_patient(practice)
    make_patient_session(client, make_registered_account(practice, patient, record_level="full"))
    kinds = ("allergy", "problem", "result", "immunisation", "procedure", "consultation")

    def add_rows(per_kind: int):
        for _ in range(per_kind):
            make_medicine(patient)
            for kind in kinds:
                make_entry(patient, kind)

    def shown(html: str, per_kind: int):
        # Every current medicine; each section's newest ten, with a link to the rest.
        assert html.count('class="app-entry"') == per_kind + len(kinds) * min(per_kind, 10)
        assert html.count(f"See all {per_kind} ") == len(kinds)

    _check("record overview", backend, _counts(client, "/record", add_rows, shown))


def test_prescriptions_queue(client, practice, backend):
    make_staff_session(client, make_staff(practice, "clinician"))

    def add_rows(count: int):
        for _ in range(count):
            patient = make_patient(practice)
            medicines = [make_medicine(patient), make_medicine(patient, name="Ramipril")]
            make_prescription_request(patient, medicines)
            make_prescription_request(patient, medicines[:1], status="approved", decided_at=NOW)

    def shown(html: str, count: int):
        assert len(re.findall(r'href="/staff/prescriptions/\d+"', html)) == 2 * count

    _check("prescriptions queue", backend, _counts(client, "/staff/prescriptions/", add_rows, shown))


def test_kiosk_start(kiosk_client, practice, clinicians, backend):
    made = []

    def add_rows(count: int):
        # Today's appointments and the kiosk's own audit trail grow through the day; the start screen reads neither
        # row by row (the pause after failed matches is one count).
        for _ in range(count):
            at = local_time_today(8) + timedelta(minutes=10 * len(made))
            made.append(make_appointment(make_patient(practice), make_slot(clinicians[0], at)))
            append(actor_for(kiosk_client.kiosk), "kiosk.check_in", patient_id=made[-1].patient_id)

    def shown(html: str, _count: int):
        assert "What is the first letter of your surname?" in html

    _check("kiosk start", backend, _counts(kiosk_client, "/kiosk/", add_rows, shown))


def test_patient_prescriptions_page(client, practice, backend):
    patient = make_patient(practice)
    make_patient_session(client, make_online_account(practice, patient, prescriptions=True))

    def add_rows(count: int):
        # The repeat list and the requests already made grow; the page reads each list in one query.
        for _ in range(count):
            medicines = [make_medicine(patient), make_medicine(patient, name="Ramipril")]
            make_prescription_request(patient, medicines)

    def shown(html: str, count: int):
        assert html.count('type="checkbox"') == 2 * count

    _check("prescriptions page", backend, _counts(client, "/prescriptions/", add_rows, shown))


def test_booking_post(client, practice, clinicians, backend):
    """However many appointments the patient and the practice already hold, booking one sends the same statements."""
    patient = make_patient(practice)
    make_patient_session(client, make_online_account(practice, patient, appointments=True))
    practice.max_online_bookings = 1000
    practice.save()
    slots = []

    def add_rows(count: int):
        for _ in range(count):
            at = TOMORROW_8 + timedelta(minutes=10 * len(slots))
            slots.append(make_slot(clinicians[0], at))
            make_appointment(make_patient(practice), make_slot(clinicians[1], at))
            make_appointment(patient, make_slot(clinicians[2], at))

    def booking(slot) -> list[str]:
        page = client.get(f"/appointments/book/{slot.id}").get_data(as_text=True)
        token = re.search(r'name="token" value="([^"]+)"', page)[1]
        data = {"csrf_token": csrf_token(page), "token": token}
        with counting_queries() as statements:
            response = client.post(f"/appointments/book/{slot.id}", data=data)
        assert response.status_code == 303, response.get_data(as_text=True)
        return statements

    add_rows(N)
    with_n = booking(slots[0])
    add_rows(2 * N)
    _check("booking POST", backend, (with_n, booking(slots[-1])))
