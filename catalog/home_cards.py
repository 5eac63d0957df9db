"""The catalogue's cards on the home page (core.home): objections to answer and failed sync
runs, counted from the selectors their linked lists use. Registered from CatalogConfig.ready."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from catalog import selectors
from catalog.choices import ObjectionStatus, SyncRunStatus
from core.home import CardQuery, register_card

RESOLVERS = {Role.BUREAU_OFFICER, Role.PLATFORM_ADMIN}


@register_card(
    key="objections_to_answer", title=_("Price objections to answer"), roles=RESOLVERS, order=510
)
def objections_to_answer(actor) -> CardQuery:
    rows = selectors.price_objection_list(actor=actor, status=ObjectionStatus.OPEN)
    return CardQuery(
        rows=rows, path=reverse("catalog:objections"), params={"status": ObjectionStatus.OPEN}
    )


@register_card(key="sync_runs_failed", title=_("Failed sync runs"), roles=RESOLVERS, order=530)
def sync_runs_failed(actor) -> CardQuery:
    rows = selectors.sync_run_list(actor=actor, status=SyncRunStatus.FAILED)
    return CardQuery(
        rows=rows, path=reverse("catalog:sync_runs"), params={"status": SyncRunStatus.FAILED}
    )
