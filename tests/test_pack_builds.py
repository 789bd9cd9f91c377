"""The pack built in the background: the scrutiny office asks for a draft or to publish, the
build's page shows how far it has got, then the file to download, the version published, or
what went wrong and how to try again.

The test settings run a task with the ImmediateBackend when the transaction that queued it
commits (``ask_and_follow`` runs those callbacks by hand); the last tests run the real
database worker, and real concurrent connections on PostgreSQL.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import threading

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import EvidenceUpdateFactory
from tests.pages import ask_and_follow, text
from tests.test_pack_support import make_user, page_texts, scrutiny_officer, small_meeting
from tracker import roles, services
from tracker.models import Meeting, PackBuild, PublishedPack

pytestmark = pytest.mark.django_db

Kind, State = PackBuild.Kind, PackBuild.State
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def meeting():
    return small_meeting(state=Meeting.State.EVIDENCE_OPEN)


@pytest.fixture
def office(client):
    user = scrutiny_officer(first_name="Sam", last_name="Scrutiny")
    client.force_login(user)
    return user


def url(name: str, meeting: Meeting) -> str:
    return reverse(name, args=[meeting.pk])


def build_urls(build: PackBuild) -> tuple[str, str, str]:
    """The build's page, its progress for the page's script, and a draft's download."""
    args = [build.meeting_id, build.pk]
    return (reverse("pack_build", args=args), reverse("pack_build_progress", args=args),
            reverse("pack_build_download", args=args))


def pdf_words(pdf) -> str:
    return " ".join("\n".join(page_texts(bytes(pdf))).split())


def another_of_the_office() -> Client:
    colleague = Client()
    colleague.force_login(scrutiny_officer())
    return colleague


# --- Publishing -------------------------------------------------------------------------------


def test_publishing_through_the_build_page_gives_the_same_versions_as_before(
    client, office, meeting, django_capture_on_commit_callbacks
):
    publish = url("pack_publish", meeting)
    first = ask_and_follow(client, publish, django_capture_on_commit_callbacks)
    assert "Version 1 of the pack is published." in text(first)
    EvidenceUpdateFactory(recommendation=meeting.assessments.get().recommendation,
                          text="A correction sent in after publication.")
    second = ask_and_follow(client, publish, django_capture_on_commit_callbacks)
    assert "Version 2 of the pack is published." in text(second)
    again = ask_and_follow(client, publish, django_capture_on_commit_callbacks)
    assert "Nothing has changed since version 2 was published, so it is still the latest version." in text(again)

    one, two = meeting.published_packs.order_by("version")
    assert (one.version, two.version) == (1, 2) and one.published_by == two.published_by == office
    assert "A correction sent in after publication." not in pdf_words(one.pdf)
    assert "A correction sent in after publication." in pdf_words(two.pdf)
    assert f'href="{reverse("pack_download", args=[two.pk])}">Download version 2 (PDF, ' in again.content.decode()
    builds = PackBuild.objects.order_by("asked_at", "pk")
    assert [(b.state, b.published.version, b.published_new, b.layouts) for b in builds] == [
        (State.READY, 1, True, 1), (State.READY, 2, True, 1),
        (State.READY, 2, False, 0),  # nothing had changed: nothing was laid out
    ]
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PACK_PUBLISHED


def test_a_double_click_queues_one_build(client, office, meeting, django_capture_on_commit_callbacks):
    publish = url("pack_publish", meeting)
    with django_capture_on_commit_callbacks() as queued:
        first, second = client.post(publish), client.post(publish)
        meanwhile = another_of_the_office().post(publish)  # a colleague asking meanwhile gets the same build
    build = PackBuild.objects.get()
    assert first["Location"] == second["Location"] == meanwhile["Location"] == build_urls(build)[0]
    assert len(queued) == 1  # one task queued

    for run in queued:
        run()
    assert list(meeting.published_packs.values_list("version", flat=True)) == [1]
    # Once it has finished, asking again is a new build (which finds nothing changed).
    again = ask_and_follow(client, publish, django_capture_on_commit_callbacks)
    assert PackBuild.objects.count() == 2 and "Nothing has changed since version 1" in text(again)


def test_the_database_keeps_one_build_of_a_kind_under_way_per_meeting(meeting, office):
    PackBuild.objects.create(meeting=meeting, kind=Kind.PUBLISH_PACK, steps=4)
    PackBuild.objects.create(meeting=meeting, kind=Kind.DRAFT_PDF, steps=4)  # another kind: allowed
    with pytest.raises(IntegrityError), transaction.atomic():
        PackBuild.objects.create(meeting=meeting, kind=Kind.PUBLISH_PACK, steps=4, state=State.BUILDING)


def test_a_pack_whose_data_changed_while_it_was_laid_out_is_laid_out_again_and_publishes_the_latest(
    client, office, meeting, django_capture_on_commit_callbacks, monkeypatch
):
    laid_out, real = [], services.html_to_pdf
    recommendation = meeting.assessments.get().recommendation

    def someone_saves_during_the_first_layout(html, on_step=None):
        laid_out.append(html)
        if len(laid_out) == 1:
            EvidenceUpdateFactory(recommendation=recommendation, text="Saved while the pages were laid out.")
        return real(html, on_step)

    monkeypatch.setattr(services, "html_to_pdf", someone_saves_during_the_first_layout)
    page = ask_and_follow(client, url("pack_publish", meeting), django_capture_on_commit_callbacks)

    assert "Version 1 of the pack is published." in text(page)
    published = PublishedPack.objects.get()
    assert "Saved while the pages were laid out." not in laid_out[0]
    assert "Saved while the pages were laid out." in pdf_words(published.pdf)
    assert published.source_sha256 == hashlib.sha256(laid_out[1].encode()).hexdigest()
    assert PackBuild.objects.get().layouts == 2


def test_a_pack_whose_data_keeps_changing_is_not_published_and_says_to_try_again(
    client, office, meeting, django_capture_on_commit_callbacks, monkeypatch
):
    real = services.html_to_pdf
    recommendation = meeting.assessments.get().recommendation

    def someone_saves_during_every_layout(html, on_step=None):
        EvidenceUpdateFactory(recommendation=recommendation, text="Yet another update.")
        return real(html, on_step)

    monkeypatch.setattr(services, "html_to_pdf", someone_saves_during_every_layout)
    page = ask_and_follow(client, url("pack_publish", meeting), django_capture_on_commit_callbacks)

    assert "The pack was not published" in text(page)
    assert ("The data changed each of the 3 times the pages were laid out, so nothing was published. Try again "
            "when fewer people are saving changes to this meeting.") in text(page)
    assert "Try again</button>" in page.content.decode()
    assert not PublishedPack.objects.exists()
    assert PackBuild.objects.get().layouts == services.MOST_LAYOUTS == 3
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.EVIDENCE_OPEN


def test_a_build_that_goes_wrong_says_so_in_plain_words_and_can_be_asked_again(
    client, office, meeting, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def out_of_memory(html, on_step=None):
        raise MemoryError("cairo could not allocate a surface")

    monkeypatch.setattr(services, "html_to_pdf", out_of_memory)
    page = ask_and_follow(client, url("pack_pdf", meeting), django_capture_on_commit_callbacks)
    words = text(page)
    assert "The draft was not built" in words and "Something went wrong on the server while it was being built." in words
    assert "cairo" not in words and "MemoryError" not in words  # the details are for whoever looks after it
    assert "cairo could not allocate a surface" in caplog.text
    assert f'action="{url("pack_pdf", meeting)}"' in page.content.decode() and "Try again" in words

    monkeypatch.undo()
    page = ask_and_follow(client, url("pack_pdf", meeting), django_capture_on_commit_callbacks)
    assert "The draft pack is ready." in text(page)
    assert sorted(PackBuild.objects.values_list("state", flat=True)) == [State.FAILED, State.READY]


def test_publishing_a_meeting_that_moved_on_before_the_build_started_says_why_and_offers_no_retry(
    client, office, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        asked = client.post(url("pack_publish", meeting))
    Meeting.objects.filter(pk=meeting.pk).update(state=Meeting.State.DECISIONS_RECORDED)
    for run in queued:
        run()
    page = text(client.get(asked["Location"]))
    assert "The pack was not published" in page
    assert "is “Decisions recorded”: you cannot publish its pack now." in page
    assert "Try again" not in page and not PublishedPack.objects.exists()


def test_publishing_at_the_wrong_point_of_the_cycle_is_refused_before_anything_is_queued(client, office):
    meeting = small_meeting(state=Meeting.State.SCHEDULED)
    response = client.post(url("pack_publish", meeting), follow=True)
    assert "you cannot publish its pack now" in text(response)
    assert response.redirect_chain[-1][0] == url("pack_versions", meeting)
    assert not PackBuild.objects.exists()


def test_a_supplement_with_nothing_late_is_refused_before_anything_is_queued(
    client, office, meeting, django_capture_on_commit_callbacks
):
    ask_and_follow(client, url("pack_publish", meeting), django_capture_on_commit_callbacks)
    response = client.post(url("pack_publish_supplement", meeting), follow=True)
    assert "there is nothing to put in a supplement" in text(response)
    assert list(PackBuild.objects.values_list("kind", flat=True)) == [Kind.PUBLISH_PACK]


# --- Drafts -----------------------------------------------------------------------------------


def test_a_draft_built_for_one_person_is_downloaded_from_the_database_by_another(
    client, office, meeting, django_capture_on_commit_callbacks, monkeypatch
):
    page = ask_and_follow(client, url("pack_pdf", meeting), django_capture_on_commit_callbacks)
    build = PackBuild.objects.get()
    _, _, download = build_urls(build)
    assert f'href="{download}">Download the draft pack (PDF, ' in page.content.decode()
    stored = bytes(PackBuild.objects.get().content)

    # A colleague's request, on any app server: nothing is laid out again, the bytes are the database's.
    monkeypatch.setattr(services, "html_to_pdf", lambda *args, **kwargs: pytest.fail("laid out again"))
    response = another_of_the_office().get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == stored and stored.startswith(b"%PDF") and build.size == len(stored)
    assert response["Content-Disposition"].endswith('-draft.pdf"') and response["Cache-Control"] == "no-store"
    assert "Appendix 2: Progress with Recommendations" in pdf_words(stored)
    assert not PublishedPack.objects.exists()


def test_drafts_are_kept_a_day_or_an_hour_once_a_newer_one_is_ready(
    client, office, meeting, django_capture_on_commit_callbacks
):
    from tracker.tasks import send_reminders

    draft = url("pack_docx", meeting)
    ask_and_follow(client, draft, django_capture_on_commit_callbacks)
    ask_and_follow(client, draft, django_capture_on_commit_callbacks)
    older, newer = PackBuild.objects.order_by("asked_at", "pk")
    assert PackBuild.objects.count() == 2  # a newer one is ready, but the older was built minutes ago

    now = timezone.now()
    PackBuild.objects.filter(pk=older.pk).update(finished_at=now - datetime.timedelta(minutes=61))
    ask_and_follow(client, url("pack_pdf", meeting), django_capture_on_commit_callbacks)  # asking prunes
    assert not PackBuild.objects.filter(pk=older.pk).exists()
    page, _, download = build_urls(older)
    for gone in (client.get(page), client.get(download)):
        assert gone.status_code == 404 and "This draft is no longer kept" in text(gone)

    # The daily run removes a draft a day old, newer or not, and keeps the record of publishing a month.
    PackBuild.objects.filter(pk=newer.pk).update(finished_at=now - datetime.timedelta(hours=25))
    published = PackBuild.objects.create(meeting=meeting, kind=Kind.PUBLISH_PACK, steps=4, state=State.FAILED,
                                         finished_at=now - datetime.timedelta(days=29))
    send_reminders.call(timezone.localdate().isoformat())
    assert not PackBuild.objects.filter(pk=newer.pk).exists()
    assert PackBuild.objects.filter(pk=published.pk).exists()
    PackBuild.objects.filter(pk=published.pk).update(finished_at=now - datetime.timedelta(days=31))
    assert services.prune_pack_builds() == 1 and not PackBuild.objects.filter(pk=published.pk).exists()


def test_a_build_left_by_a_stopped_worker_is_given_up_after_half_an_hour_and_asked_again(
    client, office, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        client.post(url("pack_publish", meeting))  # queued, and its worker stopped
    stopped = PackBuild.objects.get()
    PackBuild.objects.filter(pk=stopped.pk).update(
        state=State.BUILDING, step=2, progress_at=timezone.now() - datetime.timedelta(minutes=29)
    )
    assert client.post(url("pack_publish", meeting))["Location"] == build_urls(stopped)[0]  # still moving, maybe

    PackBuild.objects.filter(pk=stopped.pk).update(progress_at=timezone.now() - datetime.timedelta(minutes=31))
    page = ask_and_follow(client, url("pack_publish", meeting), django_capture_on_commit_callbacks)
    assert "Version 1 of the pack is published." in text(page)
    stopped.refresh_from_db()
    assert stopped.state == State.FAILED
    assert "It stopped without finishing, probably because the server was restarted." in text(
        client.get(build_urls(stopped)[0]))
    # Its task, should its worker come back, leaves it as it is.
    assert services.run_pack_build(stopped.pk) is None and PublishedPack.objects.count() == 1


def test_the_build_pack_command_still_builds_in_the_same_process(seed, tmp_path):
    out = io.StringIO()
    call_command("build_pack", "--output", str(tmp_path / "pack.pdf"), stdout=out)
    assert (tmp_path / "pack.pdf").read_bytes().startswith(b"%PDF")
    assert "14 tracked and 5 concluded recommendations" in out.getvalue()
    assert not PackBuild.objects.exists()


# --- The page, its progress, and the pack page ------------------------------------------------


def test_the_page_and_its_progress_say_each_step_as_it_starts(
    client, office, meeting, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks() as queued:
        asked = client.post(url("pack_publish", meeting))
    build = PackBuild.objects.get()
    page, progress, _ = build_urls(build)
    assert asked["Location"] == page

    waiting = client.get(page)
    assert "Waiting to start" in text(waiting) and "How far it has got: 0%" in text(waiting)
    assert '<progress class="app-progress__bar" id="build-progress" max="100" value="0"' in waiting.content.decode()
    assert f'<form method="get" action="{page}"' in waiting.content.decode() and "Check progress" in text(waiting)
    assert "Asked for by Sam Scrutiny at" in text(waiting)
    assert client.get(progress).json() == {"finished": False, "percent": 0, "status": "Waiting to start",
                                           "waiting_long": False}

    seen, real = [], services.html_to_pdf

    def watched(html, on_step=None):
        def step(code):
            on_step(code)
            seen.append((client.get(progress).json(), text(client.get(page))))
        return real(html, step)

    monkeypatch.setattr(services, "html_to_pdf", watched)
    for run in queued:
        run()
    (laying_out, page_laying_out), (writing, _) = seen
    assert laying_out == {"finished": False, "percent": 2, "status": "Laying out the pages (step 2 of 4)",
                          "waiting_long": False}
    assert "Laying out the pages (step 2 of 4)" in page_laying_out and "How far it has got: 2%" in page_laying_out
    assert writing["status"] == "Writing the PDF (step 3 of 4)" and writing["percent"] == 70

    done = client.get(progress).json()
    assert done["finished"] is True and done["percent"] == 100
    assert "Version 1 of the pack is published." in done["html"]
    assert reverse("pack_download", args=[PublishedPack.objects.get().pk]) in done["html"]
    finished = text(client.get(page))
    assert "Check progress" not in finished and "Version 1 of the pack is published." in finished


def test_a_build_waiting_more_than_a_minute_says_the_worker_may_be_busy_or_stopped(
    client, office, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        client.post(url("pack_pdf", meeting))
    build = PackBuild.objects.get()
    page, progress, _ = build_urls(build)
    assert "data-build-waiting hidden" in client.get(page).content.decode()
    PackBuild.objects.update(asked_at=timezone.now() - datetime.timedelta(minutes=2))
    later = client.get(page)
    assert "data-build-waiting hidden" not in later.content.decode()
    assert "It has not started yet: the background worker may be busy with other packs." in text(later)
    assert client.get(progress).json()["waiting_long"] is True


def test_the_pack_page_lists_builds_under_way_and_drafts_ready(
    client, office, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        client.post(url("pack_publish", meeting))
    publishing = PackBuild.objects.get()
    page = client.get(url("pack_versions", meeting))
    assert "Publishing the pack . Waiting to start: 0% done." in text(page)
    assert f'href="{build_urls(publishing)[0]}"' in page.content.decode()

    for run in queued:
        run()
    ask_and_follow(client, url("pack_pdf", meeting), django_capture_on_commit_callbacks)
    draft = PackBuild.objects.get(kind=Kind.DRAFT_PDF)
    page = client.get(url("pack_versions", meeting))
    assert "Publishing the pack" not in text(page)  # finished: its version is in the table
    assert f'href="{build_urls(draft)[2]}">Download the draft pack (PDF)</a>' in page.content.decode()
    assert "Asked for by Sam Scrutiny." in text(page)


def test_only_the_scrutiny_office_follows_builds_and_downloads_drafts(
    client, office, meeting, django_capture_on_commit_callbacks
):
    ask_and_follow(client, url("pack_pdf", meeting), django_capture_on_commit_callbacks)
    urls = build_urls(PackBuild.objects.get())
    member = Client()
    member.force_login(make_user(roles.COMMITTEE_MEMBER))
    for address in urls:
        assert member.get(address).status_code == 403, address
        signed_out = Client().get(address)
        assert signed_out.status_code == 302 and "/accounts/login/" in signed_out["Location"], address
    # A build is found under its own meeting only.
    other = small_meeting()
    assert client.get(reverse("pack_build", args=[other.pk, PackBuild.objects.get().pk])).status_code == 404


def test_an_old_link_to_the_draft_pdf_leads_to_the_pack_page(client, office, meeting):
    response = client.get(url("pack_pdf", meeting))
    assert response.status_code == 302 and response["Location"] == url("pack_versions", meeting) + "#draft"
    assert not PackBuild.objects.exists()


@pytest.mark.parametrize("size", [2, 20])
def test_the_build_page_and_its_progress_run_a_handful_of_queries_whatever_the_size_of_the_pack(
    client, office, django_capture_on_commit_callbacks, django_assert_max_num_queries, size
):
    meeting = small_meeting(size)
    for _ in range(3):  # earlier builds of the meeting
        ask_and_follow(client, url("pack_pdf", meeting), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks() as queued:
        client.post(url("pack_publish", meeting))
    page, progress, _ = build_urls(PackBuild.objects.get(kind=Kind.PUBLISH_PACK))
    # The session, the user, their roles, the build; the session saved (in a savepoint, in a test).
    for _ in range(2):  # waiting, then finished
        with django_assert_max_num_queries(7):
            assert client.get(page).status_code == 200
        with django_assert_max_num_queries(7):
            assert client.get(progress).status_code == 200
        for run in queued:
            run()


def test_the_build_page_and_its_progress_run_the_same_queries_for_a_small_and_a_large_pack(
    client, office, django_capture_on_commit_callbacks
):
    counts = []
    for size in (2, 20):
        meeting = small_meeting(size)
        with django_capture_on_commit_callbacks() as queued:
            client.post(url("pack_publish", meeting))
        page, progress, _ = build_urls(PackBuild.objects.get(meeting=meeting))
        for _ in range(2):
            for address in (page, progress):
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(address).status_code == 200
                counts.append((size, address == page, len(queries)))
            for run in queued:
                run()
    small, large = counts[:4], counts[4:]
    assert [n for _, _, n in small] == [n for _, _, n in large], counts


# --- The real worker, and real concurrent connections ------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the migrations' rows (roles, scheme) kept
def test_the_database_worker_builds_a_pack_queued_from_the_page():
    from django_tasks_db.models import DBTaskResult

    meeting = small_meeting()
    client = Client()
    client.force_login(scrutiny_officer())
    with override_settings(TASKS=DATABASE_QUEUE):
        asked = client.post(url("pack_publish", meeting))
        queued = DBTaskResult.objects.get()
        build = PackBuild.objects.get()
        assert queued.task_path == "tracker.tasks.build_pack" and queued.args_kwargs["args"] == [build.pk]
        page, progress, _ = build_urls(build)
        assert asked["Location"] == page
        assert "Waiting to start" in text(client.get(page)) and client.get(progress).json()["finished"] is False

        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0",
                     verbosity=0, stdout=io.StringIO())
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert "Version 1 of the pack is published." in text(client.get(page))
    assert client.get(progress).json()["finished"] is True
    assert PublishedPack.objects.get().version == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("kind", [Kind.PUBLISH_PACK, Kind.DRAFT_PDF])
def test_no_transaction_is_open_while_the_pages_are_laid_out_so_other_connections_see_the_step(monkeypatch, kind):
    meeting, office = small_meeting(), scrutiny_officer()
    seen, real = [], services.html_to_pdf

    def read_elsewhere():
        try:
            seen.append(PackBuild.objects.values_list("state", "step", "percent").get())
        finally:
            connections.close_all()

    def watched(html, on_step=None):
        def step(code):
            on_step(code)
            assert not connection.in_atomic_block, f"a transaction is open at the step {code}"
            reader = threading.Thread(target=read_elsewhere)
            reader.start()
            reader.join(timeout=30)
        return real(html, step)

    monkeypatch.setattr(services, "html_to_pdf", watched)
    services.ask_for_pack_build(meeting, kind, by=office)  # runs when its transaction commits
    assert seen == [(State.BUILDING, 2, 2), (State.BUILDING, 3, 70)]
    assert PackBuild.objects.get().state == State.READY


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_people_publishing_at_once_get_one_version_and_later_consecutive_ones():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL")
    meeting = small_meeting()
    people = [scrutiny_officer(), scrutiny_officer()]

    def publish_at_once() -> list[tuple[int, bool]]:
        start, results = threading.Barrier(2), []

        def publish(person):
            try:
                start.wait()
                publication = services.publish_pack(meeting, by=person)
                results.append((publication.pack.version, publication.is_new))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=publish, args=(person,)) for person in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        return sorted(results)

    assert publish_at_once() == [(1, False), (1, True)]
    EvidenceUpdateFactory(recommendation=meeting.assessments.get().recommendation, text="Later evidence.")
    assert publish_at_once() == [(2, False), (2, True)]
    assert list(meeting.published_packs.order_by("version").values_list("version", flat=True)) == [1, 2]
