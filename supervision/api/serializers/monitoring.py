"""Output shapes of the monitoring APIs [R-MONITOR] [R-RETAINED] [R-CUTS-1000]."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import MoneyField, RatioField
from supervision.selectors.price_cuts import SOURCES
from supervision.selectors.retained_savings import PRICE_SOURCES


def _money(**kwargs) -> MoneyField:
    return MoneyField(read_only=True, **kwargs)


def _ratio(**kwargs) -> RatioField:
    return RatioField(read_only=True, allow_null=True, **kwargs)


class PaymentFiguresOutput(serializers.Serializer):
    due_amount = _money(help_text="Confirmed invoices due in the month [R-PAY-30].")
    due_count = serializers.IntegerField()
    on_time_amount = _money(help_text="Of those, paid to the supplier by the due day.")
    on_time_count = serializers.IntegerField()
    payment_rate = _ratio(help_text="On time / due, by amount; null when nothing fell due.")
    overdue_amount = _money(help_text="Unpaid past the due day at the month's end (or today).")
    overdue_count = serializers.IntegerField()
    average_days_to_pay = serializers.DecimalField(
        max_digits=8,
        decimal_places=1,
        coerce_to_string=True,
        allow_null=True,
        read_only=True,
        help_text="Local days from acceptance to payment, over the invoices due and paid.",
    )


class VolumeFiguresOutput(serializers.Serializer):
    contracts = serializers.IntegerField()
    lagging = serializers.IntegerField(help_text="In force and behind the elapsed share.")
    agreed = serializers.IntegerField()
    done = serializers.IntegerField()
    done_share = _ratio()


class HospitalMonitoringOutput(serializers.Serializer):
    hospital_id = serializers.IntegerField()
    name = serializers.CharField()
    region_code = serializers.CharField()
    payment = PaymentFiguresOutput()
    volume = VolumeFiguresOutput()


class ContractProgressOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    hospital_id = serializers.IntegerField()
    consumable_id = serializers.IntegerField()
    product = serializers.CharField(source="consumable.product_name")
    status = serializers.CharField()
    cycle_start = serializers.DateField()
    cycle_end = serializers.DateField()
    agreed_quantity = serializers.IntegerField()
    done = serializers.IntegerField()
    done_share = _ratio()
    elapsed_share = _ratio()
    lagging = serializers.BooleanField(source="is_lagging")


class MonitoringOutput(serializers.Serializer):
    month = serializers.DateField()
    cutoff = serializers.DateField(help_text="Overdue is counted as of this local day.")
    rows = HospitalMonitoringOutput(many=True)
    totals = HospitalMonitoringOutput()
    contracts = ContractProgressOutput(
        many=True, help_text="One hospital's contract lines (``hospital=``, or a hospital's own)."
    )


class HospitalSavingsOutput(serializers.Serializer):
    hospital_id = serializers.IntegerField()
    name = serializers.CharField()
    region_code = serializers.CharField()
    contracts = serializers.IntegerField()
    budget = _money(help_text="Agreed volume at pre-tender prices.")
    spend = _money(help_text="Actual spend on those contracts.")
    savings = _money()
    share = _ratio(help_text="The region's retained_savings_share [R-RETAINED].")
    retained = _money()


class SavingsContractOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    hospital_id = serializers.IntegerField()
    consumable_id = serializers.IntegerField()
    agreed_quantity = serializers.IntegerField()
    pre_price = _money(help_text="The pre-tender price the budget is at.")
    price_source = serializers.ChoiceField(choices=list(PRICE_SOURCES), read_only=True)
    price = _money(help_text="The contract price.")
    budget = _money()
    spend = _money()
    savings = _money()


class RetainedSavingsOutput(serializers.Serializer):
    year = serializers.IntegerField()
    rows = HospitalSavingsOutput(many=True)
    savings = _money(source="totals.savings")
    retained = _money()
    contracts = SavingsContractOutput(many=True)


class PriceCutOutput(serializers.Serializer):
    consumable_id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    product_name = serializers.CharField()
    cut_on = serializers.DateField(help_text="The first cut of the year (Asia/Shanghai).")
    old_price = _money()
    new_price = _money()
    cut_source = serializers.ChoiceField(choices=list(SOURCES), read_only=True)


class PriceCutProgressOutput(serializers.Serializer):
    year = serializers.IntegerField()
    count = serializers.IntegerField()
    target = serializers.IntegerField(help_text="The region's annual_price_cut_target.")
