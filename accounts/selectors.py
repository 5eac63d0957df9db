"""Reads for organisations, users, API clients and the security log; always actor-scoped."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from accounts import audit
from accounts.choices import SecurityEventKind
from accounts.models import ApiClient, Organization, SecurityEvent, User
from core import permissions

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest
    from rest_framework.request import Request


def request_actor(request: HttpRequest | Request) -> User:
    """The user a request is signed in as, typed for the services. Every page and API view
    that calls one requires a signed-in user (login_required, the API's authentication and
    core.permissions.ActionPermission), so an anonymous visitor never gets this far."""
    return cast(User, request.user)


def organization_list(
    *, actor: User, kind: str | None = None, q: str | None = None
) -> QuerySet[Organization]:
    permissions.require(actor, "organization.view")
    qs = Organization.objects.visible_to(actor)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(uscc__iexact=q)
    return qs.order_by("kind", "name")


def organization_get(*, actor: User, organization_id: int) -> Organization:
    return permissions.access(
        actor, Organization.objects, action="organization.view", pk=organization_id
    )


def user_list(*, actor: User) -> QuerySet[User]:
    permissions.require(actor, "user.view")
    return User.objects.visible_to(actor).select_related("organization")


def api_client_list(*, actor: User) -> QuerySet[ApiClient]:
    permissions.require(actor, "api_client.view")
    return ApiClient.objects.visible_to(actor).select_related("organization", "created_by")


def security_event_list_unscoped(
    *, actor: User, kind: str | None = None
) -> QuerySet[SecurityEvent]:
    permissions.require(actor, "security_event.view")
    qs = SecurityEvent.objects.select_related("organization").order_by("-at")
    if kind:
        qs = qs.filter(kind=kind)
    return qs


# --- the security log's hash chain [R-AUDIT-CHAIN] ----------------------------------------------

# What a chained row is read as, for hashing and for the archive files.
AUDIT_ROW_FIELDS = ("id", *audit.CHAINED_FIELDS, "prev_hash", "chain_hash")


@dataclasses.dataclass(frozen=True)
class AuditFinding:
    """One place where the chain does not hold: ``check`` is ``chain_broken`` (a row's hash or
    link does not match: an edited row), ``chain_gap`` (a sequence number is missing: a
    deleted row), ``key_unknown`` (signed by a key we do not have) or ``unchained`` (a row
    without a sequence number written after the chain began: inserted past the service)."""

    check: str
    seq: int | None
    detail: dict


@dataclasses.dataclass(frozen=True)
class AuditChainReport:
    rows: int
    first_seq: int | None
    last_seq: int | None
    last_hash: str
    findings: list[AuditFinding]

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first_break(self) -> AuditFinding | None:
        return self.findings[0] if self.findings else None

    def as_detail(self, limit: int = 20) -> dict:
        return {
            "rows": self.rows,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "last_hash": self.last_hash,
            "findings": [dataclasses.asdict(f) for f in self.findings[:limit]],
            "findings_total": len(self.findings),
        }


def audit_chain_head() -> tuple[int, str]:
    """The last chained row's sequence number and hash (0 and the genesis hash when none; the
    archive's boundary when every row was archived: see ``audit_archive_boundary``)."""
    last = (
        SecurityEvent.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "chain_hash")
        .first()
    )
    if last is None or last[0] is None:
        return 0, audit.GENESIS_HASH
    return last[0], last[1]


def audit_archive_boundary(first_seq: int) -> str | None:
    """The hash the row ``first_seq`` must follow when the rows before it were archived: the
    ``boundary_hash`` the archive's own (chained) event recorded, or None if none did."""
    found = (
        SecurityEvent.objects.filter(
            kind=SecurityEventKind.AUDIT_ARCHIVED,
            seq__isnull=False,
            detail__next_seq=first_seq,
        )
        .order_by("-seq")
        .values_list("detail", flat=True)
        .first()
    )
    return str(found["boundary_hash"]) if found else None


def audit_chain_walk(
    rows: Iterable[Mapping[str, Any]],
    *,
    start_seq: int,
    start_hash: str | None,
    keys: Mapping[str, bytes],
) -> Iterator[AuditFinding]:
    """Recompute each row's hash in ``seq`` order from ``start_hash`` (the hash the first row
    must follow; None: take its stored one) and yield where the chain does not hold. After a
    finding the walk goes on from the stored hash, so one edited row is one finding."""
    expected_seq, prev = start_seq, start_hash
    for row in rows:
        seq = int(row["seq"])
        if seq != expected_seq:
            yield AuditFinding(
                "chain_gap", seq, {"expected_seq": expected_seq, "missing": seq - expected_seq}
            )
            prev = None  # the row that it followed is gone: its link cannot be checked
        if prev is None:
            prev = str(row["prev_hash"])
        key = keys.get(str(row["key_id"]))
        if key is None:
            yield AuditFinding("key_unknown", seq, {"key_id": row["key_id"]})
        else:
            computed = audit.chain_hash(key=key, prev_hash=prev, row=row)
            if row["prev_hash"] != prev or row["chain_hash"] != computed:
                yield AuditFinding(
                    "chain_broken",
                    seq,
                    {"id": row.get("id"), "stored": row["chain_hash"], "computed": computed},
                )
        prev, expected_seq = str(row["chain_hash"]), seq + 1


def _chained_rows(batch: int) -> Iterator[dict[str, Any]]:
    rows = SecurityEvent.objects.filter(seq__isnull=False).order_by("seq").values(*AUDIT_ROW_FIELDS)
    last = 0
    while True:
        page = list(rows.filter(seq__gt=last)[:batch])
        if not page:
            return
        yield from page
        last = page[-1]["seq"]


def audit_chain_verify(*, batch: int = 2000) -> AuditChainReport:
    """[R-AUDIT-CHAIN] Walk the security log's chain in ``seq`` order and report where it does
    not hold (``AuditFinding``; the first is the first break). The first kept row must follow
    the genesis hash (seq 1) or the boundary an archive recorded; rows without a sequence
    number are allowed only before the chain's first row (the log before the chain began)."""
    first = (
        SecurityEvent.objects.filter(seq__isnull=False)
        .order_by("seq")
        .values_list("pk", "seq", "prev_hash")
        .first()
    )
    if first is None or first[1] is None:
        return AuditChainReport(0, None, None, audit.GENESIS_HASH, [])
    first_pk, first_seq = first[0], int(first[1])
    findings: list[AuditFinding] = []
    if first_seq == 1:
        start_hash: str | None = audit.GENESIS_HASH
    else:
        start_hash = audit_archive_boundary(first_seq)
        if start_hash is None:
            findings.append(
                AuditFinding("chain_gap", first_seq, {"expected_seq": 1, "archived": False})
            )
    counted: dict[str, Any] = {"rows": 0, "last_seq": first_seq, "last_hash": ""}

    def counting() -> Iterator[dict[str, Any]]:
        for row in _chained_rows(batch):
            counted["rows"] += 1
            counted["last_seq"], counted["last_hash"] = row["seq"], row["chain_hash"]
            yield row

    findings.extend(
        audit_chain_walk(
            counting(), start_seq=first_seq, start_hash=start_hash, keys=audit.known_keys()
        )
    )
    unchained = SecurityEvent.objects.filter(seq__isnull=True, pk__gt=first_pk)
    findings.extend(
        AuditFinding("unchained", None, {"id": pk, "kind": kind})
        for pk, kind in unchained.order_by("pk").values_list("pk", "kind")[:100]
    )
    return AuditChainReport(
        rows=int(counted["rows"]),
        first_seq=first_seq,
        last_seq=int(counted["last_seq"]),
        last_hash=str(counted["last_hash"]),
        findings=findings,
    )


def audit_archive_file_verify(path: Path) -> AuditChainReport:
    """[R-AUDIT-CHAIN] An archive file of ``audit_archive`` (JSON lines, one row each, with its
    hashes), its chain recomputed from its first row's stored previous hash."""
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    chained = [row for row in rows if row.get("seq") is not None]
    if not chained:
        return AuditChainReport(len(rows), None, None, "", [])
    findings = list(
        audit_chain_walk(
            chained, start_seq=chained[0]["seq"], start_hash=None, keys=audit.known_keys()
        )
    )
    return AuditChainReport(
        rows=len(rows),
        first_seq=chained[0]["seq"],
        last_seq=chained[-1]["seq"],
        last_hash=chained[-1]["chain_hash"],
        findings=findings,
    )
