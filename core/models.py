from core.idempotency import IdempotencyRecord
from core.policy import RegionPolicy

__all__ = ["IdempotencyRecord", "RegionPolicy"]
