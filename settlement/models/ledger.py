"""The double-entry ledger [R-ESCROW]: accounts, journal entries and their postings.

A journal entry moves money between two or more accounts; its postings are signed (a debit is
positive, a credit negative) and sum to zero. PostgreSQL itself refuses, at commit, an entry
whose postings do not balance or that has fewer than two (deferred constraint triggers, as
django-hordak does), so no code path, raw SQL included, can leave the books unbalanced.
Entries and postings are append-only by privilege (core.privileges: the runtime role may only
SELECT and INSERT them) and by trigger; a correction is a reversing entry.

Each entry carries the SHA-256 of its own content and its postings chained to the previous
entry's hash (``seq`` orders the chain), so rewriting any past row, even as the owner, breaks
the chain that the daily reconciliation recomputes (settlement.selectors.ledger.ledger_verify).

An account keeps its posted debits and credits, updated in the transaction that posts, under
the account's row lock (settlement.locks), so a balance is one row read; a floor (an advance
account's zero) is a CHECK constraint on those two columns, the last guard after the service's
own check.
"""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.money import money_field
from core.tenancy import AnyActor, TenantQuerySet, scope_q
from settlement.choices import NORMAL_SIDE, AccountKind, EntryKind, Side

# An account's balance on its normal side, for queries (Account.balance for one row).
BALANCE_EXPRESSION = models.Case(
    models.When(normal_side=Side.DEBIT, then=models.F("debits") - models.F("credits")),
    default=models.F("credits") - models.F("debits"),
    output_field=models.DecimalField(max_digits=18, decimal_places=2),
)


class AccountQuerySet(TenantQuerySet):
    pass


class Account(models.Model):
    """One party's account for one purpose: a hospital's payables or advance, a supplier's
    receivables, a region's escrow account or insurance fund."""

    kind = models.CharField(_("kind"), max_length=24, choices=AccountKind.choices)
    normal_side = models.CharField(_("normal side"), max_length=6, choices=Side.choices)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
    )
    region_code = models.CharField(_("region"), max_length=6)
    # The lowest balance the account may reach (on its normal side); null: no floor.
    floor = money_field(_("floor"), null=True, blank=True)
    debits = money_field(_("debits posted"), default=Decimal("0.00"))
    credits = money_field(_("credits posted"), default=Decimal("0.00"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "organization"],
                condition=models.Q(organization__isnull=False),
                name="account_one_per_kind_and_org",
            ),
            models.UniqueConstraint(
                fields=["kind", "region_code"],
                condition=models.Q(organization__isnull=True),
                name="account_one_per_kind_and_region",
            ),
            models.CheckConstraint(
                condition=models.Q(debits__gte=0, credits__gte=0), name="account_totals_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(floor__isnull=True)
                | models.Q(
                    normal_side=Side.DEBIT,
                    debits__gte=models.F("credits") + models.F("floor"),
                )
                | models.Q(
                    normal_side=Side.CREDIT,
                    credits__gte=models.F("debits") + models.F("floor"),
                ),
                name="account_balance_above_floor",
            ),
        ]

    def __str__(self) -> str:
        owner = self.organization.name if self.organization is not None else self.region_code
        return f"{self.get_kind_display()} · {owner}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        """A party sees its own accounts; the bureau and the agency their region's, escrow and
        the fund included (those have no organisation, so no party sees them)."""
        return scope_q(actor, org_field="organization_id", region_field="region_code")

    @property
    def balance(self) -> Decimal:
        """The balance on the account's normal side (what a hospital owes, what escrow holds)."""
        if self.normal_side == Side.DEBIT:
            return self.debits - self.credits
        return self.credits - self.debits

    @staticmethod
    def normal_side_of(kind: str) -> str:
        return NORMAL_SIDE[kind]


# Refuse at commit an entry whose postings do not sum to zero or number fewer than two. Both
# tables carry it: an entry inserted without postings, and postings added to an entry in
# another statement of the same transaction, are checked once everything is in.
_BALANCED_FUNC = """
DECLARE
    entry bigint := {entry_ref};
    total numeric;
    legs integer;
BEGIN
    SELECT coalesce(sum(amount), 0), count(*) INTO total, legs
      FROM settlement_posting WHERE entry_id = entry;
    IF legs < 2 OR total <> 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance: % postings summing to %',
            entry, legs, total
            USING ERRCODE = '23514', CONSTRAINT = 'journal_entry_balanced';
    END IF;
    RETURN NULL;
END;
"""


class JournalEntry(models.Model):
    """One movement of money, with the document that caused it and its place in the chain."""

    seq = models.BigIntegerField(_("sequence"), unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=EntryKind.choices)
    effective_date = models.DateField(_("effective date"))
    memo = models.CharField(_("memo"), max_length=500, blank=True)
    # The document behind the entry: ("invoice", 12), ("payment_request", 3), ("settlement_batch",
    # 7)... A pair rather than foreign keys, since the documents live in several apps, some of
    # them to come; the pair is indexed for the document's own page.
    source_type = models.CharField(_("source document type"), max_length=40, blank=True)
    source_id = models.BigIntegerField(_("source document"), null=True, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["seq"]
        indexes = [models.Index(fields=["source_type", "source_id"], name="entry_by_source")]
        constraints = [
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="entry_seq_gte_1"),
        ]
        triggers = [
            history.append_only(),
            pgtrigger.Trigger(
                name="entry_balanced",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                timing=pgtrigger.Deferred,
                func=_BALANCED_FUNC.format(entry_ref="NEW.id"),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()}"


class Posting(models.Model):
    """One leg of an entry: a signed amount on one account (debit > 0, credit < 0)."""

    entry = models.ForeignKey(
        JournalEntry,
        verbose_name=_("journal entry"),
        on_delete=models.PROTECT,
        related_name="postings",
    )
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="postings"
    )
    amount = money_field(_("amount"))

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["pk"]
        indexes = [models.Index(fields=["account", "entry"], name="posting_by_account")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="posting_amount_not_0"),
        ]
        triggers = [
            history.append_only(),
            pgtrigger.Trigger(
                name="posting_balanced",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                timing=pgtrigger.Deferred,
                func=_BALANCED_FUNC.format(entry_ref="NEW.entry_id"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount}"

    @property
    def side(self) -> str:
        return Side.DEBIT if self.amount > 0 else Side.CREDIT


class LedgerCheck(models.Model):
    """One run of the daily reconciliation (settlement.selectors.ledger.ledger_verify): how
    far it read and what did not hold. Append-only: a check is evidence."""

    checked_at = models.DateTimeField(_("checked at"))
    entries = models.BigIntegerField(_("entries checked"))
    last_hash = models.CharField(_("last hash"), max_length=64)
    ok = models.BooleanField(_("books hold"))
    findings = models.JSONField(_("findings"), default=list)

    class Meta:
        verbose_name = _("ledger check")
        verbose_name_plural = _("ledger checks")
        ordering = ["-checked_at"]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'drift'}"
