"""Locks for accounts: the security log's hash chain [R-AUDIT-CHAIN].

The runtime role may not lock security log rows (FOR UPDATE needs UPDATE, which an
append-only table does not grant), so appends queue on one transaction-level advisory lock.
"""

from __future__ import annotations

from django.db import connection

# pg_advisory_xact_lock key of the security log's chain: "YGAUDITC" read as a big-endian int64
# (apart from the ledger's "YGLEDGER").
AUDIT_CHAIN_LOCK_KEY = int.from_bytes(b"YGAUDITC", "big") - (1 << 63)


def lock_audit_chain() -> None:
    """Serialise appends to the security log's chain until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_KEY])
