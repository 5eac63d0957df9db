"""The bureau's dashboard (docs/dashboard.md): tiles, the 12-month trend, the rankings and the
district breakdown for a month and district of the jurisdiction; the same figures as
GET /api/v1/supervision/dashboard/ (supervision.selectors.dashboard). The home page loads
``dashboard_panel`` (the tiles) above the cards; hospitals and suppliers get ``dashboard_own``
(their own five rates and rank). A refusal is shown as a message by core.middleware."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from supervision.choices import Rate
from supervision.selectors import dashboard as selectors
from supervision.selectors import five_rates
from supervision.services.dashboard import dashboard_figures


def _board(request):
    params = request.GET
    return dashboard_figures(
        actor=request.user,
        month=params.get("month"),
        district=params.get("district"),
        rate=params.get("rate"),
    )


@login_required
def dashboard(request):
    board = _board(request)
    return render(
        request,
        "supervision/dashboard.html",
        {
            "board": board,
            "scope": board.scope,
            "tiles": board.tiles,
            "districts": list(board.districts.values()),
            "district_choices": selectors.jurisdiction_districts(actor=request.user),
            "rates": Rate.choices,
            "rate_label": Rate(board.rank_rate).label,
            "chart": selectors.chart_data(board),
            "current_month": f"{five_rates.current_month():%Y-%m}",
        },
    )


@login_required
def dashboard_panel(request):
    """The tiles alone (the bureau's home, loaded by htmx)."""
    board = _board(request)
    return render(
        request,
        "supervision/partials/dashboard_tiles.html",
        {"board": board, "scope": board.scope, "tiles": board.tiles, "panel": True},
    )


@login_required
def dashboard_own(request):
    """A hospital's or supplier's own five rates and rank among its peers (its home's panel)."""
    params = request.GET
    table = selectors.own_rates(
        actor=request.user,
        month=params.get("month"),
        kind=params.get("kind"),
        key=params.get("key"),
    )
    return render(
        request,
        "supervision/partials/dashboard_own.html",
        {"table": table, "row": table.rows[0] if table.rows else None},
    )
