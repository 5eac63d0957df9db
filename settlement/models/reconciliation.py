"""Reconciliation [R-ESCROW]: the ledger's published daily hashes, and the escrow account's bank
statements matched against the transfers the payment flow recorded.

All four tables are records, append-only (core.privileges: the runtime role may only SELECT and
INSERT): a published hash is what the public compared against; an imported statement is the
bank's word, kept as it came; a match, once made, stays (a later import or a new transfer may
add matches, never undo one).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.money import money_field
from core.tenancy import AnyActor, TenantQuerySet, is_active_actor, overseer_q
from settlement.choices import StatementMatchKind


class PublishedDayHash(models.Model):
    """The hash of a day's last journal entry (Asia/Shanghai), published on the public pages
    by the daily check (settlement.services.reconciliation.day_hashes_publish). Verification
    compares the recomputed chain with these: a history rewritten after publication, however
    consistently, no longer reproduces the published hash."""

    day = models.DateField(_("day"), unique=True)
    seq = models.BigIntegerField(_("last entry"))
    hash = models.CharField(_("hash"), max_length=64)
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("published day hash")
        verbose_name_plural = _("published day hashes")
        ordering = ["-day"]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.day} #{self.seq}"


def _regional_q(actor: AnyActor, field: str = "region_code") -> models.Q:
    """The escrow account's overseers: the region's bureau and agency, the administrators."""
    if not is_active_actor(actor):
        return models.Q(pk__in=[])
    found = overseer_q(actor, region_field=field)
    return found if found is not None else models.Q(pk__in=[])


class BankStatementQuerySet(TenantQuerySet):
    pass


class BankStatement(models.Model):
    """One imported CSV statement of a pooling region's escrow account (the bank's export,
    columns in docs/settlement-bank-file.md), refused whole if any row is bad and refused
    again if the very same file (by SHA-256) comes back."""

    account = models.ForeignKey(
        "settlement.Account",
        verbose_name=_("escrow account"),
        on_delete=models.PROTECT,
        related_name="bank_statements",
    )
    region_code = models.CharField(_("region"), max_length=6)
    file_name = models.CharField(_("file name"), max_length=200)
    content_hash = models.CharField(_("file SHA-256"), max_length=64, unique=True)
    encoding = models.CharField(_("encoding"), max_length=16)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    line_count = models.PositiveIntegerField(_("lines"))
    total_in = money_field(_("received"))
    total_out = money_field(_("paid out"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported at"))

    objects = BankStatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="statement_period_ordered",
            ),
        ]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.period_start}–{self.period_end})"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        return _regional_q(actor)


class BankStatementLineQuerySet(TenantQuerySet):
    def unmatched(self):
        return self.filter(match__isnull=True)


class BankStatementLine(models.Model):
    """One row of a statement, as the bank wrote it (amounts in CNY, one of in or out)."""

    statement = models.ForeignKey(
        BankStatement,
        verbose_name=_("bank statement"),
        on_delete=models.PROTECT,
        related_name="lines",
    )
    account = models.ForeignKey(
        "settlement.Account",
        verbose_name=_("escrow account"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    row = models.PositiveIntegerField(_("row"))
    booked_on = models.DateField(_("transaction date"))
    bank_reference = models.CharField(_("bank serial number"), max_length=64)
    counterparty_reference = models.CharField(
        _("counterparty's transfer reference"), max_length=120, blank=True
    )
    counterparty_name = models.CharField(_("counterparty"), max_length=200, blank=True)
    counterparty_account = models.CharField(_("counterparty account"), max_length=64, blank=True)
    amount_in = money_field(_("received"))
    amount_out = money_field(_("paid out"))
    memo = models.CharField(_("memo"), max_length=500, blank=True)

    objects = BankStatementLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        ordering = ["statement", "row"]
        constraints = [
            # The bank's serial is the line's identity: an overlapping statement is refused.
            models.UniqueConstraint(
                fields=["account", "bank_reference"], name="statement_line_once"
            ),
            models.CheckConstraint(
                condition=(models.Q(amount_in__gt=0) & models.Q(amount_out=0))
                | (models.Q(amount_in=0) & models.Q(amount_out__gt=0)),
                name="statement_line_one_side",
            ),
        ]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.statement_id}/{self.row}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        return _regional_q(actor, "statement__region_code")

    @property
    def amount(self):
        return self.amount_in or self.amount_out


class StatementMatch(models.Model):
    """A statement line matched to one recorded transfer: a hospital's payment into escrow, a
    settlement batch's payout to a supplier, or a fund's direct payment. One line, one
    transfer, each at most once."""

    line = models.OneToOneField(
        BankStatementLine,
        verbose_name=_("statement line"),
        on_delete=models.PROTECT,
        related_name="match",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=StatementMatchKind.choices)
    request = models.OneToOneField(
        "settlement.PaymentRequest",
        verbose_name=_("payment request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_match",
    )
    payout = models.OneToOneField(
        "settlement.SettlementPayout",
        verbose_name=_("settlement payout"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_match",
    )
    matched_at = models.DateTimeField(_("matched at"))

    class Meta:
        verbose_name = _("statement match")
        verbose_name_plural = _("statement matches")
        ordering = ["line"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(request__isnull=False) & models.Q(payout__isnull=True))
                | (models.Q(request__isnull=True) & models.Q(payout__isnull=False)),
                name="statement_match_one_transfer",
            ),
        ]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.line_id} → {self.kind}"
