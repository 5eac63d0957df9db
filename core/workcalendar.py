"""The platform's own calendar of public holidays and make-up working days.

The State Council announces each year's holidays and the weekend days worked in exchange
(调休上班) in a notice, usually in November of the year before. chinese-calendar carries the
notices up to its release; the platform administrators enter later years here (and may correct
a single day of a year the package knows). core.clock reads both: a day entered here wins over
the package; a year neither knows is counted Monday to Friday, and every deadline counted so
is flagged as estimated.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (day off)")
    WORKDAY = "workday", _("Make-up working day")


@history.track()
class CalendarDay(models.Model):
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("type of day"), max_length=10, choices=DayKind.choices)
    name = models.CharField(
        _("holiday"),
        max_length=40,
        blank=True,
        help_text=_("The holiday the day belongs to, e.g. New Year's Day or Spring Festival."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["holiday", "workday"]), name="calendar_day_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def is_working_day(self) -> bool:
        return self.kind == DayKind.WORKDAY
