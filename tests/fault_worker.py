"""A process of its own that writes through tracker.services, for tests/test_faults.py.

Run with the project's settings and a DATABASE_URL of its own (the test's file database
or throwaway PostgreSQL database):

    python tests/fault_worker.py setup                   migrate, load the seed and demo users,
                                                         open a meeting for evidence
    python tests/fault_worker.py pause SERVICE MARK FILE start SERVICE, stop inside its transaction once
                                                         its rows are written, write what it wrote so
                                                         far to FILE, and wait (for a SIGKILL)
    python tests/fault_worker.py write SERVICE MARK      SERVICE, to the end
    python tests/fault_worker.py state MARK              what of MARK's writes is in the database (JSON)

SERVICE is ``add_evidence`` (an update and its history row) or ``record_decision`` with
``concluded=True`` (the committee's category on the assessment, its history row, and a
conclusion with its own history row). MARK is a word put into the text written, to find it.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scrutiny.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from tracker import services  # noqa: E402
from tracker.models import Category, Committee, Conclusion, EvidenceUpdate, Meeting  # noqa: E402

PAUSE_LIMIT_SECONDS = 300


def office():
    return get_user_model().objects.get(username="scrutiny")


def setup():
    call_command("migrate", interactive=False, verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", stdout=quiet)
    today = timezone.localdate()
    # The committee's meeting that has read its pack (the seed's own is imported history), and
    # the next one, open for evidence.
    for days, state in ((20, Meeting.State.PACK_PUBLISHED), (60, Meeting.State.EVIDENCE_OPEN)):
        meeting = services.schedule_meeting(
            Committee.objects.get(), today + datetime.timedelta(days=days),
            today + datetime.timedelta(days=days - 10), by=office(),
        )
        services.choose_recommendations(meeting, by=office())
        services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office())
        if state == Meeting.State.PACK_PUBLISHED:
            services.advance_meeting(meeting, state, office())


def evidence_target():
    meeting = Meeting.objects.get(state=Meeting.State.EVIDENCE_OPEN)
    return meeting, meeting.assessments.order_by("recommendation_id").first().recommendation


def decision_target():
    """An assessment at the meeting awaiting the committee (pack published), not concluded elsewhere."""
    meeting = Meeting.objects.get(state=Meeting.State.PACK_PUBLISHED, imported=False)
    return (meeting.assessments.filter(Q(recommendation__conclusion__isnull=True)
                                       | Q(recommendation__conclusion__meeting=meeting))
            .select_related("meeting__committee", "recommendation").order_by("recommendation_id").first())


def run(service: str, mark: str):
    if service == "add_evidence":
        meeting, recommendation = evidence_target()
        services.add_evidence(recommendation, meeting, f"Progress {mark}.", timezone.localdate(), by=office())
    elif service == "record_decision":
        assessment = decision_target()
        achieved = Category.objects.get(scheme=assessment.meeting.committee.scheme, code="1")
        services.record_decision(assessment, achieved, None, by=office(), concluded=True, remark=f"Concluded {mark}.")
    else:
        raise SystemExit(f"unknown service {service}")


def state(mark: str) -> dict:
    live = Meeting.objects.filter(state=Meeting.State.PACK_PUBLISHED, imported=False)
    assessment = decision_target() if live.exists() else None
    found = {
        "evidence": EvidenceUpdate.objects.filter(text__contains=mark).count(),
        "evidence_history": EvidenceUpdate.history.filter(text__contains=mark).count(),
        "conclusions": Conclusion.objects.filter(remark__contains=mark).count(),
        "conclusion_history": Conclusion.history.filter(remark__contains=mark).count(),
    }
    if assessment is not None:
        found["decision_target"] = assessment.pk
        found["agreed_category"] = assessment.agreed_category_id
        found["assessment_version"] = assessment.version
        found["assessment_history"] = assessment.history.count()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            found["journal_mode"] = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    return found


def pause(service: str, mark: str, ready: Path):
    """Run ``service`` and stop inside its transaction, after the save that writes its last rows."""
    model = EvidenceUpdate if service == "add_evidence" else Conclusion
    original_save = model.save

    def save_then_wait(instance, *args, **kwargs):
        original_save(instance, *args, **kwargs)  # the row, and (post_save) its history row
        assert connection.in_atomic_block
        ready.write_text(json.dumps(state(mark)))  # read inside the transaction: what it has written
        time.sleep(PAUSE_LIMIT_SECONDS)
        raise SystemExit("paused too long: nobody killed this process")

    model.save = save_then_wait
    run(service, mark)


def main(argv):
    action, *args = argv
    if action == "setup":
        setup()
    elif action == "pause":
        pause(args[0], args[1], Path(args[2]))
    elif action == "write":
        run(args[0], args[1])
    elif action == "state":
        print(json.dumps(state(args[0])))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
