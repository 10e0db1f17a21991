"""make bench, GP Connect: the largest shared sample imported twice into one patient's record, with the time and
the peak memory (tracemalloc) of each. The second import must write nothing, and take less time."""

import time
import tracemalloc

from kiosk import create_app
from tests import fhir_bundles as fb


def run(database_url: str) -> None:
    present = [name for name in fb.SAMPLE_NAMES if (fb.SAMPLES / name).exists()]
    if not present:
        print(f"GP Connect import: skipped, the shared samples are not at {fb.SAMPLES}")
        return
    largest = max(present, key=lambda name: (fb.SAMPLES / name).stat().st_size)
    raw, nhs, dob = fb.sample_patient(largest)
    app = create_app({"DATABASE_URL": database_url})
    with app.app_context():
        from kiosk.services.gpconnect_import import import_bundle
        from tests.builders import actor_for, make_patient, make_practice, make_staff

        practice = make_practice()
        patient = make_patient(practice, nhs_number=nhs, date_of_birth=dob)
        actor = actor_for(make_staff(practice, "clinician"), device="make bench")
        results = []
        for _ in range(2):
            tracemalloc.start()
            started = time.perf_counter()
            report = import_bundle(actor, practice, patient.id, raw)
            took = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            results.append((took, peak, report.writes))
    (first, first_peak, first_writes), (second, second_peak, second_writes) = results
    size = len(raw) / 1024 / 1024
    print(
        f"GP Connect import of {largest} ({size:.1f} MB): first {first:.2f} s, peak {first_peak / 1e6:.0f} MB, "
        f"{first_writes} rows written; again {second:.2f} s, peak {second_peak / 1e6:.0f} MB, {second_writes} written"
    )
    if second_writes or second >= first:
        raise SystemExit("GP Connect import: the second import of the same bundle must write nothing and be faster")


if __name__ == "__main__":
    import sys
    import tempfile
    from pathlib import Path

    from tests.databases import SqliteTemplate

    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-gpc-"))
    run(sys.argv[1] if len(sys.argv) > 1 else SqliteTemplate(folder).fresh_url(folder))
