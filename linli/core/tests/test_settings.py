"""Settings: typed readers, keys in demo and production mode, clean errors for bad values."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from linli.core.env import ConfigError, env_bool, env_choice, env_int
from linli.core.keys import load_demo_keys, load_production_keys

ROOT = Path(__file__).resolve().parents[3]


def test_env_readers_reject_bad_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ConfigError, match="X_BOOL"):
        env_bool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "12a")
    with pytest.raises(ConfigError, match="not a whole number"):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "3")
    with pytest.raises(ConfigError, match="minimum is 5"):
        env_int("X_INT", 10, minimum=5)
    monkeypatch.setenv("X_CHOICE", "mysql")
    with pytest.raises(ConfigError, match="one of: a, b"):
        env_choice("X_CHOICE", "a", ("a", "b"))


def test_demo_keys_are_generated_once_with_mode_0600(tmp_path):
    first = load_demo_keys(tmp_path)
    mode = stat.S_IMODE(os.stat(tmp_path / "keys.json").st_mode)
    assert mode == 0o600
    again = load_demo_keys(tmp_path)
    assert again == first
    assert len(first.data_keys["k1"]) == 32


def test_damaged_keys_file_is_reported(tmp_path):
    (tmp_path / "keys.json").write_text(json.dumps({"secret_key": "x"}))
    with pytest.raises(ConfigError, match="damaged"):
        load_demo_keys(tmp_path)


def test_production_mode_needs_every_key(monkeypatch):
    for name in ("LINLI_SECRET_KEY", "LINLI_DATA_KEYS", "LINLI_BLIND_INDEX_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="LINLI_SECRET_KEY, LINLI_DATA_KEYS, LINLI_BLIND_INDEX_KEY"):
        load_production_keys()
    monkeypatch.setenv("LINLI_SECRET_KEY", "s" * 60)
    monkeypatch.setenv("LINLI_DATA_KEYS", "k1:bm90LTMyLWJ5dGVz")
    monkeypatch.setenv("LINLI_BLIND_INDEX_KEY", "A" * 44)
    with pytest.raises(ConfigError, match="must be 32 bytes"):
        load_production_keys()


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "LINLI_", "DJANGO_"))
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_keys_stops_with_one_clear_line(tmp_path):
    result = _manage("check", LINLI_MODE="production", LINLI_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("linli: configuration error: production mode needs")


def test_wrong_database_url_stops_with_one_clear_line(tmp_path):
    result = _manage("migrate", DATABASE_URL="mysql://nobody@localhost/x", LINLI_DATA_DIR=str(tmp_path))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "DATABASE_URL must be a PostgreSQL URL" in result.stderr
    unreachable = "postgres://postgres@127.0.0.1:1/nothing"
    result = _manage("migrate", DATABASE_URL=unreachable, LINLI_DATA_DIR=str(tmp_path))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "the database cannot be reached" in result.stderr and "Check DATABASE_URL" in result.stderr


def test_port_in_use_is_reported(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _manage("preflight", "--port", str(port), LINLI_DATA_DIR=str(tmp_path))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"port {port} is already in use" in result.stderr


def test_production_settings_pass_check_deploy(tmp_path):
    from linli.core.keys import generate_env_lines

    keys = dict(line.split("=", 1) for line in generate_env_lines())
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        LINLI_MODE="production",
        LINLI_DATA_DIR=str(tmp_path),
        LINLI_ALLOWED_HOSTS="linli.example.gov.cn",
        **keys,
    )
    assert result.returncode == 0, result.stderr


def test_a_broken_holiday_file_stops_start_up_with_its_message(tmp_path):
    bad = tmp_path / "holidays.toml"
    bad.write_text("this is = not [valid toml")
    result = _manage("check", LINLI_DATA_DIR=str(tmp_path), LINLI_HOLIDAYS_FILE=str(bad))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "linli.E001" in result.stderr and "holidays.toml" in result.stderr
