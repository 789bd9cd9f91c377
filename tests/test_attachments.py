"""Officers attach documents and images to their evidence: checked by what the file holds,
kept through the storage, listed wherever the update is, in the pack, public once published,
and carried by export and restore."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import docx
import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from PIL import Image
from pypdf import PdfReader

from tests.pages import evidence_fields, field_errors, signed_in, text
from tracker import public, services
from tracker.demo import create_demo_users
from tracker.models import (
    Committee,
    EvidenceAttachment,
    EvidenceUpdate,
    Meeting,
    PublishedPack,
    Recommendation,
    StoredFile,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
WORDS = "Taxi drivers trained: 1,200 of 1,450 licence holders attended."


# --- Files as an officer has them ------------------------------------------------------------


def pdf_bytes() -> bytes:
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("Training register, June 2016")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
HTML = b"<!DOCTYPE html><html><head><script>alert(document.cookie)</script></head><body></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    """What the browser sends: the name and type it claims, and the bytes."""
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- The meeting -----------------------------------------------------------------------------


STORAGES = {"filesystem": "django.core.files.storage.FileSystemStorage",
            "database": "tracker.storage.DatabaseStorage"}


@pytest.fixture(autouse=True, params=list(STORAGES))
def media(request, tmp_path, settings):
    """Every story runs with files in a folder of the test's own (never the repository's), and
    again with files in the database (FILE_STORAGE=database), when nothing may reach the folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": STORAGES[request.param]}}
    yield settings.MEDIA_ROOT
    if request.param == "database":
        assert files_in(settings.MEDIA_ROOT) == []


def user(name):
    return get_user_model().objects.get(username=name)


def r06():
    return Recommendation.objects.get(number="R06")


@pytest.fixture
def meeting(seed):
    """A meeting open for evidence, tracking the seed's recommendations; the committee on the register."""
    Committee.objects.update(on_public_register=True)
    create_demo_users()
    office = user("scrutiny")
    meeting = services.schedule_meeting(
        Committee.objects.get(), datetime.date(2016, 6, 15), datetime.date(2016, 6, 1), by=office
    )
    services.choose_recommendations(meeting, by=office)
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)
    return meeting


def add_url(meeting):
    return f"/meetings/{meeting.pk}/recommendations/{r06().pk}/evidence/new/"


def with_file(meeting, file, description="Training register, June 2016"):
    prefix = f"r{r06().pk}"
    return {**evidence_fields(prefix, WORDS), f"{prefix}-attachment": file,
            f"{prefix}-attachment_description": description}


def files_in(folder) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*") if p.is_file()) if Path(folder).exists() else []


def stored_files(media) -> list[bytes]:
    """The bytes of every file the storage holds: in the test's folder, or in the database."""
    return [p.read_bytes() for p in files_in(media)] + [bytes(f.content) for f in StoredFile.objects.order_by("pk")]


def attach_with_service(meeting, content=None, name="register.pdf", description="Training register, June 2016"):
    update = services.add_evidence(r06(), meeting, WORDS, datetime.date(2016, 6, 1), by=user("officer"))
    return services.add_attachment(update, upload(name, content or pdf_bytes()), description, by=user("officer"))


# --- Upload ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, content, content_type, words", [
    ("register.pdf", pdf_bytes(), "application/pdf", "PDF"),
    ("register.docx", docx_bytes(),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"),
    ("photo.png", png_bytes(), "image/png", "PNG image"),
], ids=["PDF", "Word", "PNG"])
def test_the_officer_adds_an_update_with_a_document_and_it_is_listed_under_it(
    meeting, media, name, content, content_type, words
):
    officer = signed_in("officer")
    page = officer.get(f"/my-recommendations/meetings/{meeting.pk}/")
    assert 'enctype="multipart/form-data"' in page.content.decode()
    assert "Attach a document or image (optional)" in text(page)

    response = officer.post(add_url(meeting), with_file(meeting, upload(f"C:\\Users\\olivia\\{name}", content)))

    assert response.status_code == 302
    attachment = EvidenceAttachment.objects.get()
    assert attachment.evidence == EvidenceUpdate.objects.get(text=WORDS)
    assert attachment.content_type == content_type
    assert attachment.name == name  # the folders the browser sent are not kept
    assert (attachment.size, attachment.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert attachment.uploaded_by == user("officer")
    assert name not in attachment.file.name  # stored under a name of its own
    assert stored_files(media) == [content]
    size = f"{max(1, round(len(content) / 1024))} KB"
    for page_url in (f"/my-recommendations/meetings/{meeting.pk}/", f"/recommendations/{r06().pk}/"):
        assert f"Training register, June 2016 ({words}, {size})" in text(officer.get(page_url)), page_url


@pytest.mark.parametrize("content", [EXECUTABLE, HTML, SVG], ids=["executable", "web page", "SVG image"])
def test_a_file_named_pdf_that_is_something_else_is_refused_beside_the_field(meeting, media, content):
    response = signed_in("officer").post(add_url(meeting), with_file(meeting, upload("register.pdf", content)))

    assert response.status_code == 400
    assert field_errors(response) == ["The file must be a PDF, a Word document or an image (PNG, JPEG or GIF)"]
    assert not EvidenceUpdate.objects.filter(text=WORDS).exists()
    assert not EvidenceAttachment.objects.exists()
    assert stored_files(media) == []


@override_settings(ATTACHMENT_MAX_BYTES=1024)
def test_a_file_over_the_limit_is_refused_beside_the_field_in_plain_words(meeting, media):
    response = signed_in("officer").post(add_url(meeting), with_file(meeting, upload("big.pdf", pdf_bytes() * 20)))

    assert response.status_code == 400
    assert field_errors(response) == ["The file must be smaller than 1 KB"]
    assert not EvidenceAttachment.objects.exists() and stored_files(media) == []


def test_the_limit_says_10_mb_by_default(meeting):
    page = text(signed_in("officer").get(add_url(meeting)))
    assert "smaller than 10 MB" in page


def test_an_empty_file_is_refused_beside_the_field(meeting, media):
    response = signed_in("officer").post(add_url(meeting), with_file(meeting, upload("empty.pdf", b"")))

    assert response.status_code == 400
    assert field_errors(response) == ["The selected file is empty"]
    assert not EvidenceAttachment.objects.exists() and stored_files(media) == []


def test_a_file_needs_words_saying_what_it_is(meeting, media):
    response = signed_in("officer").post(add_url(meeting), with_file(meeting, upload("a.pdf", pdf_bytes()), ""))

    assert response.status_code == 400
    assert field_errors(response) == ["Enter what the file is or shows"]
    assert not EvidenceUpdate.objects.filter(text=WORDS).exists()


def test_words_about_a_file_without_the_file_ask_for_it(meeting, media):
    prefix = f"r{r06().pk}"
    response = signed_in("officer").post(add_url(meeting), {
        **evidence_fields(prefix, WORDS), f"{prefix}-attachment_description": "Training register",
    })
    assert response.status_code == 400
    assert field_errors(response) == [
        "Select the file to attach (again, if you chose it before), or clear “What it is or shows”"
    ]
    assert not EvidenceUpdate.objects.filter(text=WORDS).exists()


def test_an_update_without_a_file_is_added_as_before(meeting, media):
    response = signed_in("officer").post(add_url(meeting), evidence_fields(f"r{r06().pk}", WORDS))
    assert response.status_code == 302
    assert EvidenceUpdate.objects.filter(text=WORDS).exists() and not EvidenceAttachment.objects.exists()


def test_the_same_form_sent_twice_attaches_the_file_once(meeting, media):
    officer = signed_in("officer")
    fields = with_file(meeting, upload("register.pdf", pdf_bytes()))
    officer.post(add_url(meeting), fields)
    fields[f"r{r06().pk}-attachment"] = upload("register.pdf", pdf_bytes())
    officer.post(add_url(meeting), fields)
    assert EvidenceUpdate.objects.filter(text=WORDS).count() == 1
    assert EvidenceAttachment.objects.count() == 1


def test_the_author_attaches_a_file_to_an_update_already_written(meeting, media):
    update = services.add_evidence(r06(), meeting, WORDS, datetime.date(2016, 6, 1), by=user("officer"))
    officer = signed_in("officer")
    assert "Attach a file" in text(officer.get(f"/recommendations/{r06().pk}/"))
    url = f"/evidence/{update.pk}/attach/"
    form = officer.get(url)
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.content.decode()

    response = officer.post(url, {"attachment": upload("site.png", png_bytes(), "image/png"),
                                  "attachment_description": "The new taxi rank sign", "submission": uuid.uuid4()})

    assert response.status_code == 302
    assert update.attachments.get().description == "The new taxi rank sign"
    assert "The new taxi rank sign (PNG image, 1 KB)" in text(officer.get(f"/recommendations/{r06().pk}/"))


def test_attaching_on_its_own_page_refuses_a_wrong_file_beside_the_field(meeting, media):
    update = services.add_evidence(r06(), meeting, WORDS, datetime.date(2016, 6, 1), by=user("officer"))
    response = signed_in("officer").post(f"/evidence/{update.pk}/attach/", {
        "attachment": upload("minutes.pdf", HTML), "attachment_description": "Minutes", "submission": uuid.uuid4(),
    })
    assert response.status_code == 400
    assert field_errors(response) == ["The file must be a PDF, a Word document or an image (PNG, JPEG or GIF)"]
    missing = signed_in("officer").post(f"/evidence/{update.pk}/attach/", {"submission": uuid.uuid4()})
    assert field_errors(missing) == ["Select a file to attach", "Enter what the file is or shows"]
    assert not EvidenceAttachment.objects.exists() and stored_files(media) == []


def test_the_scrutiny_office_attaches_on_an_officers_behalf(meeting, media):
    update = services.add_evidence(r06(), meeting, WORDS, datetime.date(2016, 6, 1), by=user("officer"))
    response = signed_in("scrutiny").post(f"/evidence/{update.pk}/attach/", {
        "attachment": upload("r.pdf", pdf_bytes()), "attachment_description": "Register", "submission": uuid.uuid4(),
    })
    assert response.status_code == 302
    assert update.attachments.get().uploaded_by == user("scrutiny")


def test_an_officer_of_another_service_cannot_attach_and_nothing_is_stored(meeting, media):
    update = services.add_evidence(r06(), meeting, WORDS, datetime.date(2016, 6, 1), by=user("officer"))
    stranger = get_user_model().objects.create_user("stranger", password="stranger-pass-1234")
    stranger.groups.add(*user("officer").groups.all())
    client = Client()
    client.force_login(stranger)

    url = f"/evidence/{update.pk}/attach/"
    assert client.get(url).status_code == 403
    response = client.post(url, {"attachment": upload("r.pdf", pdf_bytes()), "attachment_description": "Register",
                                 "submission": uuid.uuid4()})
    assert response.status_code == 403
    assert "Only the update’s author" in text(response)
    assert not EvidenceAttachment.objects.exists() and stored_files(media) == []


def test_signed_out_the_attach_page_asks_to_sign_in(meeting):
    update = services.add_evidence(r06(), meeting, WORDS, datetime.date(2016, 6, 1), by=user("officer"))
    response = Client().get(f"/evidence/{update.pk}/attach/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_nothing_is_attached_once_the_meeting_has_stopped_collecting_evidence(meeting, media):
    update = services.add_evidence(r06(), meeting, WORDS, datetime.date(2016, 6, 1), by=user("officer"))
    services.publish_pack(meeting, by=user("scrutiny"))
    page = signed_in("officer").get(f"/evidence/{update.pk}/attach/")
    assert "nothing can be attached" in text(page)
    with pytest.raises(Exception, match="nothing can be attached"):
        services.add_attachment(update, upload("r.pdf", pdf_bytes()), "Register", by=user("officer"))
    assert not EvidenceAttachment.objects.exists() and stored_files(media) == []


def test_an_update_received_after_the_pack_takes_a_file_too(meeting, media):
    services.publish_pack(meeting, by=user("scrutiny"))
    response = signed_in("officer").post(
        f"/meetings/{meeting.pk}/recommendations/{r06().pk}/evidence/late/",
        with_file(meeting, upload("late.pdf", pdf_bytes()), "Letter from the licensing office"),
    )
    assert response.status_code == 302
    update = EvidenceUpdate.objects.get(text=WORDS)
    assert update.received_after is not None
    assert update.attachments.get().description == "Letter from the licensing office"


# --- Download --------------------------------------------------------------------------------


def test_anyone_signed_in_downloads_it_as_stored_with_safe_headers(meeting, media):
    attachment = attach_with_service(meeting, name="Réunion minutes.pdf")

    response = signed_in("member").get(f"/attachments/{attachment.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=UTF-8''R%C3%A9union%20minutes.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_signed_out_the_download_asks_to_sign_in(meeting):
    attachment = attach_with_service(meeting)
    response = Client().get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_public_download_is_not_found_until_a_pack_printing_it_is_published(meeting, media):
    attachment = attach_with_service(meeting)
    url = f"/public/attachments/{attachment.pk}/"
    assert Client().get(url).status_code == 404
    assert signed_in("member").get(url).status_code == 404

    services.publish_pack(meeting, by=user("scrutiny"))

    response = Client().get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.cookies and "Cookie" not in response.get("Vary", "")
    # Nor for someone signed in: a proxy must never keep a session cookie.
    signed = signed_in("member").get(url)
    assert signed.status_code == 200 and not signed.cookies and "Cookie" not in signed.get("Vary", "")


def test_a_file_attached_after_the_pack_was_published_is_not_public(meeting, media):
    update = services.add_evidence(r06(), meeting, WORDS, datetime.date(2016, 6, 1), by=user("officer"))
    services.publish_pack(meeting, by=user("scrutiny"))
    late = services.add_late_evidence(r06(), meeting, by=user("officer"), text="Later news.",
                                      written_on=datetime.date(2016, 6, 10))
    attachment = services.add_attachment(late, upload("late.pdf", pdf_bytes()), "Later letter", by=user("officer"))
    assert update in public.evidence()
    assert Client().get(f"/public/attachments/{attachment.pk}/").status_code == 404


def test_the_open_data_lists_a_published_file_with_its_evidence_and_nothing_before(meeting, media):
    attachment = attach_with_service(meeting)

    def listed():
        evidence = Client().get(f"/api/v1/evidence/?recommendation={r06().pk}&page_size=1000").json()["results"]
        return [file for update in evidence for file in update["attachments"]]

    assert listed() == []
    services.publish_pack(meeting, by=user("scrutiny"))
    [file] = listed()
    assert file["description"] == "Training register, June 2016"
    assert file["content_type"] == "application/pdf"
    assert file["download"].endswith(f"/public/attachments/{attachment.pk}/")
    assert Client().get(file["download"]).status_code == 200


def test_a_committee_off_the_register_keeps_its_files_private(meeting, media):
    attachment = attach_with_service(meeting)
    services.publish_pack(meeting, by=user("scrutiny"))
    Committee.objects.update(on_public_register=False)
    assert Client().get(f"/public/attachments/{attachment.pk}/").status_code == 404


# --- In the pack -----------------------------------------------------------------------------


def pdf_text(pack: PublishedPack) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(pack.pdf))).pages)


def test_the_pack_lists_the_file_under_the_evidence_it_belongs_to(meeting, media):
    attach_with_service(meeting)
    services.publish_pack(meeting, by=user("scrutiny"))
    printed = " ".join(pdf_text(meeting.published_packs.get()).split())
    assert f"{WORDS} Attached: Training register, June 2016 (PDF, 1 KB)" in printed


def test_the_word_pack_lists_the_file_under_the_evidence_it_belongs_to(meeting, media):
    from docx import Document

    from tracker.pack.docx import build_pack_docx

    attach_with_service(meeting)
    paragraphs = [p.text for p in Document(io.BytesIO(build_pack_docx(meeting))).paragraphs]
    attached = paragraphs.index("Attached: Training register, June 2016 (PDF, 1 KB)")
    assert WORDS in paragraphs[attached - 1]


def test_building_the_pack_runs_the_same_queries_with_and_without_attachments(meeting, media):
    from tracker.pack.context import pack_for
    from tracker.pack.render import render_pack_html

    update = services.add_evidence(r06(), meeting, WORDS, datetime.date(2016, 6, 1), by=user("officer"))

    def count():
        with CaptureQueriesContext(connection) as captured:
            render_pack_html(pack_for(meeting))
        return len(captured)

    before = count()
    for number in range(3):
        services.add_attachment(update, upload(f"{number}.pdf", pdf_bytes() + bytes([number])), f"File {number}",
                                by=user("officer"))
    assert count() == before


# --- Query counts ----------------------------------------------------------------------------


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_timeline_the_officers_page_and_the_update_form_run_the_same_queries_with_one_file_or_many(
    meeting, media
):
    officer = signed_in("officer")
    pages = [f"/recommendations/{r06().pk}/", f"/my-recommendations/meetings/{meeting.pk}/", add_url(meeting)]
    attach_with_service(meeting)
    with_one = [queries(officer, url) for url in pages]
    for number in range(4):
        update = services.add_evidence(r06(), meeting, f"Update {number}.", datetime.date(2016, 6, 1),
                                       by=user("officer"))
        for copy in range(2):
            services.add_attachment(update, upload("f.pdf", pdf_bytes() + bytes([number, copy])),
                                    f"File {number}.{copy}", by=user("officer"))
    assert [queries(officer, url) for url in pages] == with_one
    assert "File 3.1 (PDF, 1 KB)" in text(officer.get(pages[0]))


# --- Export and restore ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_attachment_survives_export_wipe_and_restore(seed, tmp_path, media):
    Committee.objects.update(on_public_register=True)
    create_demo_users()
    office = user("scrutiny")
    meeting = services.schedule_meeting(Committee.objects.get(), datetime.date(2016, 6, 15),
                                        datetime.date(2016, 6, 1), by=office)
    services.choose_recommendations(meeting, by=office)
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)
    content = docx_bytes() + b"\x00" * 700_000  # over one line's chunk: a file across several lines
    attachment = attach_with_service(meeting, content=docx_bytes(), name="register.docx")
    big = services.add_attachment(attachment.evidence, upload("scan.pdf", pdf_bytes() + content), "Scan",
                                  by=user("officer"))
    kept = {a.pk: (a.file.name, a.sha256) for a in (attachment, big)}
    backup = tmp_path / "backup.jsonl.gz"
    call_command("export_data", str(backup), stdout=io.StringIO())

    call_command("flush", interactive=False, verbosity=0)
    for name, _ in kept.values():
        default_storage.delete(name)
    assert not EvidenceAttachment.objects.exists() and stored_files(media) == []

    out = io.StringIO()
    call_command("restore_data", str(backup), "--yes", stdout=out)

    assert "2  attached files" in out.getvalue()
    for pk, (name, sha256) in kept.items():
        restored = EvidenceAttachment.objects.get(pk=pk)
        assert restored.file.name == name
        with default_storage.open(name, "rb") as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == sha256
    response = signed_in("member").get(f"/attachments/{big.pk}/")
    assert b"".join(response.streaming_content) == pdf_bytes() + content


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_whose_file_bytes_do_not_match_is_refused_and_nothing_is_restored(seed, tmp_path, media, capsys):
    Committee.objects.update(on_public_register=True)
    create_demo_users()
    office = user("scrutiny")
    meeting = services.schedule_meeting(Committee.objects.get(), datetime.date(2016, 6, 15),
                                        datetime.date(2016, 6, 1), by=office)
    services.choose_recommendations(meeting, by=office)
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)
    attachment = attach_with_service(meeting)
    backup = tmp_path / "backup.jsonl"
    call_command("export_data", str(backup), stdout=io.StringIO())
    lines = backup.read_bytes().splitlines(keepends=True)
    tampered = []
    for line in lines:
        if line.startswith(b'{"file"'):
            data = json.loads(line)
            data["data"] = "".join(reversed(data["data"][:-4])) + data["data"][-4:]
            line = json.dumps(data).encode() + b"\n"
        tampered.append(line)
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_bytes(b"".join(tampered))
    default_storage.delete(attachment.file.name)
    updates_before = EvidenceUpdate.objects.count()

    with pytest.raises(Exception, match="do not match its checksum|cannot be read"):
        call_command("restore_data", str(damaged), "--yes", stdout=io.StringIO())

    assert EvidenceUpdate.objects.count() == updates_before
    assert stored_files(media) == []


def test_the_export_refuses_when_a_file_is_missing_from_storage(meeting, media, tmp_path):
    attachment = attach_with_service(meeting)
    default_storage.delete(attachment.file.name)
    with pytest.raises(Exception, match="missing from the file storage"):
        call_command("export_data", str(tmp_path / "b.jsonl"), stdout=io.StringIO())
    assert not (tmp_path / "b.jsonl").exists()


# --- Storage settings ------------------------------------------------------------------------


def test_s3_storage_is_configured_from_the_environment():
    environment = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "scrutiny.settings", "ATTACHMENTS_S3_BUCKET": "council-evidence",
        "AWS_S3_ENDPOINT_URL": "https://s3.example.org", "AWS_ACCESS_KEY_ID": "key-id",
        "AWS_SECRET_ACCESS_KEY": "secret", "AWS_S3_REGION_NAME": "eu-west-2",
    }
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    result = subprocess.run([sys.executable, "-c", script], env=environment, cwd=ROOT, capture_output=True,
                            text=True, check=True)
    storage = json.loads(result.stdout)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "council-evidence", "endpoint_url": "https://s3.example.org", "region_name": "eu-west-2",
        "access_key": "key-id", "secret_key": "secret", "location": "", "default_acl": "private",
        "querystring_auth": True, "file_overwrite": False,
    }


def test_without_a_bucket_files_go_to_the_filesystem():
    environment = {k: v for k, v in os.environ.items() if k != "ATTACHMENTS_S3_BUCKET"}
    environment["DJANGO_SETTINGS_MODULE"] = "scrutiny.settings"
    script = "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])"
    result = subprocess.run([sys.executable, "-c", script], env=environment, cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "django.core.files.storage.FileSystemStorage"


def test_the_admin_shows_attachments_read_only(meeting, media):
    attachment = attach_with_service(meeting)
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "root-pass-1234")
    client = Client()
    client.force_login(admin)
    listing = client.get("/admin/tracker/evidenceattachment/")
    assert listing.status_code == 200 and "register.pdf" in text(listing)
    assert client.get("/admin/tracker/evidenceattachment/add/").status_code == 403
    assert client.post(f"/admin/tracker/evidenceattachment/{attachment.pk}/delete/", {"post": "yes"}).status_code == 403
    assert EvidenceAttachment.objects.filter(pk=attachment.pk).exists()
