"""Forms of the alert pages [R-ALERT-USE] [R-MISCONDUCT]."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from supervision.choices import AlertSeverity, AlertStatus


class AlertSearchForm(forms.Form):
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *AlertStatus.choices], required=False
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", _("All")), *AlertSeverity.choices], required=False
    )
    assignee = forms.IntegerField(label=_("Assignee"), required=False, min_value=1)
    hospital = forms.IntegerField(label=_("Hospital"), required=False, min_value=1)
    supplier = forms.IntegerField(label=_("Supplier"), required=False, min_value=1)

    def __init__(self, *args, rules: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        rule = self.fields["rule"]
        if isinstance(rule, forms.ChoiceField):
            rule.choices = [("", _("All")), *rules]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}
