import base64
import hashlib
import hmac
import io

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.db.migrations.writer import MigrationWriter
from django.test import override_settings

from linli.core import crypto
from linli.core.fields import BlindIndexField, EncryptedTextField, fill_blind_indexes

KEY1 = bytes(range(32))
KEY2 = bytes(range(100, 132))
INDEX_KEY = bytes(range(200, 232))

one_key = override_settings(LINLI_DATA_KEYS={"k1": KEY1}, LINLI_BLIND_INDEX_KEY=INDEX_KEY, LINLI_CRYPTO="aes")


def keys(ring, mode="aes", index_key=INDEX_KEY):
    return override_settings(LINLI_DATA_KEYS=ring, LINLI_BLIND_INDEX_KEY=index_key, LINLI_CRYPTO=mode)


def split(stored):
    key_id, alg, b64 = stored.split(":")
    blob = base64.b64decode(b64)
    return key_id, alg, blob[:12], blob[12:]


# --- encryption -----------------------------------------------------------------------


@pytest.mark.parametrize("mode, alg", [("aes", "a256gcm"), ("sm", "sm4gcm")])
@pytest.mark.parametrize("text", ["11010519491231002X", "张三丰 13812345678", "", "x" * 1000])
def test_round_trip(mode, alg, text):
    with keys({"k1": KEY1}, mode):
        stored = crypto.encrypt(text)
        assert stored.startswith(f"k1:{alg}:")
        assert text.encode() not in stored.encode() or text == ""
        assert crypto.decrypt(stored) == text


def test_aes_mode_is_standard_aes_256_gcm():
    with keys({"k1": KEY1}, "aes"):
        stored = crypto.encrypt("13812345678")
    _, _, nonce, sealed = split(stored)
    assert AESGCM(KEY1).decrypt(nonce, sealed, b"k1:a256gcm") == b"13812345678"


def test_sm_mode_is_sm4_gcm_with_a_key_derived_by_hmac_sm3():
    with keys({"k1": KEY1}, "sm"):
        stored = crypto.encrypt("13812345678")
    _, _, nonce, sealed = split(stored)
    mac = crypto_hmac.HMAC(KEY1, hashes.SM3())
    mac.update(b"linli:sm4-gcm:key")
    sm4_key = mac.finalize()[:16]
    decryptor = Cipher(algorithms.SM4(sm4_key), modes.GCM(nonce, sealed[-16:])).decryptor()
    decryptor.authenticate_additional_data(b"k1:sm4gcm")
    assert decryptor.update(sealed[:-16]) + decryptor.finalize() == b"13812345678"


@pytest.mark.parametrize("mode", ["aes", "sm"])
def test_each_encryption_uses_a_fresh_nonce(mode):
    with keys({"k1": KEY1}, mode):
        first, second = crypto.encrypt("same"), crypto.encrypt("same")
        assert first != second
        assert split(first)[2] != split(second)[2]
        assert crypto.decrypt(first) == crypto.decrypt(second) == "same"


@pytest.mark.parametrize("mode", ["aes", "sm"])
@pytest.mark.parametrize("position", [0, 11, 12, 20, -1])  # nonce, ciphertext, tag
def test_tampering_is_detected(mode, position):
    with keys({"k1": KEY1}, mode):
        key_id, alg, nonce, sealed = split(crypto.encrypt("13812345678"))
        blob = bytearray(nonce + sealed)
        blob[position] ^= 0x01
        tampered = f"{key_id}:{alg}:{base64.b64encode(bytes(blob)).decode()}"
        with pytest.raises(crypto.DecryptionFailed, match="failed authentication"):
            crypto.decrypt(tampered)


def test_header_is_authenticated():
    with keys({"k1": KEY1, "k2": KEY1}, "aes"):
        stored = crypto.encrypt("13812345678")
        assert stored.startswith("k1:")
        # Same key bytes under another id, and the other algorithm: both must be refused.
        with pytest.raises(crypto.DecryptionFailed):
            crypto.decrypt("k2:" + stored[3:])
        with pytest.raises(crypto.DecryptionFailed):
            crypto.decrypt(stored.replace(":a256gcm:", ":sm4gcm:"))


def test_wrong_key_under_a_known_id_fails():
    with keys({"k1": KEY1}):
        stored = crypto.encrypt("secret")
    with keys({"k1": KEY2}), pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(stored)


def test_unknown_key_id_is_a_clear_error():
    with keys({"old": KEY1}):
        stored = crypto.encrypt("secret")
    with keys({"new": KEY2}), pytest.raises(crypto.UnknownKeyError) as info:
        crypto.decrypt(stored)
    assert "'old'" in str(info.value)
    assert "LINLI_DATA_KEYS" in str(info.value)


@pytest.mark.parametrize(
    "stored", ["13812345678", "k1:a256gcm", "k1:a256gcm:!!!", "k1:a256gcm:AAAA", "k1:rot13:" + "A" * 40]
)
def test_malformed_values_are_refused(stored):
    with one_key, pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(stored)


def test_first_key_encrypts_and_old_keys_still_decrypt():
    with keys({"k1": KEY1}):
        old = crypto.encrypt("secret")
    with keys({"k2": KEY2, "k1": KEY1}):
        assert crypto.current_prefix() == "k2:a256gcm:"
        assert crypto.decrypt(old) == "secret"
        assert crypto.needs_rotation(old)
        new = crypto.encrypt("secret")
        assert new.startswith("k2:")
        assert not crypto.needs_rotation(new)


def test_the_algorithm_is_read_from_the_value_not_from_settings():
    with keys({"k1": KEY1}, "aes"):
        stored = crypto.encrypt("secret")
    with keys({"k1": KEY1}, "sm"):
        assert crypto.decrypt(stored) == "secret"
        assert crypto.needs_rotation(stored)


@pytest.mark.parametrize(
    "ring",
    [{}, {"k1": b"short"}, {"k:1": KEY1}, {"": KEY1}],
)
def test_bad_keyring_is_a_configuration_error(ring):
    with keys(ring), pytest.raises(ImproperlyConfigured):
        crypto.encrypt("secret")


def test_bad_mode_is_a_configuration_error():
    with keys({"k1": KEY1}, "des"), pytest.raises(ImproperlyConfigured):
        crypto.encrypt("secret")


# --- blind index ----------------------------------------------------------------------


def test_blind_index_is_hmac_sha256_of_purpose_and_normalised_value():
    with one_key:
        index = crypto.blind_index("+86 138-1234-5678", "phone")
    expected = hmac.new(INDEX_KEY, b"phone\x0013812345678", hashlib.sha256).hexdigest()
    assert index == expected
    assert len(index) == 64


def test_blind_index_is_hmac_sm3_in_sm_mode():
    with keys({"k1": KEY1}, "sm"):
        index = crypto.blind_index("13812345678", "phone")
    mac = crypto_hmac.HMAC(INDEX_KEY, hashes.SM3())
    mac.update(b"phone\x0013812345678")
    assert index == mac.finalize().hex()


def test_blind_index_is_stable_and_normalised():
    with one_key:
        assert crypto.blind_index("13812345678", "phone") == crypto.blind_index("13812345678", "phone")
        phones = {
            crypto.blind_index(v, "phone")
            for v in ["13812345678", "+86 138 1234 5678", "１３８-１２３４-５６７８"]
        }
        assert len(phones) == 1
        ids = {
            crypto.blind_index(v, "citizen_id")
            for v in ["11010519491231002X", "11010519491231002x", " 110105 19491231 002X", "110105491231002"]
        }
        assert len(ids) == 1
        assert crypto.blind_index("0531-88886666", "phone") == crypto.blind_index("0531 8888 6666", "phone")


def test_blind_index_separates_values_and_purposes():
    with one_key:
        assert crypto.blind_index("13812345678", "phone") != crypto.blind_index("13812345679", "phone")
        assert crypto.blind_index("13812345678", "phone") != crypto.blind_index("13812345678", "other")
        # An invalid number still gets an index (a search for it finds nothing), no error.
        assert crypto.blind_index("12345", "citizen_id") != crypto.blind_index("12346", "citizen_id")


def test_blind_index_depends_on_the_key():
    with one_key:
        first = crypto.blind_index("11010519491231002X", "citizen_id")
    with keys({"k1": KEY1}, index_key=KEY2):
        second = crypto.blind_index("11010519491231002X", "citizen_id")
    assert first != second


def test_blind_index_of_nothing_is_none():
    with one_key:
        assert crypto.blind_index(None, "phone") is None
        assert crypto.blind_index("", "phone") is None
        assert crypto.blind_index("  ", "tag") is None
        with pytest.raises(ValueError):
            crypto.blind_index("x", "")


# --- fields ---------------------------------------------------------------------------


def test_fields_are_serialisable_for_migrations():
    encrypted = EncryptedTextField(null=True, blank=True)
    name, path, args, kwargs = encrypted.deconstruct()
    assert path == "linli.core.fields.EncryptedTextField"
    assert kwargs == {"null": True, "blank": True}
    MigrationWriter.serialize(encrypted)

    index = BlindIndexField(source="phone", purpose="phone")
    name, path, args, kwargs = index.deconstruct()
    assert path == "linli.core.fields.BlindIndexField"
    assert kwargs == {"source": "phone", "purpose": "phone"}
    rebuilt = BlindIndexField(*args, **kwargs)
    assert (rebuilt.max_length, rebuilt.db_index, rebuilt.null, rebuilt.editable) == (64, True, True, False)
    MigrationWriter.serialize(index)

    plain = BlindIndexField(source="phone", purpose="phone", db_index=False, null=False, editable=True)
    kwargs = plain.deconstruct()[3]
    assert kwargs["db_index"] is False and kwargs["null"] is False and kwargs["editable"] is True
    rebuilt = BlindIndexField(**kwargs)
    assert (rebuilt.db_index, rebuilt.null, rebuilt.editable) == (False, False, True)


@pytest.fixture
def probe(transactional_db):
    """A throwaway model with encrypted columns, registered and created only for one test.

    transactional_db, because SQLite's schema editor refuses to run inside the test's
    transaction. The model leaves the app registry afterwards so nothing else sees it.
    """

    class CryptoProbe(models.Model):
        phone = EncryptedTextField(null=True, blank=True)
        phone_index = BlindIndexField(source="phone", purpose="phone")
        note = EncryptedTextField(blank=True)

        class Meta:
            app_label = "core"
            db_table = "core_test_crypto_probe"

        def __str__(self):
            return f"probe {self.pk}"

    try:
        with connection.schema_editor() as editor:
            editor.create_model(CryptoProbe)
        yield CryptoProbe
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(CryptoProbe)
        del apps.all_models["core"]["cryptoprobe"]
        apps.clear_cache()


def raw(model, pk, column="phone"):
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@one_key
def test_field_stores_ciphertext_and_reads_plaintext(probe):
    row = probe.objects.create(phone="13812345678", note="低保户")
    stored = raw(probe, row.pk)
    assert stored.startswith("k1:a256gcm:")
    assert "13812345678" not in stored
    assert crypto.decrypt(stored) == "13812345678"
    fresh = probe.objects.get(pk=row.pk)
    assert (fresh.phone, fresh.note) == ("13812345678", "低保户")
    assert list(probe.objects.values_list("phone", flat=True)) == ["13812345678"]


@one_key
def test_none_and_empty_stay_as_they_are(probe):
    row = probe.objects.create(phone=None, note="")
    assert raw(probe, row.pk) is None
    assert raw(probe, row.pk, "note") == ""
    fresh = probe.objects.get(pk=row.pk)
    assert fresh.phone is None and fresh.note == ""
    assert probe.objects.filter(phone__isnull=True).count() == 1
    assert probe.objects.filter(phone=None).count() == 1
    assert probe.objects.filter(note="").count() == 1


@one_key
def test_every_write_path_encrypts(probe):
    first, second = probe.objects.bulk_create([probe(phone="13800000001"), probe(phone="13800000002")])
    first.phone, second.phone = "13900000001", "13900000002"
    probe.objects.bulk_update([first, second], ["phone"])
    probe.objects.filter(pk=first.pk).update(note="updated")
    for row in (first, second):
        assert raw(probe, row.pk).startswith("k1:a256gcm:")
    assert raw(probe, first.pk, "note").startswith("k1:a256gcm:")
    assert sorted(probe.objects.values_list("phone", flat=True)) == ["13900000001", "13900000002"]
    assert probe.objects.get(pk=first.pk).note == "updated"


@one_key
def test_plaintext_lookups_are_refused(probe):
    probe.objects.create(phone="13812345678")
    with pytest.raises(TypeError, match="blind-index"):
        probe.objects.filter(phone="13812345678").count()
    with pytest.raises(FieldError):
        probe.objects.filter(phone__icontains="1381").count()
    with pytest.raises(FieldError):
        probe.objects.filter(phone__in=["13812345678"]).count()
    # The stored form can be matched by key id, which is what rotation needs.
    assert probe.objects.filter(phone__startswith="k1:").count() == 1


@one_key
def test_search_through_the_blind_index(probe):
    row = probe(phone="13812345678")
    assert fill_blind_indexes(row) == ["phone_index"]
    row.save()
    probe.objects.create(phone="13900000000", phone_index=crypto.blind_index("13900000000", "phone"))
    empty = probe(phone=None)
    fill_blind_indexes(empty)
    empty.save()
    assert empty.phone_index is None
    found = probe.objects.filter(phone_index=crypto.blind_index("+86 138 1234 5678", "phone"))
    assert [r.pk for r in found] == [row.pk]


# --- rotation -------------------------------------------------------------------------


def rotate(batch_size=3):
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_keys", batch_size=batch_size, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def make_rows(model, count):
    with keys({"k1": KEY1}):
        rows = [model.objects.create(phone=f"138000000{i:02d}", note=f"note {i}") for i in range(count)]
        model.objects.create(phone=None, note="")
    return rows


def test_rotation_without_encrypted_models_or_rows_succeeds(db):
    with keys({"k1": KEY1}):
        out, _ = rotate()
    assert "nothing to re-encrypt" in out or "Re-encrypted 0 value(s)" in out


def test_rotation_re_encrypts_under_the_current_key(probe):
    rows = make_rows(probe, 7)
    with keys({"k2": KEY2, "k1": KEY1}):
        out, err = rotate(batch_size=3)
        assert "core.CryptoProbe.phone: 7 re-encrypted." in out
        assert "Re-encrypted 14 value(s) under k2:a256gcm" in out
        assert err == ""
        for row in rows:
            assert raw(probe, row.pk).startswith("k2:a256gcm:")
            assert raw(probe, row.pk, "note").startswith("k2:a256gcm:")
        # Nothing left: a second run has no work.
        assert "Re-encrypted 0 value(s)" in rotate()[0]
    # The old key can go now.
    with keys({"k2": KEY2}):
        assert [r.phone for r in probe.objects.order_by("pk")][:7] == [r.phone for r in rows]
        assert probe.objects.filter(phone=None).count() == 1


def test_rotation_switches_algorithm(probe):
    rows = make_rows(probe, 2)
    with keys({"k1": KEY1}, "sm"):
        rotate()
        assert all(raw(probe, r.pk).startswith("k1:sm4gcm:") for r in rows)
        assert probe.objects.get(pk=rows[0].pk).phone == rows[0].phone


def test_rotation_is_resumable_after_a_kill(probe, monkeypatch):
    rows = make_rows(probe, 7)
    real_encrypt = crypto.encrypt
    calls = []

    def dying_encrypt(plaintext):
        calls.append(plaintext)
        if len(calls) == 5:  # in the middle of the second batch of three
            raise KeyboardInterrupt
        return real_encrypt(plaintext)

    with keys({"k2": KEY2, "k1": KEY1}):
        monkeypatch.setattr(crypto, "encrypt", dying_encrypt)
        with pytest.raises(KeyboardInterrupt):
            rotate(batch_size=3)
        monkeypatch.setattr(crypto, "encrypt", real_encrypt)
        # The first batch committed, the interrupted one rolled back.
        done = [r for r in rows if raw(probe, r.pk).startswith("k2:")]
        assert len(done) == 3
        out, _ = rotate(batch_size=3)
        assert "core.CryptoProbe.phone: 4 re-encrypted." in out
        assert all(raw(probe, r.pk).startswith("k2:") for r in rows)
        assert [probe.objects.get(pk=r.pk).phone for r in rows] == [r.phone for r in rows]


def test_rotation_reports_values_it_cannot_decrypt_and_does_the_rest(probe):
    rows = make_rows(probe, 4)
    with keys({"k0": KEY2}):
        lost = crypto.encrypt("13899999999")
    probe.objects.filter(pk=rows[1].pk).update(phone=crypto.Ciphertext(lost))
    with keys({"k2": KEY2, "k1": KEY1}):
        with pytest.raises(CommandError, match="1 value"):
            rotate(batch_size=2)
        assert raw(probe, rows[1].pk) == lost
        assert all(raw(probe, r.pk).startswith("k2:") for r in rows if r.pk != rows[1].pk)


def test_rotation_leaves_a_concurrently_saved_value_alone(probe, monkeypatch):
    (row,) = make_rows(probe, 1)
    real_decrypt = crypto.decrypt

    def decrypt_while_someone_saves(stored):
        plaintext = real_decrypt(stored)
        if plaintext == row.phone:
            # Another process saves a new number between our read and our write.
            probe.objects.filter(pk=row.pk).update(phone="13911112222")
        return plaintext

    with keys({"k2": KEY2, "k1": KEY1}):
        monkeypatch.setattr(crypto, "decrypt", decrypt_while_someone_saves)
        out, _ = rotate()
        monkeypatch.setattr(crypto, "decrypt", real_decrypt)
        assert "1 changed meanwhile" in out
        assert probe.objects.get(pk=row.pk).phone == "13911112222"
