"""Encryption of small personal values (citizen IDs, phones, sensitive tags) and blind indexes.

Stored form: "<key_id>:<alg>:<base64(nonce | ciphertext | tag)>". The key id says which key
of settings.LINLI_DATA_KEYS decrypts it, so keys can rotate (manage.py rotate_keys) while
old values stay readable as long as their key remains in the keyring.

Algorithms:
- "a256gcm": AES-256-GCM with the 32-byte data key (settings.LINLI_CRYPTO = "aes", default).
- "sm4gcm": SM4-GCM (settings.LINLI_CRYPTO = "sm", for 国密 deployments). cryptography 50
  runs SM4 in GCM mode through the generic Cipher API (there is no SM4 AEAD class), which
  is authenticated encryption just like AESGCM, so no separate MAC is needed. SM4 keys are
  16 bytes; they are derived from the 32-byte data key with HMAC-SM3 so the same keyring
  serves both modes without ever using the raw key for two algorithms.

The header "<key_id>:<alg>" is authenticated as associated data: changing the key id or the
algorithm of a stored value makes decryption fail instead of silently misbehaving.

Decryption reads the algorithm from the stored value, not from settings, so a deployment
can switch LINLI_CRYPTO and still read old values; rotate_keys then rewrites them.

Blind index: HMAC-SHA256 (HMAC-SM3 in "sm" mode) under settings.LINLI_BLIND_INDEX_KEY over
"<purpose>\\0<normalised value>", as 64 hex characters. Equal inputs give equal indexes, so
a search compares indexes and never needs the plaintext. Switching LINLI_CRYPTO changes
every blind index: the indexed columns must then be recomputed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ALG_AES = "a256gcm"
ALG_SM4 = "sm4gcm"
ALGORITHMS = {"aes": ALG_AES, "sm": ALG_SM4}

NONCE_BYTES = 12
TAG_BYTES = 16

# Known purposes get their own normalisation; any other purpose only gets NFKC + trimming.
PURPOSE_CITIZEN_ID = "citizen_id"
PURPOSE_PHONE = "phone"


class CryptoError(Exception):
    """A stored value cannot be decrypted. This is an operator problem, never a user one."""


class UnknownKeyError(CryptoError):
    pass


class DecryptionFailed(CryptoError):
    pass


class Ciphertext(str):
    """A value that is already in stored form.

    EncryptedTextField passes it to the database untouched, which lets rotate_keys compare
    and write raw stored values through the ORM.
    """


# --- keys -------------------------------------------------------------------------------


def _keyring() -> dict[str, bytes]:
    ring = settings.LINLI_DATA_KEYS
    if not ring:
        raise ImproperlyConfigured("LINLI_DATA_KEYS is empty; at least one data key is needed.")
    for key_id, key in ring.items():
        if not key_id or ":" in key_id:
            raise ImproperlyConfigured(f"Data key id {key_id!r} must be non-empty and contain no ':'.")
        if len(key) != 32:
            raise ImproperlyConfigured(f"Data key {key_id!r} must be 32 bytes, got {len(key)}.")
    return ring


def current_key_id() -> str:
    return next(iter(_keyring()))


def current_algorithm() -> str:
    mode = getattr(settings, "LINLI_CRYPTO", "aes")
    try:
        return ALGORITHMS[mode]
    except KeyError:
        raise ImproperlyConfigured(f"LINLI_CRYPTO={mode!r} must be one of: aes, sm.") from None


def current_prefix() -> str:
    """Every value written now starts with this; rotate_keys rewrites the ones that do not."""
    return f"{current_key_id()}:{current_algorithm()}:"


def _sm4_key(data_key: bytes) -> bytes:
    mac = crypto_hmac.HMAC(data_key, hashes.SM3())
    mac.update(b"linli:sm4-gcm:key")
    return mac.finalize()[:16]


# --- encryption -------------------------------------------------------------------------


def encrypt(plaintext: str) -> Ciphertext:
    if not isinstance(plaintext, str):
        raise TypeError(f"encrypt() takes a str, not {type(plaintext).__name__}.")
    key_id = current_key_id()
    alg = current_algorithm()
    key = _keyring()[key_id]
    header = f"{key_id}:{alg}"
    nonce = os.urandom(NONCE_BYTES)
    data = plaintext.encode("utf-8")
    aad = header.encode("utf-8")
    if alg == ALG_AES:
        sealed = AESGCM(key).encrypt(nonce, data, aad)  # ciphertext | tag
    else:
        encryptor = Cipher(algorithms.SM4(_sm4_key(key)), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        sealed = encryptor.update(data) + encryptor.finalize() + encryptor.tag
    return Ciphertext(f"{header}:{base64.b64encode(nonce + sealed).decode('ascii')}")


def key_id_of(stored: str) -> str:
    return stored.split(":", 1)[0]


def decrypt(stored: str) -> str:
    try:
        key_id, alg, b64 = stored.split(":", 2)
    except ValueError:
        raise DecryptionFailed(
            "Stored value is not in 'key_id:alg:base64' form; was plaintext written to an encrypted column?"
        ) from None
    ring = _keyring()
    if key_id not in ring:
        raise UnknownKeyError(
            f"Value was encrypted with data key {key_id!r}, which is not in LINLI_DATA_KEYS "
            f"(known: {', '.join(ring)}). Put the old key back into the keyring (after the current one)."
        )
    try:
        blob = base64.b64decode(b64, validate=True)
    except binascii.Error:
        raise DecryptionFailed(f"Stored value under key {key_id!r} is not valid base64.") from None
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionFailed(f"Stored value under key {key_id!r} is truncated.")
    nonce, sealed = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    aad = f"{key_id}:{alg}".encode()
    key = ring[key_id]
    try:
        if alg == ALG_AES:
            data = AESGCM(key).decrypt(nonce, sealed, aad)
        elif alg == ALG_SM4:
            body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
            decryptor = Cipher(algorithms.SM4(_sm4_key(key)), modes.GCM(nonce, tag)).decryptor()
            decryptor.authenticate_additional_data(aad)
            data = decryptor.update(body) + decryptor.finalize()
        else:
            raise DecryptionFailed(f"Unknown algorithm {alg!r} in a stored value.")
    except InvalidTag:
        raise DecryptionFailed(
            f"Stored value under key {key_id!r} failed authentication: it was altered, "
            "or the key with this id is not the one it was encrypted with."
        ) from None
    return data.decode("utf-8")


def needs_rotation(stored: str) -> bool:
    return not stored.startswith(current_prefix())


# --- blind index ------------------------------------------------------------------------


def _normalise(value: str, purpose: str) -> str:
    # Imported here: identity imports errors/translation, which crypto itself does not need.
    from linli.core import identity

    if purpose == PURPOSE_CITIZEN_ID:
        return identity.canonical_citizen_id(value)
    if purpose == PURPOSE_PHONE:
        return identity.canonical_phone_digits(value)
    return unicodedata.normalize("NFKC", value).strip()


def blind_index(value: str | None, purpose: str) -> str | None:
    """64 hex characters, or None for a missing or empty value (nothing to search for).

    `purpose` separates the index spaces ("citizen_id", "phone", ...): the same text used
    for two purposes gives two unrelated indexes.
    """
    if not purpose or "\0" in purpose:
        raise ValueError("blind_index() needs a purpose without NUL characters.")
    if value is None:
        return None
    normalised = _normalise(value, purpose)
    if not normalised:
        return None
    key = settings.LINLI_BLIND_INDEX_KEY
    if len(key) != 32:
        raise ImproperlyConfigured(f"LINLI_BLIND_INDEX_KEY must be 32 bytes, got {len(key)}.")
    message = f"{purpose}\0{normalised}".encode()
    if current_algorithm() == ALG_SM4:
        mac = crypto_hmac.HMAC(key, hashes.SM3())
        mac.update(message)
        return mac.finalize().hex()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
