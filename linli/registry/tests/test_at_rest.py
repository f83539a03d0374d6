"""Issue 3, item 8: the raw SQLite file and a PostgreSQL dump contain no citizen ID or
phone number in plain text.

Residents are created through the services with known numbers, changed, tagged and
revealed (so the timeline and the audit log have had their chance to leak), then the
stored bytes are searched for the numbers: whole, and the digits the mask hides together
with their neighbours (a 4-digit fragment alone would turn up in any hex hash by chance).
"""

import datetime
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from linli.core.reveal import reveal_field
from linli.registry import services
from linli.registry.choices import TagKind
from linli.registry.demo import citizen_id_for

ROOT = Path(__file__).resolve().parents[3]

PHONE = "13890476521"
OLD_PHONE = "15964028837"
LANDLINE = "0537-2968413"
EVIDENCE = "低保证号JN2024-7781"


def _valid_id() -> str:
    return citizen_id_for("370811", datetime.date(1958, 3, 5), 123)


def _needles(citizen_id: str) -> dict[str, bytes]:
    """What must not be found: the numbers in their stored and usual spellings, and the
    masked-away middle with the visible ends."""
    found = {
        "citizen_id": citizen_id,
        "citizen_id hidden middle": citizen_id[3:14],
        "citizen_id without the check character": citizen_id[:17],
        "phone": PHONE,
        "phone prefix and hidden digits": PHONE[:7],
        "phone hidden digits and end": PHONE[3:],
        "old phone": OLD_PHONE,
        "landline": LANDLINE,
        "landline digits": LANDLINE.replace("-", ""),
        "tag evidence": EVIDENCE,
    }
    needles = {name: value.encode() for name, value in found.items()}
    # Also as UTF-16 (how some tools would store text): cheap to check, rules out a surprise.
    needles.update({f"{name} (utf-16)": value.encode("utf-16-le") for name, value in found.items()})
    return needles


SCRIPT = """
import datetime
from linli.accounts.models import User
from linli.core.reveal import reveal_field
from linli.registry import services
from linli.registry.choices import TagKind
from linli.territory.services import node_create

root = User.objects.create_superuser(username="root", password="x" * 16)
parent = None
codes = [("district", "370811"), ("street", "370811004"), ("community", "370811004006"),
         ("grid", "370811004006001"), ("building", "370811004006001001"),
         ("unit", "37081100400600100101"), ("dwelling", "370811004006001001010301")]
for kind, code in codes:
    parent = node_create(actor=root, kind=kind, code=code, name=kind + code[-3:], parent=parent)
household = services.household_create(actor=root, dwelling=parent)
person = services.resident_create(actor=root, household=household, name="王秀英", relation="02",
                                  citizen_id=CITIZEN_ID.lower(), phone=OLD_PHONE)
services.resident_update(actor=root, resident=person, phone=PHONE)
services.resident_create(actor=root, household=household, name="李建国", relation="10",
                         citizen_id="", birth_date=datetime.date(1950, 1, 1), sex="M", phone=LANDLINE)
services.tag_set(actor=root, resident=person, kind=TagKind.SUBSISTENCE, evidence=EVIDENCE)
assert reveal_field(actor=root, obj=person, field="citizen_id", reason="核对身份") == CITIZEN_ID
from linli.registry.models import Resident
assert Resident.objects.get(pk=person.pk).phone == PHONE
print("created")
"""


def _manage(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "LINLI_", "DJANGO_"))}
    env["LINLI_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _search(blobs: dict[str, bytes], needles: dict[str, bytes]) -> list[str]:
    return [
        f"{needle} in {where}"
        for where, blob in blobs.items()
        for needle, value in needles.items()
        if value in blob
    ]


def test_raw_sqlite_file_holds_no_id_or_phone_in_plain_text(tmp_path):
    citizen_id = _valid_id()
    migrated = _manage(tmp_path, "migrate", "--no-input", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    script = (
        f"CITIZEN_ID = {citizen_id!r}; PHONE = {PHONE!r}; OLD_PHONE = {OLD_PHONE!r}; "
        f"LANDLINE = {LANDLINE!r}; EVIDENCE = {EVIDENCE!r}\n" + SCRIPT
    )
    created = _manage(tmp_path, "shell", stdin=script)
    assert created.returncode == 0 and "created" in created.stdout, created.stderr
    database = tmp_path / "linli.sqlite3"
    # As the process left them (WAL mode: recent pages may still sit in the -wal file) ...
    files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    blobs = {path.name: path.read_bytes() for path in files if path.exists()}
    assert len(blobs[database.name]) > 100_000
    # ... and after a checkpoint has moved everything into the main file.
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (count,) = db.execute("SELECT count(*) FROM registry_resident").fetchone()
        (stored,) = db.execute("SELECT citizen_id FROM registry_resident WHERE name = '王秀英'").fetchone()
    assert count == 2
    assert stored.count(":") == 2 and citizen_id not in stored  # key id, algorithm, ciphertext
    blobs.update({f"{path.name} after checkpoint": path.read_bytes() for path in files if path.exists()})
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(database, copy)
    blobs["a copy of the file"] = copy.read_bytes()
    # The needles do show up where they should be found, so the search itself works:
    assert _search({"the script": script.encode()}, _needles(citizen_id))
    assert _search(blobs, _needles(citizen_id)) == []


@pytest.mark.django_db(transaction=True)
def test_postgresql_dump_holds_no_id_or_phone_in_plain_text(world):
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL (DATABASE_URL); the SQLite file is checked above")
    pg_dump = shutil.which("pg_dump") or "/usr/bin/pg_dump"
    if not Path(pg_dump).exists():
        pytest.skip("pg_dump is not installed")
    citizen_id = _valid_id()
    # The same writes as in the SQLite test, into the test database (committed: the
    # transactional_db fixture), under the world's existing nodes.
    root = world.root
    household = services.household_create(actor=root, dwelling=world.dwelling_a)
    person = services.resident_create(
        actor=root,
        household=household,
        name="王秀英",
        relation="02",
        citizen_id=citizen_id.lower(),
        phone=OLD_PHONE,
    )
    services.resident_update(actor=root, resident=person, phone=PHONE)
    services.resident_create(
        actor=root,
        household=household,
        name="李建国",
        relation="10",
        citizen_id="",
        birth_date=datetime.date(1950, 1, 1),
        sex="M",
        phone=LANDLINE,
    )
    services.tag_set(actor=root, resident=person, kind=TagKind.SUBSISTENCE, evidence=EVIDENCE)
    assert reveal_field(actor=root, obj=person, field="phone", reason="联系本人") == PHONE
    settings = connection.settings_dict
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    command = [pg_dump, "--no-owner", "--dbname", settings["NAME"]]
    if settings.get("HOST"):
        command += ["--host", settings["HOST"]]
    if settings.get("PORT"):
        command += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        command += ["--username", settings["USER"]]
    dump = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)
    assert dump.returncode == 0, dump.stderr.decode()
    assert "王秀英".encode() in dump.stdout  # the dump does hold the registry
    assert _search({"pg_dump": dump.stdout}, _needles(citizen_id)) == []
