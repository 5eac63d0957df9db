from core.export_jobs import ExportJob
from core.idempotency import IdempotencyRecord
from core.policy import RegionPolicy
from core.workcalendar import CalendarDay

__all__ = ["CalendarDay", "ExportJob", "IdempotencyRecord", "RegionPolicy"]
