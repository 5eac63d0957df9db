"""``manage.py check --deploy`` passes with production settings (env vars only)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "a-production-secret-key-of-enough-length-and-variety-8f2e1c9d7b",
        "DJANGO_ALLOWED_HOSTS": "yangguang.example.gov.cn",
        "AUDIT_HMAC_KEY": "a-production-audit-hmac-key-of-enough-length-3c5a7e9b1d",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env["DJANGO_DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_check_deploy_refuses_a_missing_audit_key_r_audit_chain():
    """[R-AUDIT-CHAIN] With DJANGO_DEBUG=0 and no AUDIT_HMAC_KEY (nor a key file), `check
    --deploy` fails on accounts.E001: production never signs the security log with a
    development key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDIT_HMAC_KEY")}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-production-secret-key-of-enough-length-and-variety-8f2e1c9d7b",
        DJANGO_ALLOWED_HOSTS="yangguang.example.gov.cn",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "accounts.E001" in result.stderr
