"""Uploads that cannot hold a worker: a file is read only until a limit says it is not a list this
import takes (rows, columns, cells, lines, an XLSX's unpacked size, seconds of reading), and is
refused with a clear message; nothing is stored. The hostile files are built here, small on disk."""
import io
import time
import zipfile

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from marshmallow import ValidationError

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.participants import imports
from tenants.participants.models import ParticipantImport
from tests.conftest import DATABASE_URL
from tests.factories import PASSWORD, make_tenant, make_user
from tests.live_server import Connection, gunicorn, multipart, worker_pids
from tests.participants.hostile_files import xlsx_with_numbered_rows, xlsx_with_rows, zip_bomb_xlsx

TOO_BIG = "This XLSX file unpacks to far more than a list of 10000 people (at most 40 MB)"
UNREADABLE = "This file could not be read. Upload a CSV or XLSX file."
TOO_MANY_ROWS = "The file has more than 10000 rows; import at most 10000 at a time."
# Generous for a shared machine; the refusals measured here take a few hundredths of a second.
REFUSED_WITHIN_SECONDS = 2


@pytest.fixture
def workspace(app_context):
    tenant = make_tenant("alpha")
    staff = make_user("staff@alpha.pt", roles=[(tenant, "staff")])
    with tenant_context(tenant.id):
        yield staff


def _refusal(workspace, filename, data):
    started = time.monotonic()
    with force_locale("en"), pytest.raises(ValidationError) as error:
        imports.start_import("mentee", filename, data, workspace)
    elapsed = time.monotonic() - started
    assert db.session.scalar(sa.select(sa.func.count(ParticipantImport.id))) == 0
    return error.value.normalized_messages()["file"][0], elapsed


def _many_parts_xlsx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(imports.MAX_XLSX_PARTS + 1):
            archive.writestr(f"xl/media/image{number}.xml", "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "build", "message"), [
    ("a million rows", lambda: xlsx_with_rows(1_000_000), TOO_BIG),
    ("a zip bomb of 400 MB", lambda: zip_bomb_xlsx(400), TOO_BIG),
    ("a small bomb: 2 MB compressed 1,000 times", lambda: zip_bomb_xlsx(2), TOO_BIG),
    ("a bomb that declares 1 KB", lambda: zip_bomb_xlsx(400, declared_size=1000), UNREADABLE),
    # Read row by row up to the 10,001st (0.7 s on an idle machine): bounded by the reading budget.
    ("150,000 rows within the archive's limits", lambda: xlsx_with_numbered_rows(150_000), TOO_MANY_ROWS),
    ("too many parts", _many_parts_xlsx, "This XLSX file has more than 100 parts"),
])
def test_hostile_xlsx_files_are_refused_quickly(workspace, name, build, message):
    data = build()
    assert len(data) < 1_000_000, "built small on disk"
    refused, elapsed = _refusal(workspace, "list.xlsx", data)
    assert refused.startswith(message), name
    bound = imports.PARSE_SECONDS + 1 if message == TOO_MANY_ROWS else REFUSED_WITHIN_SECONDS
    assert elapsed < bound, f"{name}: {elapsed:.2f} s"


@pytest.mark.parametrize(("name", "data", "message"), [
    ("a million rows", b"full_name,municipality\n" + b"Ana,Porto\n" * 1_000_000, TOO_MANY_ROWS),
    ("a line of 100,000 characters", b"full_name,municipality\nAna," + b"P" * 100_000 + b"\n",
     "A line of this file is longer than 65536 characters"),
    ("60 columns", b"full_name,municipality" + b",x" * 58 + b"\nAna,Porto\n", "Row 1 has more than 50 columns."),
    ("a cell of 5,000 characters", b"full_name,municipality\nAna,Porto\nRui," + b"P" * 5000 + b"\n",
     "Row 3 has a cell longer than 4000 characters."),
    ("30,000 empty lines", b"full_name,municipality\n" + b",\n" * 30_000 + b"Ana,Porto\n",
     "This file has more than 20000 lines, counting empty ones."),
    ("a NUL byte", b"full_name,municipality\nA\x00na,Porto\n", UNREADABLE),
])
def test_hostile_csv_files_are_refused_quickly(workspace, name, data, message):
    refused, elapsed = _refusal(workspace, "list.csv", data)
    assert refused.startswith(message), name
    assert elapsed < REFUSED_WITHIN_SECONDS, f"{name}: {elapsed:.2f} s"


def test_reading_stops_when_its_time_is_up(app_context):
    data = b"full_name,municipality\n" + b"Ana,Porto\n" * 5_000
    with force_locale("en"), pytest.raises(ValidationError) as error:
        imports.read_table("list.csv", data, seconds=0)
    assert error.value.normalized_messages() == {"file": [
        "This file took too long to read. Import fewer rows at a time, or save it as CSV."]}
    assert len(imports.read_table("list.csv", data)[1]) == 5_000


def test_an_xlsx_with_entities_is_refused(workspace):
    """No entity expansion (billion laughs), whatever the XML parser's own defences."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_with_numbered_rows(2))) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            text = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                text = text.replace(b"<worksheet", b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]><worksheet', 1)
            archive.writestr(member, text)
    refused, _elapsed = _refusal(workspace, "list.xlsx", buffer.getvalue())
    assert refused == UNREADABLE


# --- through a real gunicorn worker --------------------------------------------------

def test_hostile_uploads_are_answered_and_the_worker_lives(app, tmp_path):
    with app.app_context():
        tenant = make_tenant("alpha")
        staff = make_user("staff@alpha.pt", roles=[(tenant, "staff")])
        db.session.commit()
        tenant_id, email = tenant.id, staff.email
    files = {"a million rows": xlsx_with_rows(1_000_000), "a zip bomb": zip_bomb_xlsx(400)}
    with gunicorn(DATABASE_URL, tmp_path / "gunicorn.log") as (port, process):
        connection = Connection(port, timeout=30)
        try:
            assert connection.request("POST", "/login", form={"email": email, "password": PASSWORD}).status == 302
            workers = worker_pids(process.pid)
            for name, data in files.items():
                body, content_type = multipart({"role": "mentee"}, {"file": ("lista.xlsx", data)})
                started = time.monotonic()
                response = connection.request("POST", "/t/alpha/imports/new", body=body, content_type=content_type)
                elapsed = time.monotonic() - started
                page = response.body.decode()
                assert response.status == 400, name
                assert TOO_BIG in page, name
                assert '<option value="mentee" selected>' in page, "the chosen role is kept"
                assert elapsed < REFUSED_WITHIN_SECONDS, f"{name}: {elapsed:.2f} s"
            assert connection.request("GET", "/t/alpha/mentees").status == 200
            assert worker_pids(process.pid) == workers, "no worker was killed"
        finally:
            connection.close()
    with app.app_context(), tenant_context(tenant_id):
        assert db.session.scalar(sa.select(sa.func.count(ParticipantImport.id))) == 0
