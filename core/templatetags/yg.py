"""Template filters shared by every page."""

from decimal import Decimal

from django import template

from core.money import format_cny
from core.paging import count_label

register = template.Library()


@register.filter
def capped(value):
    """A count that stops past core.paging.COUNT_CAP as shown: 42, or "1000+"."""
    return count_label(int(value or 0))


@register.filter
def cny(value):
    """¥1,234.56 (core.money owns the rounding and format)."""
    if value in (None, ""):
        return ""
    return format_cny(Decimal(value))


@register.filter
def cny_abs(value):
    """An amount without its sign (a credit column): ¥30.00 for -30.00."""
    if value in (None, ""):
        return ""
    return format_cny(abs(Decimal(value)))


@register.filter
def percent(value):
    """A share (0.0300) as a percentage: 3%, 2.5%, 0.15%."""
    if value in (None, ""):
        return ""
    text = f"{Decimal(value) * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


@register.filter
def days_left(value):
    """Calendar days from today (Asia/Shanghai) to a deadline; negative once it has passed."""
    from core.clock import local_today

    if not value:
        return None
    return (value - local_today()).days


@register.filter
def region(code):
    """GB/T 2260 code -> its name (江苏省); unknown codes are shown as they are."""
    from core.regions import region_name

    return region_name(code) if code else ""


@register.simple_tag(takes_context=True)
def history_link(context, obj):
    """A link from an object's page to its own change history, for those who may read it."""
    from django.urls import reverse
    from django.utils.html import format_html
    from django.utils.http import urlencode
    from django.utils.translation import gettext

    from core.permissions import can

    request = context.get("request")
    user = getattr(request, "user", None)
    if obj is None or user is None or not can(user, "history.view"):
        return ""
    query = urlencode({"model": obj._meta.label, "object_id": obj.pk})
    return format_html(
        '<a class="btn btn-sm btn-outline-secondary" data-history-link href="{}?{}">{}</a>',
        reverse("core:history"),
        query,
        gettext("Change history"),
    )


@register.simple_tag
def export_limit_note(kind=""):
    """The row limit an export states next to its button, and why (core.exports)."""
    from django.utils.translation import gettext as _

    from core import exports

    definition = exports.EXPORTS.get(kind) if kind else None
    if definition is None:
        return _("Up to %(limit)s rows: %(reason)s.") % {
            "limit": f"{exports.SYNC_MAX_ROWS:,}",
            "reason": exports.SYNC_LIMIT_REASON,
        }
    return _("Prepared in the background; up to %(limit)s rows: %(reason)s.") % {
        "limit": f"{definition.limit:,}",
        "reason": definition.limit_reason,
    }


@register.simple_tag
def export_retention_h():
    from django.conf import settings

    return settings.EXPORT_RETENTION_H
