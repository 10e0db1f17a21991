"""The fictional demo practice. Everything here is invented; NHS numbers are in the 999 test range."""

import random
from datetime import date, datetime, time, timedelta

from kiosk.actor import Actor
from kiosk.clock import local_day_bounds, local_to_utc, local_today, to_local, utcnow
from kiosk.db import database
from kiosk.models import (
    Appointment,
    Medicine,
    OnlineAccount,
    Patient,
    Practice,
    ProxyLink,
    Slot,
    StaffUser,
)
from kiosk.models.people import nhs_check_digit
from kiosk.passwords import hash_password
from kiosk.services import DomainError, rota
from kiosk.services.audit import append
from kiosk.services.clinicians import add as add_clinician

ODS = "A99999"
PRACTICE_NAME = "Riverside Medical Practice (demo)"
# Demo only: printed by the command and listed in the README. Never use these anywhere real.
STAFF = [
    ("reception", "Rosa Reid", "reception@demo.kiosk.test", "Waiting room tulip 42"),
    ("clinician", "Dr Amara Patel", "clinician@demo.kiosk.test", "Surgery maple river 17"),
    ("manager", "Mark Mensah", "manager@demo.kiosk.test", "Practice lantern 88 blue"),
]
# The patient the README uses to try the kiosk: always booked for later today.
KIOSK_PATIENT = {"given_name": "Olivia", "family_name": "Shaw", "sex": "female", "date_of_birth": date(1985, 3, 14)}
# Online access for the README (demo only). Account IDs use the letter alphabet (no 0, O, 1, I or L).
READY = {
    "given_name": "George",
    "family_name": "Hall",
    "sex": "male",
    "date_of_birth": date(1972, 6, 2),
    "account_id": "READY23456",
    "password": "Demo walnut ferry 58",
}
PARENT = {
    "given_name": "Hannah",
    "family_name": "Green",
    "sex": "female",
    "date_of_birth": date(1988, 9, 21),
    "account_id": "PARENT2345",
    "password": "Demo parent kettle 27",
}
CHILD = {"given_name": "Sophie", "family_name": "Green", "sex": "female"}
NEW = {
    "given_name": "Priya",
    "family_name": "Singh",
    "sex": "female",
    "date_of_birth": date(1990, 11, 5),
    "account_id": "NEWREG2345",
}
# (name patients see, name staff see, role, room)
CLINICIANS = [
    ("Dr A Patel", "Amara Patel", "gp", "Room 1"),
    ("Dr J Okafor", "James Okafor", "gp", "Room 2"),
    ("Dr S Morgan", "Sian Morgan", "gp", "Room 3"),
    ("Nurse K Lewis", "Kate Lewis", "nurse", "Treatment room"),
]
# Each weekday's sessions by role: (start, end, slot minutes, type, released online). Nurses have a morning clinic.
WEEK = {
    "gp": [
        (time(8, 30), time(12), 10, "gp", True),
        (time(14), time(17, 30), 10, "gp", False),
        (time(17, 30), time(18), 10, "phone", True),
    ],
    "nurse": [(time(9), time(12), 15, "nurse", True)],
}
TRAINING = "Practice training afternoon (demo)"
GIVEN = {
    "female": ["Amelia", "Aisha", "Chloe", "Grace", "Hannah", "Isla", "Mary", "Priya", "Sophie", "Zara", "Joan", "Mei"],
    "male": ["Arjun", "Ben", "David", "Ethan", "George", "Harry", "Jack", "Kwame", "Liam", "Omar", "Tom", "Wei"],
}
FAMILY = [
    "Ahmed",
    "Baker",
    "Clarke",
    "Davies",
    "Evans",
    "Green",
    "Hall",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Mitchell",
    "Nowak",
    "Osei",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Usman",
    "Walker",
    "Young",
    "Zielinski",
]


def demo_nhs_numbers(rng: random.Random):
    """Valid numbers (modulus 11) in the 999 range, which the NHS reserves for testing."""
    while True:
        body = "999" + f"{rng.randrange(10**6):06d}"
        check = nhs_check_digit(body)
        if check is not None:
            yield body + str(check)


def load_demo(*, force: bool = False, patients: int = 300, weeks: int = 4, seed: int = 2026) -> str:
    if Practice.select().where(Practice.ods_code == ODS).exists():
        raise DomainError("The demo practice is already loaded in this database")
    if Practice.select().where(~Practice.is_demo).exists() and not force:
        raise DomainError("This database holds a real practice: refusing to add demo data (use --force to insist)")
    rng = random.Random(seed)
    with database.atomic():
        practice = Practice.create(
            name=PRACTICE_NAME,
            ods_code=ODS,
            phone="01632 960000",
            is_demo=True,
            address="1 Riverside Walk, Exampleton EX1 2AB",
        )
        system = Actor.system(practice.id, "demo loader")
        clinicians = [
            add_clinician(system, display_name=n, staff_name=s, profession=p, room=r) for n, s, p, r in CLINICIANS
        ]
        for role, name, email, password in STAFF:
            append(system, "staff.create", obj=_staff(practice, role, name, email, password, clinicians[0]))
        people = _patients(practice, rng, patients)
        append(system, "demo.load", detail=f"{len(people)} patients")
    _rota(system, clinicians, local_today(), weeks)
    _book(practice, people, rng)
    kiosk_patient = people[0]
    when = _book_kiosk_patient(practice, clinicians[0], kiosk_patient)
    letter = _online_access(practice, people)
    _medicines(practice, rng)
    _records(practice, rng)
    _notification_choices(practice)
    _appointments(practice)
    lines = [f"Loaded {PRACTICE_NAME} ({ODS}) with {len(people)} patients.", "Demo staff accounts (demo only):"]
    lines += [f"  {role:<10} {email:<28} {password}" for role, _, email, password in STAFF]
    lines.append(f"Kiosk patient: surname S, female, born 14 3 1985, appointment today at {when:%H:%M}.")
    lines.append("Patient and proxy accounts (demo only):")
    lines.append(f"  ready patient   Account ID {READY['account_id']}  password {READY['password']}")
    lines.append(
        f"  parent (proxy)  Account ID {PARENT['account_id']}  password {PARENT['password']}  acts for Sophie Green"
    )
    lines.append(f"  to register     Account ID {NEW['account_id']}  Linkage Key {letter}  born 5 11 1990")
    return "\n".join(lines)


def _staff(practice, role, name, email, password, clinician):
    return StaffUser.create(
        practice=practice,
        role=role,
        name=name,
        email=email,
        password_hash=hash_password(password),
        clinician=clinician if role == "clinician" else None,
    )


def _patients(practice, rng, count):
    numbers = demo_nhs_numbers(rng)
    rows = [{**KIOSK_PATIENT, "practice": practice.id, "nhs_number": next(numbers)}]
    seen = {rows[0]["nhs_number"]}
    while len(rows) < count:
        number = next(numbers)
        if number in seen:
            continue
        seen.add(number)
        sex = rng.choice(["female", "male"])
        rows.append(
            {
                "practice": practice.id,
                "nhs_number": number,
                "sex": sex,
                "given_name": rng.choice(GIVEN[sex]),
                "family_name": rng.choice(FAMILY),
                "date_of_birth": date(1930, 1, 1) + timedelta(days=rng.randrange(365 * 94)),
            }
        )
    with database.atomic():
        Patient.insert_many(rows).execute()
    return list(Patient.for_practice(practice.id).order_by(Patient.id))


def _rota(actor, clinicians, today, weeks):
    """The demo's diary comes from its rota, as a real practice's does: a weekday template per clinician, a training
    afternoon, then the diary generated (from midnight, so today's morning shows who was seen)."""
    weekend = today.weekday() >= 5
    for clinician in clinicians:
        # Today always has sessions, so the demo works at weekends too: a one-day rota for today, the usual week after.
        plans = [(today, today, [today.weekday()]), (today + timedelta(days=1), None, range(5))] if weekend else []
        for starts_on, ends_on, weekdays in plans or [(today, None, range(5))]:
            template = rota.add_template(
                actor, clinician_id=clinician.id, room="", starts_on=starts_on, ends_on=ends_on
            )
            for weekday in weekdays:
                for start, end, length, kind, online in WEEK[clinician.profession]:
                    rota.add_session(
                        actor,
                        template.id,
                        weekday=weekday,
                        starts=start,
                        ends=end,
                        length_minutes=length,
                        kind=kind,
                        released_online=online,
                    )
    # Past the first week, so a one-week demo keeps every weekday whole.
    thursday = today + timedelta(days=8 + (3 - (today + timedelta(days=8)).weekday()) % 7)
    rota.add_closure(actor, clinician_id=None, day=thursday, starts=time(13), ends=time(18), reason=TRAINING)
    rota.generate_days(actor, today, today + timedelta(days=7 * weeks), since=local_day_bounds(today)[0])


def _book(practice, people, rng):
    now = utcnow()
    rows = []
    for slot in Slot.for_practice(practice.id).order_by(Slot.starts_at):
        if rng.random() > (0.7 if slot.starts_at < now + timedelta(days=2) else 0.35):
            continue
        status = "booked"
        if slot.starts_at < now - timedelta(minutes=30):
            status = rng.choices(["seen", "dna"], [9, 1])[0]
        elif slot.starts_at < now:
            status = "arrived"
        rows.append(
            {
                "practice": practice.id,
                "slot": slot.id,
                "patient": rng.choice(people[1:]).id,
                "status": status,
                "booked_via": rng.choice(["staff", "online"]),
                "arrived_at": slot.starts_at - timedelta(minutes=5) if status in ("seen", "arrived") else None,
            }
        )
    with database.atomic():
        for i in range(0, len(rows), 500):
            Appointment.insert_many(rows[i : i + 500]).execute()


def _book_kiosk_patient(practice, clinician, patient) -> datetime:
    """A slot about 20 minutes from now (inside the check-in window), created if the diary has none free."""
    local_now = to_local(utcnow()).replace(tzinfo=None, second=0, microsecond=0)
    wanted = local_now + timedelta(minutes=20 - local_now.minute % 10)
    if wanted.date() != local_now.date():  # just before midnight: as late today as possible
        wanted = datetime.combine(local_now.date(), time(23, 59))
    starts = local_to_utc(wanted)
    with database.atomic():
        slot, _ = Slot.get_or_create(
            practice=practice,
            clinician=clinician,
            starts_at=starts,
            defaults={"length_minutes": 10, "kind": "gp", "released_online": False},
        )
        Appointment.delete().where((Appointment.slot == slot) & (Appointment.status != "cancelled")).execute()
        Appointment.create(practice=practice, slot=slot, patient=patient, status="booked", booked_via="staff")
    return wanted


def _online_access(practice, people) -> str:
    """The README's online accounts: one ready, one parent acting for a child, one with a fresh letter to register."""
    from kiosk.services import online_access
    from kiosk.services.proxies import ProxyDecision, decide

    manager = StaffUser.get((StaffUser.practice == practice.id) & (StaffUser.role == "manager"))
    desk = Actor.staff(manager.id, manager.name, "manager", practice.id, "demo loader")
    numbers = demo_nhs_numbers(random.Random(7))
    taken = {p.nhs_number for p in people}

    def patient(details):
        number = next(n for n in numbers if n not in taken)
        taken.add(number)
        keys = ("given_name", "family_name", "sex", "date_of_birth")
        return Patient.create(practice=practice, nhs_number=number, **{k: details[k] for k in keys})

    child_born = local_today().replace(year=local_today().year - 9, day=1)
    accounts = {}
    for details in (READY, PARENT, NEW):
        account = online_access.start_for_patient(desk, patient(details).id)
        OnlineAccount.update(account_id=details["account_id"]).where(OnlineAccount.id == account.id).execute()
        online_access.verify_identity(desk, account.id, "documents", "Passport and a utility bill (demo)")
        choice = online_access.ServiceChoice(True, True, "full" if details is READY else "detailed", True)
        accounts[details["account_id"]] = online_access.set_services(desk, account.id, choice)
    for details in (READY, PARENT):
        OnlineAccount.update(password_hash=hash_password(details["password"]), registered_at=utcnow()).where(
            OnlineAccount.account_id == details["account_id"]
        ).execute()
    child = patient({**CHILD, "date_of_birth": child_born})
    decide(
        desk,
        child.id,
        ProxyDecision(
            PARENT["account_id"],
            "parental",
            "",
            True,
            True,
            "summary",
            None,
            True,
            "Mother, parental responsibility seen (demo)",
        ),
    )
    return online_access.group(online_access.issue_registration_letter(desk, accounts[NEW["account_id"]].id).key)


MEDICINES = [
    ("Ramipril", "5mg", "One capsule each morning", "28 capsules", 24),
    ("Atorvastatin", "20mg", "One tablet at night", "28 tablets", 3),
    ("Metformin", "500mg", "One tablet twice a day with food", "56 tablets", 26),
    ("Salbutamol inhaler", "100 micrograms", "Two puffs when needed", "1 inhaler", 60),
    ("Levothyroxine", "50 micrograms", "One tablet each morning", "28 tablets", 27),
]


def _adults(practice, leave_out=()) -> list[Patient]:
    """Patients 18 or over today. The sampled medicines and problems are adult ones: no baby on ramipril."""
    today = local_today()

    def age(born: date) -> int:
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    patients = Patient.for_practice(practice.id).order_by(Patient.id)
    return [p for p in patients if age(p.date_of_birth) >= 18 and p.id not in leave_out]


def _medicines(practice, rng):
    """Repeat lists for the README's patients and a sample of others; some due, some not, one review overdue.

    George's list fits his record (see ENTRIES): hypertension, type 2 diabetes, asthma, and a penicillin allergy.
    """
    today = local_today()
    george, hannah, sophie = _readme_patients()
    rows = []
    for patient, chosen in ((george, MEDICINES[:4]), (hannah, MEDICINES[4:]), (sophie, MEDICINES[3:4])):
        for name, strength, dose, quantity, days_ago in chosen:
            rows.append(
                {
                    "name": name,
                    "strength": strength,
                    "dose": dose,
                    "quantity": quantity,
                    "patient": patient.id,
                    "last_issued_on": today - timedelta(days=days_ago),
                    "review_on": today + timedelta(days=120),
                }
            )
    rows.append(
        {
            "name": "Amlodipine",
            "strength": "5mg",
            "dose": "One tablet daily",
            "quantity": "28 tablets",
            "patient": george.id,
            "last_issued_on": today - timedelta(days=27),
            "review_on": today - timedelta(days=10),
        }
    )
    # His one-off antibiotic is a macrolide: his record carries a penicillin allergy, so never amoxicillin.
    rows.append(
        {
            "name": "Clarithromycin",
            "strength": "500mg",
            "dose": "One tablet twice a day for 7 days",
            "quantity": "14 tablets",
            "patient": george.id,
            "kind": "acute",
            "last_issued_on": today - timedelta(days=40),
        }
    )
    adults = _adults(practice, leave_out={george.id, hannah.id})
    for patient in rng.sample(adults, min(40, len(adults))):
        name, strength, dose, quantity, _ = rng.choice(MEDICINES)
        rows.append(
            {
                "name": name,
                "strength": strength,
                "dose": dose,
                "quantity": quantity,
                "patient": patient.id,
                "last_issued_on": today - timedelta(days=rng.randrange(40)),
                "review_on": today + timedelta(days=rng.randrange(-20, 300)),
            }
        )
    with database.atomic():
        Medicine.insert_many([{"practice": practice.id, **row} for row in rows]).execute()


ENTRIES = [
    ("problem", "38341003", "Hypertension", {}),
    ("problem", "44054006", "Type 2 diabetes mellitus", {}),
    ("problem", "195967001", "Asthma", {}),
    ("allergy", "91936005", "Allergy to penicillin", {}),
    (
        "result",
        "1022431000000105",
        "Haemoglobin A1c level",
        {"value": "52", "units": "mmol/mol", "reference_range": "20 to 41", "abnormal": True},
    ),
    (
        "result",
        "1000731000000107",
        "Serum cholesterol level",
        {"value": "4.6", "units": "mmol/L", "reference_range": "up to 5.0"},
    ),
    (
        "result",
        "1018251000000107",
        "Serum creatinine level",
        {"value": "78", "units": "umol/L", "reference_range": "59 to 104"},
    ),
    ("immunisation", "1037351000000105", "Influenza vaccination", {}),
    ("immunisation", "1324681000000101", "COVID-19 vaccination", {}),
    ("procedure", "80146002", "Appendicectomy", {}),
    ("consultation", "185317003", "Telephone consultation", {"text": "Blood pressure reviewed; continue ramipril."}),
]


def _records(practice, rng):
    """Coded records for the README's patients and a sample of others; letters in each state of review."""
    from kiosk.models import CodedEntry, Letter

    today = local_today()
    clinician = StaffUser.get((StaffUser.practice == practice.id) & (StaffUser.role == "clinician"))
    reception = StaffUser.get((StaffUser.practice == practice.id) & (StaffUser.role == "reception"))
    george = _readme_patients()[0]
    # A small demo (tests load 40 patients) has fewer than 60 others; George's record is written once, in full.
    candidates = _adults(practice, leave_out={george.id})
    others = rng.sample(candidates, min(60, len(candidates)))
    # The consultation note names George's ramipril: others, whose medicines are drawn at random, do not get it.
    general = [entry for entry in ENTRIES if entry[0] != "consultation"]
    rows = []
    for patient in [george, *others]:
        for n, (kind, code, term, extra) in enumerate(ENTRIES if patient is george else rng.sample(general, 5)):
            rows.append(
                {
                    "practice": practice.id,
                    "patient": patient.id,
                    "kind": kind,
                    "snomed_code": code,
                    "term": term,
                    "effective_on": today - timedelta(days=30 * n + rng.randrange(30)),
                    "recorded_at_place": practice.name,
                    **extra,
                }
            )
    with database.atomic():
        CodedEntry.insert_many(rows).execute()
        letters = [
            (
                "outpatient",
                "cleared",
                "Cardiology clinic, City Hospital",
                "Seen in clinic. Blood pressure well controlled on ramipril. No changes. Discharged to GP care.",
            ),
            (
                "discharge",
                "awaiting_review",
                "Ward 7, City Hospital",
                "Admitted with chest pain. Troponin negative. Discharged the next day. Please review in two weeks.",
            ),
            (
                "referral",
                "withheld",
                "Community mental health team",
                "Referral letter including information given by a family member.",
            ),
        ]
        for n, (kind, status, author, body) in enumerate(letters):
            Letter.create(
                practice=practice,
                patient=george,
                kind=kind,
                received_on=today - timedelta(days=10 + n * 7),
                author=author,
                body=body,
                status=status,
                filed_by=reception,
                withhold_reason="third_party" if status == "withheld" else "",
                decided_by=clinician if status != "awaiting_review" else None,
                decided_at=utcnow() if status != "awaiting_review" else None,
            )


def _appointments(practice):
    """George has an appointment reception booked for him, which leaves both his online bookings free to try."""
    from kiosk.services import booking

    george, _, _ = _readme_patients()
    reception = StaffUser.get((StaffUser.practice == practice.id) & (StaffUser.role == "reception"))
    desk = Actor.staff(reception.id, reception.name, "reception", practice.id, "demo loader")
    live = Appointment.select(Appointment.slot).where(Appointment.status != "cancelled")
    slot = (
        Slot.for_practice(practice.id)
        .where((Slot.starts_at >= utcnow() + timedelta(days=3)) & ~Slot.released_online & Slot.id.not_in(live))
        .order_by(Slot.starts_at)
        .first()
    )
    if slot is not None:
        booking.book(desk, george.id, slot.id, token=booking.new_token())


def _notification_choices(practice):
    """George chose texts and emails about everything; Hannah texts about appointments (hers and Sophie's). The
    numbers are Ofcom's drama range, which reaches nobody."""
    from kiosk.models import ContactPreference

    george, hannah, _ = _readme_patients()
    everything = {f"{c}_{k}": True for c in ("sms", "email") for k in ("appointments", "prescriptions", "letters")}
    for patient, mobile, email, chosen in (
        (george, "07700900058", "george.hall@example.com", everything),
        (hannah, "07700900027", "", {"sms_appointments": True}),
    ):
        account = OnlineAccount.get(OnlineAccount.patient == patient.id)
        ContactPreference.create(practice=practice.id, account=account.id, mobile=mobile, email=email, **chosen)


def _readme_patients() -> tuple[Patient, Patient, Patient]:
    """George (ready), Hannah (the parent) and Sophie (her child), found by account: random names may repeat theirs."""
    george = OnlineAccount.get(OnlineAccount.account_id == READY["account_id"]).patient
    parent = OnlineAccount.get(OnlineAccount.account_id == PARENT["account_id"])
    sophie = ProxyLink.get(ProxyLink.proxy == parent.id).patient
    return george, parent.patient, sophie
