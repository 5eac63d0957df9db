"""The platform's working-day calendar over the API (platform administrators): the same reads
and writes as the page (core.views.calendar)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from core import selectors, services
from core.api.params import query_id, validated
from core.api.views import ApiView
from core.errors import ValidationError
from core.workcalendar import CalendarDay, DayKind


class CalendarDayOutput(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["id", "date", "kind", "name", "created_at"]


class CalendarDayInput(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(
        choices=DayKind.choices,
        help_text="holiday: a day off; workday: a Saturday or Sunday worked (调休上班).",
    )
    name = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class CalendarYearOutput(serializers.Serializer):
    year = serializers.IntegerField()
    # DRF takes declared fields off the class; the stubs see Field.source (a str).
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=["platform", "package", "none"],
        help_text=(
            "Where the year's working days come from: platform (days entered here), package "
            "(chinese-calendar) or none (counted Monday to Friday: deadlines are estimated)."
        ),
    )
    holidays = serializers.IntegerField(help_text="Holidays entered on the platform.")
    workdays = serializers.IntegerField(help_text="Make-up working days entered on the platform.")
    degraded = serializers.BooleanField()


def _query_year(request) -> int | None:
    year = query_id(request, "year")
    if year is not None and not services.CALENDAR_FIRST_YEAR <= year <= services.CALENDAR_LAST_YEAR:
        raise ValidationError(
            fields={
                "year": [
                    _("Give a year from %(first)s to %(last)s.")
                    % {"first": services.CALENDAR_FIRST_YEAR, "last": services.CALENDAR_LAST_YEAR}
                ]
            }
        )
    return year


class CalendarYearListApi(ApiView):
    required_action = "calendar.manage"

    @extend_schema(responses=CalendarYearOutput(many=True))
    def get(self, request):
        years = selectors.calendar_years(actor=request.user)
        return Response(CalendarYearOutput(years, many=True).data)


class CalendarDayListCreateApi(ApiView):
    required_action = "calendar.manage"

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="Only the days of this year.")],
        responses=CalendarDayOutput(many=True),
    )
    def get(self, request):
        days = selectors.calendar_day_list(actor=request.user, year=_query_year(request))
        return Response(CalendarDayOutput(days, many=True).data)

    @extend_schema(request=CalendarDayInput, responses={201: CalendarDayOutput})
    def post(self, request):
        data = validated(CalendarDayInput, request.data)
        day = services.calendar_day_create(
            actor=request.user, date=data["date"], kind=data["kind"], name=data["name"]
        )
        return Response(CalendarDayOutput(day).data, status=status.HTTP_201_CREATED)


class CalendarDayDeleteApi(ApiView):
    required_action = "calendar.manage"

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        services.calendar_day_delete(actor=request.user, day_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
