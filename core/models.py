from core.idempotency import IdempotencyRecord
from core.policy import RegionPolicy
from core.workcalendar import CalendarDay

__all__ = ["CalendarDay", "IdempotencyRecord", "RegionPolicy"]
