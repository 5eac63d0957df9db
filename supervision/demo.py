"""The demo's credit [R-CREDIT] [R-MISCONDUCT]: m08 (江苏百视通) failed to supply as contracted,
so one of its listings is suspended (a hospital cannot order it) and its application for
credit repair awaits the bureau; d05 (九州通) was found with false documents, a serious case on
the public pages; the emergency purchase violations of the demo raised their credit events."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from accounts.models import Organization, User
from core import clock
from procurement.models import Listing
from supervision.models import CreditEvent
from supervision.services import credit as services

M08 = "江苏百视通医疗器械有限公司"
D05 = "九州通医疗器械集团江苏有限公司"


@transaction.atomic
def seed() -> dict[str, int]:
    if CreditEvent.objects.filter(source="recorded").exists():
        return {"credit_events": CreditEvent.objects.count()}
    bureau = User.objects.filter(username="bureau").first()
    m08 = Organization.objects.filter(name=M08).first()
    d05 = Organization.objects.filter(name=D05).first()
    sales = User.objects.filter(organization=m08, roles__contains=["supplier_sales"]).first()
    if bureau is None or m08 is None or d05 is None or sales is None:
        return {}
    services.misconduct_catalogue_seed()
    today = clock.local_today()
    listing = Listing.objects.filter(manufacturer=m08, status="listed").order_by("-pk").first()
    supply = services.credit_event_record(
        actor=bureau,
        subject_id=m08.pk,
        item_code="supply_failure",
        occurred_on=today - dt.timedelta(days=3),
        description="南京市第一医院订单确认后逾期 15 日未供货，经约谈仍未履约。",
        evidence_text="医院投诉函及平台订单记录",
        listing_id=listing.pk if listing is not None else None,
    )
    services.credit_repair_apply(
        actor=sales,
        event_id=supply.pk,
        statement="已于本周补足全部欠货，并与配送企业签订保供协议。",
    )
    services.credit_event_record(
        actor=bureau,
        subject_id=d05.pk,
        item_code="false_documents",
        occurred_on=today - dt.timedelta(days=10),
        description="配送资质申报中提供的仓储证明材料经核查不实。",
        evidence_text="市场监管部门核查结论",
    )
    raised = services.credit_sources_sweep()
    return {"credit_events": CreditEvent.objects.count(), "raised": raised}
