"""The left menu, by role: each entry names the action (core.permissions) that shows it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.permissions import can


@dataclass(frozen=True)
class MenuItem:
    label: object
    url_name: str
    icon: str
    action: str | None = None


MENU: list[MenuItem] = [
    MenuItem(_("Home"), "core:home", "house"),
    MenuItem(_("Catalogue"), "catalog:consumable_list", "upc-scan", "catalog.view"),
    MenuItem(_("Organisations"), "accounts:organization_list", "building", "organization.view"),
    MenuItem(_("API clients"), "accounts:api_client_list", "key", "api_client.view"),
    MenuItem(_("Region policy"), "core:region_policy", "sliders", "region_policy.view"),
    MenuItem(_("Change history"), "core:history", "clock-history", "history.view"),
    MenuItem(
        _("Security log"), "accounts:security_event_list", "shield-lock", "security_event.view"
    ),
]


def menu_for(user) -> list[dict]:
    items = []
    for item in MENU:
        if item.action is None or can(user, item.action):
            items.append(
                {
                    "label": item.label,
                    "url": reverse(item.url_name),
                    "icon": item.icon,
                    "url_name": item.url_name,
                }
            )
    return items
