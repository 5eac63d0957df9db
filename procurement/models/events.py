"""The change feed: one row per state change of an order, delivery or invoice.

Readers page through it with a cursor of (transaction id, event id). Ids alone are not safe:
a transaction that took id 10 may commit after one that took id 11, and a reader that already
passed 11 would never see 10. So each row records the id of the transaction that wrote it, and
a reader only returns rows of transactions older than every transaction still running
(``pg_snapshot_xmin``). Once the cursor passes (xid, id), no row with a smaller key can appear.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.tenancy import AnyActor, TenantQuerySet
from procurement.choices import EventType
from procurement.models.orders import order_scope_q


class EventQuerySet(TenantQuerySet):
    pass


class Event(models.Model):
    id = models.BigAutoField(primary_key=True)
    # pg_current_xact_id() of the writing transaction, set by the database default.
    txid = models.BigIntegerField(
        _("transaction"),
        db_default=models.Func(
            function="pg_current_xact_id", template="(pg_current_xact_id()::text)::bigint"
        ),
    )
    type = models.CharField(_("event"), max_length=30, choices=EventType.choices)
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    supplier = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.ForeignKey(
        "procurement.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="+"
    )
    entity = models.CharField(_("entity"), max_length=20)
    entity_id = models.BigIntegerField(_("entity id"))
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["txid", "id"]
        indexes = [
            models.Index(fields=["hospital", "txid", "id"], name="event_hospital_cursor"),
            models.Index(fields=["supplier", "txid", "id"], name="event_supplier_cursor"),
        ]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.txid}:{self.id} {self.type}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        """The events of the orders the actor sees (procurement.models.orders.order_scope_q),
        on the event's own hospital and supplier columns."""
        return order_scope_q(actor, prefix="order__", party_prefix="")


class FeedEntry(models.Model):
    """An event as one supplier's or distributor's feed reads it: one row per event and per
    organisation it is addressed to, so that their page is an index range scan on
    (organisation, txid, event) like a hospital's, instead of a scan of every event through a
    join with an OR (the supplier's column, or the order's distributor).

    Written in the event's transaction (procurement.services.events.feed_fan_out), and again
    when an order gains an audience: at submission its draft's events, when a distributor is
    named the order's earlier events. A late entry carries the transaction id of the
    transaction that wrote it, so a reader past the event's own position still receives it.
    The feed rechecks each entry against the order's current scope (a replaced distributor
    stops seeing the order), so the entries are a superset that never needs rewriting."""

    id = models.BigAutoField(primary_key=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="+"
    )
    txid = models.BigIntegerField(
        _("transaction"),
        db_default=models.Func(
            function="pg_current_xact_id", template="(pg_current_xact_id()::text)::bigint"
        ),
    )

    class Meta:
        verbose_name = _("feed entry")
        verbose_name_plural = _("feed entries")
        constraints = [
            models.UniqueConstraint(fields=["organization", "event"], name="feedentry_once")
        ]
        indexes = [
            models.Index(fields=["organization", "txid", "event"], name="feedentry_cursor"),
        ]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.txid}:{self.event_id}"
