"""System checks of accounts (registered in AccountsConfig.ready)."""

from __future__ import annotations

from django.core import checks

from accounts.audit import key_problem


@checks.register(checks.Tags.security, deploy=True)
def audit_key_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """[R-AUDIT-CHAIN] ``check --deploy`` (and so the start of production) refuses a security log
    without its HMAC key: with DEBUG off the development key is never used."""
    problem = key_problem()
    if problem is None:
        return []
    return [
        checks.Error(
            f"The security log's hash chain has no usable key: {problem}",
            hint="Set AUDIT_HMAC_KEY, or AUDIT_HMAC_KEY_FILE to a file holding the key "
            "(at least 32 bytes, e.g. `openssl rand -hex 32`); see docs/security.md.",
            id="accounts.E001",
        )
    ]
