"""Secret keys: Django's SECRET_KEY, the data-encryption keyring and the blind-index key.

Demo mode generates them into the data directory on first run (file mode 0600).
Production mode reads them from the environment and refuses to start without them.
"""

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from linli.core.env import ConfigError

KEYS_FILE = "keys.json"


@dataclass(frozen=True)
class Keys:
    secret_key: str
    # key id -> 32 raw bytes; the first id is the one new values are encrypted with.
    data_keys: dict[str, bytes]
    blind_index_key: bytes


def _new_key_material() -> dict:
    return {
        "secret_key": secrets.token_urlsafe(50),
        "data_keys": {"k1": base64.b64encode(secrets.token_bytes(32)).decode()},
        "blind_index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def _decode_keyring(text: str, source: str) -> dict[str, bytes]:
    """'k2:BASE64,k1:BASE64' -> ordered dict, first is current."""
    ring: dict[str, bytes] = {}
    for item in text.split(","):
        key_id, sep, b64 = item.strip().partition(":")
        if not sep or not key_id:
            raise ConfigError(f"{source}: each key must be written as ID:BASE64 (got {item!r}).")
        ring[key_id] = _decode_32(b64, f"{source} key {key_id}")
    return ring


def _decode_32(b64: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(b64, validate=True)
    except ValueError:
        raise ConfigError(f"{what} is not valid base64.") from None
    if len(raw) != 32:
        raise ConfigError(f"{what} must be 32 bytes (44 base64 characters), got {len(raw)}.")
    return raw


def load_demo_keys(data_dir: Path) -> Keys:
    path = data_dir / KEYS_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not both write different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                json.dump(_new_key_material(), fh, indent=2)
    try:
        raw = json.loads(path.read_text())
        ring = {k: _decode_32(v, f"{path} data key {k}") for k, v in raw["data_keys"].items()}
        return Keys(
            secret_key=raw["secret_key"],
            data_keys=ring,
            blind_index_key=_decode_32(raw["blind_index_key"], f"{path} blind_index_key"),
        )
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"{path} is damaged ({exc}); restore it from backup.") from None


def load_production_keys() -> Keys:
    missing = [
        name
        for name in ("LINLI_SECRET_KEY", "LINLI_DATA_KEYS", "LINLI_BLIND_INDEX_KEY")
        if not os.environ.get(name)
    ]
    if missing:
        raise ConfigError(
            "production mode needs "
            + ", ".join(missing)
            + " (generate them with: python manage.py generate_keys)."
        )
    secret_key = os.environ["LINLI_SECRET_KEY"]
    if len(secret_key) < 50:
        raise ConfigError("LINLI_SECRET_KEY must be at least 50 characters long.")
    return Keys(
        secret_key=secret_key,
        data_keys=_decode_keyring(os.environ["LINLI_DATA_KEYS"], "LINLI_DATA_KEYS"),
        blind_index_key=_decode_32(os.environ["LINLI_BLIND_INDEX_KEY"], "LINLI_BLIND_INDEX_KEY"),
    )


def generate_env_lines() -> list[str]:
    material = _new_key_material()
    return [
        f"LINLI_SECRET_KEY={material['secret_key']}",
        f"LINLI_DATA_KEYS=k1:{material['data_keys']['k1']}",
        f"LINLI_BLIND_INDEX_KEY={material['blind_index_key']}",
    ]
