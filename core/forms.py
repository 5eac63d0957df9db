from django import forms

from core.policy import RegionPolicy


class RegionPolicyForm(forms.ModelForm):
    class Meta:
        model = RegionPolicy
        fields = [f.name for f in RegionPolicy.figures()]
