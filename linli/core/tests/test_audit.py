"""The audit log's hash chain: sealing, verification, purge, and the audit of logins."""

import io
import json
import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from linli.core import audit
from linli.core.jobs import PERIODIC_JOBS
from linli.core.models import AuditAnchor, AuditEntry
from linli.test import PASSWORD

ROOT = Path(__file__).resolve().parents[3]


def _rows(n: int, action: str = "test.thing") -> list[AuditEntry]:
    return [audit.record(actor=None, action=action, target_repr=f"row {i}", after={"i": i}) for i in range(n)]


def _sealed(n: int) -> list[AuditEntry]:
    rows = _rows(n)
    audit.seal()
    return list(AuditEntry.objects.filter(pk__in=[r.pk for r in rows]).order_by("seq"))


# --- sealing and the digest ---------------------------------------------------------------------


@pytest.mark.django_db
def test_seal_chains_rows_in_order_and_verify_passes():
    rows = _sealed(5)
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == ""
    assert all(b.prev_hash == a.row_hash for a, b in zip(rows, rows[1:], strict=False))
    result = audit.verify()
    assert result.ok and result.checked == 5


@pytest.mark.django_db
def test_sealing_twice_seals_each_row_once():
    _rows(3)
    assert audit.seal() == 3
    before = list(AuditEntry.objects.order_by("seq").values_list("pk", "seq", "row_hash"))
    assert audit.seal() == 0
    assert list(AuditEntry.objects.order_by("seq").values_list("pk", "seq", "row_hash")) == before
    _rows(2)
    assert audit.seal() == 2
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


@pytest.mark.django_db(transaction=True)
def test_two_sealers_at_once_seal_each_row_once():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections: PostgreSQL (the SQLite test database is in memory)")
    _rows(120)
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[Exception] = []

    def sealer():
        from django.db import connection as own

        try:
            barrier.wait()
            counts.append(audit.seal(batch=7))
        except Exception as exc:  # a thread's error must fail the test, not vanish
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=sealer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(counts) == 2
    assert sum(counts) == 120
    assert sorted(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, 121))
    assert audit.verify().ok


@pytest.mark.django_db
def test_digest_is_the_same_after_reading_the_row_back(world):
    """Values that databases like to change on the way: JSON numbers and key order, text in
    other scripts, IPv6 spelling, whole-second and non-UTC timestamps."""
    audit.seal()  # the world's own rows
    entry = audit.record(
        actor=world.secretary,
        action="test.tricky",
        target=world.grid_a,
        before={"z": 1.5, "a": 3.0, "big": 1e20, "tiny": 1e-7, "n": 2**40, "nan": float("nan")},
        after={"名称": "第一网格\x00", "ok": True, "none": None, "nested": {"b": [1, 2]}},
        extra={"phone": "13800000000"},
        reason="检查",
    )
    whole_second = datetime(2024, 3, 1, 8, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    AuditEntry.objects.filter(pk=entry.pk).update(
        created_at=whole_second, ip="2001:0db8:0000:0000:0000:0000:0000:0001"
    )
    other = audit.record(actor=None, action="test.v4mapped", target_repr="x")
    AuditEntry.objects.filter(pk=other.pk).update(ip="::ffff:10.0.0.1")
    assert audit.seal() == 2
    for pk in (entry.pk, other.pk):
        fresh = AuditEntry.objects.get(pk=pk)
        assert fresh.row_hash == audit.row_digest(fresh, fresh.seq, fresh.prev_hash)
    fresh = AuditEntry.objects.get(pk=entry.pk)
    assert fresh.changes["before"]["big"] == "1e+20"  # stored as text: jsonb would make it an int
    assert fresh.changes["before"]["nan"] == "nan"
    assert fresh.changes["after"]["名称"] == "第一网格"
    assert fresh.changes["extra"]["phone"] == audit.REDACTED
    assert audit._canonical_time(fresh.created_at) == "2024-03-01T00:00:00.000000+00:00"
    assert audit.verify().ok


@pytest.mark.django_db
def test_digest_of_a_new_row_equals_the_digest_of_the_row_read_back(world, rf):
    """What record() holds in memory and what the database gives back hash the same, so a
    row could be hashed at once or by the sealer, on either database, with one result."""
    request = rf.post("/", REMOTE_ADDR="2001:0DB8:0000:0000:0000:0000:0000:0001")
    entry = audit.record(
        actor=world.secretary,
        action="test.fresh",
        target=world.grid_a,
        before={"name": "旧", "ratio": 0.1 + 0.2, "whole": 2.0, "count": 7},
        after={"name": "新", "flag": False, "when": timezone.now()},
        request=request,
    )
    fresh = AuditEntry.objects.get(pk=entry.pk)
    assert fresh.ip == "2001:db8::1"  # the database's spelling differs from the request's
    assert audit.row_digest(fresh, 1, "p") == audit.row_digest(entry, 1, "p")
    assert audit.row_digest(fresh, 1, "p") != audit.row_digest(fresh, 2, "p")


@pytest.mark.django_db
def test_deleting_an_account_does_not_break_the_chain(world):
    audit.record(actor=world.outsider, action="test.by_outsider")
    audit.seal()
    world.outsider.delete()
    assert AuditEntry.objects.get(action="test.by_outsider").actor_id is None
    assert audit.verify().ok


# --- tampering ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [{"changes": {"after": {"i": 99}}}, {"action": "test.innocent"}, {"actor_username": "someone"}],
    ids=["changes", "action", "actor"],
)
def test_altering_a_row_is_found_and_named(change):
    rows = _sealed(5)
    victim = rows[2]
    AuditEntry.objects.filter(pk=victim.pk).update(**change)
    result = audit.verify()
    assert not result.ok
    assert result.problem.kind == "altered"
    assert result.problem.entry_id == victim.pk and result.problem.seq == 3
    assert result.checked == 2


@pytest.mark.django_db
def test_altering_a_row_and_its_hash_breaks_the_next_link():
    rows = _sealed(4)
    victim = AuditEntry.objects.get(pk=rows[1].pk)
    victim.action = "test.innocent"
    AuditEntry.objects.filter(pk=victim.pk).update(
        action=victim.action, row_hash=audit.row_digest(victim, victim.seq, victim.prev_hash)
    )
    problem = audit.verify().problem
    assert problem.kind == "relinked" and problem.entry_id == rows[2].pk


@pytest.mark.django_db
def test_deleting_a_row_in_the_middle_is_found():
    rows = _sealed(5)
    AuditEntry.objects.filter(pk=rows[2].pk).delete()
    problem = audit.verify().problem
    assert problem.kind == "removed"
    assert problem.entry_id == rows[3].pk and "seq 3" in problem.detail


@pytest.mark.django_db
def test_deleting_the_first_row_is_found():
    rows = _sealed(3)
    AuditEntry.objects.filter(pk=rows[0].pk).delete()
    assert audit.verify().problem.kind == "removed"


@pytest.mark.django_db
def test_unsealing_a_row_to_move_it_is_found():
    rows = _sealed(4)
    AuditEntry.objects.filter(pk=rows[1].pk).update(seq=None, prev_hash="", row_hash="")
    problem = audit.verify().problem  # verify re-seals it at the end: a hole stays behind
    assert problem.kind == "removed" and problem.entry_id == rows[2].pk


@pytest.mark.django_db
def test_verify_command_reports_ok_and_names_the_bad_row():
    rows = _sealed(3)
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().startswith("audit log OK: 3 rows verified")
    AuditEntry.objects.filter(pk=rows[1].pk).update(action="test.innocent")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify", stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 1
    message = err.getvalue()
    assert f"id={rows[1].pk}" in message and "seq=2" in message
    assert "action=test.innocent" in message and "altered" in message
    assert "created_at=" in message


# --- purge ----------------------------------------------------------------------------------


def _age(rows: list[AuditEntry], days: int) -> None:
    AuditEntry.objects.filter(pk__in=[r.pk for r in rows]).update(
        created_at=timezone.now() - timedelta(days=days)
    )


@pytest.mark.django_db
def test_purge_keeps_the_chain_verifiable(settings):
    settings.LINLI_AUDIT_RETENTION_DAYS = 180
    old, new = _rows(4), _rows(3)
    _age(old, 200)  # before sealing: created_at is part of the hash
    audit.seal()
    result = audit.purge()
    assert result.purged == 4
    assert not AuditEntry.objects.filter(pk__in=[r.pk for r in old]).exists()
    anchor = AuditAnchor.objects.get()
    assert anchor.seq == 4
    assert anchor.row_hash == AuditEntry.objects.get(seq=5).prev_hash
    verified = audit.verify()
    assert verified.ok and verified.checked == 3 and verified.anchor_seq == 4
    # Sealing carries on after the purged part; a second purge has nothing to do.
    _rows(2)
    assert audit.verify().checked == 5
    assert audit.purge().purged == 0
    assert {r.pk for r in new} <= set(AuditEntry.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_purge_of_everything_then_sealing_continues_from_the_anchor(settings):
    rows = _rows(3)
    _age(rows, 400)
    audit.seal()
    assert audit.purge(batch=2).purged == 3  # two batches, the anchor moved with each
    assert AuditEntry.objects.count() == 0 and AuditAnchor.objects.get().seq == 3
    _rows(1)
    audit.seal()
    assert AuditEntry.objects.get().seq == 4
    assert audit.verify().ok


@pytest.mark.django_db
def test_purge_stops_at_the_first_recent_row_and_spares_unsealed_rows():
    first, middle, last = _rows(1), _rows(1), _rows(1)
    _age(first + last, 300)
    audit.seal()
    stray = _rows(1)
    _age(stray, 300)  # old but not sealed yet: not part of the chain, not purged
    assert audit.purge().purged == 1
    remaining = set(AuditEntry.objects.values_list("pk", flat=True))
    assert remaining == {middle[0].pk, last[0].pk, stray[0].pk}
    assert audit.verify().ok


@pytest.mark.django_db
def test_purge_refuses_to_destroy_tampered_rows():
    rows = _rows(3)
    _age(rows, 300)
    audit.seal()
    AuditEntry.objects.filter(pk=rows[1].pk).update(action="test.innocent")
    with pytest.raises(audit.AuditChainBroken) as info:
        audit.purge()
    assert info.value.problem.entry_id == rows[1].pk
    assert AuditEntry.objects.count() == 3 and not AuditAnchor.objects.exists()


@pytest.mark.django_db
def test_purge_command_and_dry_run():
    rows = _rows(2)
    _age(rows, 365)
    _rows(1)
    audit.seal()
    out = io.StringIO()
    call_command("audit_purge", "--dry-run", stdout=out)
    assert "would purge 2 rows" in out.getvalue() and "anchor at seq 2" in out.getvalue()
    assert AuditEntry.objects.count() == 3
    out = io.StringIO()
    call_command("audit_purge", stdout=out)
    assert "purged 2 rows" in out.getvalue() and "(180 days)" in out.getvalue()
    assert AuditEntry.objects.count() == 1


def test_purge_runs_daily():
    jobs = {job.name: job for job in PERIODIC_JOBS}
    assert jobs["audit.purge"].every == timedelta(days=1)


def _check(tmp_path, days: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "LINLI_"))}
    env.update(LINLI_AUDIT_RETENTION_DAYS=days, LINLI_DATA_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_retention_below_180_days_stops_start_up(tmp_path):
    result = _check(tmp_path, "30")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "LINLI_AUDIT_RETENTION_DAYS=30 is too small; the minimum is 180" in result.stderr
    assert _check(tmp_path, "365").returncode == 0


# --- authentication -------------------------------------------------------------------------


def _login(client, username: str, password: str, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_login_and_logout_are_audited_with_the_address(client, world):
    response = _login(client, "grid_a", PASSWORD, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="auth.login")
    assert entry.actor == world.grid_worker_a and entry.actor_username == "grid_a"
    assert entry.ip == "10.1.2.3" and entry.node_path == ""
    client.post("/accounts/logout/", REMOTE_ADDR="10.1.2.3")
    assert AuditEntry.objects.get(action="auth.logout").actor == world.grid_worker_a


@pytest.mark.django_db
def test_failed_login_keeps_the_username_and_never_the_password(client, world):
    _login(client, "grid_a", "wrong-password-123", REMOTE_ADDR="10.9.9.9")
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert entry.actor == world.grid_worker_a and entry.actor_username == "grid_a"
    assert entry.ip == "10.9.9.9"
    row = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert "wrong-password-123" not in row and "******" not in row


@pytest.mark.django_db
def test_failed_login_with_an_unknown_name_stores_it_shortened(client, world):
    # People type their password into the username box: such a name is not kept whole.
    _login(client, "Secret-Pass-42", "whatever-it-is")
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert entry.actor is None and entry.actor_username == "Se***"


@pytest.mark.django_db
def test_repeated_failures_lock_the_account_and_leave_lockout_rows(client, world, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for n in range(5):
        response = _login(client, "grid_b", f"wrong-{n}-password", REMOTE_ADDR="10.0.0.7")
    assert AuditEntry.objects.filter(action="auth.login_failed", actor=world.grid_worker_b).count() == 5
    lockouts = AuditEntry.objects.filter(action="auth.lockout")
    assert lockouts.count() == 1
    assert lockouts.get().actor == world.grid_worker_b and lockouts.get().ip == "10.0.0.7"
    # The sixth attempt, even with the right password, is refused as locked.
    response = _login(client, "grid_b", PASSWORD, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 423
    assert not AuditEntry.objects.filter(action="auth.login").exists()
    assert AuditEntry.objects.filter(action="auth.lockout").count() >= 2
    assert audit.verify().ok


@pytest.mark.django_db
def test_failed_api_token_request_is_audited(client, world):
    response = client.post(
        "/api/v1/auth/token",
        json.dumps({"username": "secretary", "password": "not-the-password"}),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert AuditEntry.objects.get(action="auth.login_failed").actor == world.secretary
