from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization


class ApiClientCreateForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    organization = forms.ModelChoiceField(label=_("hospital"), queryset=Organization.objects.none())

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations
