from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrganizationKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    MANUFACTURER = "manufacturer", _("Manufacturer")
    DISTRIBUTOR = "distributor", _("Distributor")
    BUREAU = "bureau", _("Medical insurance bureau")
    AGENCY = "agency", _("Insurance agency")


SUPPLIER_KINDS = frozenset({OrganizationKind.MANUFACTURER, OrganizationKind.DISTRIBUTOR})
REGULATOR_KINDS = frozenset({OrganizationKind.BUREAU, OrganizationKind.AGENCY})


class HospitalTier(models.TextChoices):
    TIER_3 = "tier3", _("Tier 3")
    TIER_2 = "tier2", _("Tier 2")
    TIER_1 = "tier1", _("Tier 1")
    UNGRADED = "ungraded", _("Ungraded")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


class Role(models.TextChoices):
    HOSPITAL_PURCHASER = "hospital_purchaser", _("Hospital purchaser")
    HOSPITAL_FINANCE = "hospital_finance", _("Hospital finance")
    SUPPLIER_SALES = "supplier_sales", _("Supplier sales")
    BUREAU_OFFICER = "bureau_officer", _("Bureau officer")
    AGENCY_FINANCE = "agency_finance", _("Agency finance")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


# Which roles a user of each kind of organisation may hold. Platform administrators are staff
# of the bureau that runs the platform.
ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrganizationKind.HOSPITAL: frozenset({Role.HOSPITAL_PURCHASER, Role.HOSPITAL_FINANCE}),
    OrganizationKind.MANUFACTURER: frozenset({Role.SUPPLIER_SALES}),
    OrganizationKind.DISTRIBUTOR: frozenset({Role.SUPPLIER_SALES}),
    OrganizationKind.BUREAU: frozenset({Role.BUREAU_OFFICER, Role.PLATFORM_ADMIN}),
    OrganizationKind.AGENCY: frozenset({Role.AGENCY_FINANCE}),
}


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGOUT = "logout", _("Logout")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKED_OUT = "locked_out", _("Account locked")
    PERMISSION_DENIED = "permission_denied", _("Permission refused")
    SESSION_EXPIRED = "session_expired", _("Session expired")
    API_KEY_REJECTED = "api_key_rejected", _("API key rejected")
    API_KEY_CREATED = "api_key_created", _("API key created")
    API_KEY_REVOKED = "api_key_revoked", _("API key revoked")
    AUDIT_VERIFIED = "audit_verified", _("Audit trail verified")
    AUDIT_ARCHIVED = "audit_archived", _("Audit trail archived")


class AuditResult(models.TextChoices):
    SUCCESS = "success", pgettext_lazy("audit result", "Success")
    REFUSED = "refused", pgettext_lazy("audit result", "Refused")
    FAILED = "failed", pgettext_lazy("audit result", "Failed")


# The result a kind of security event has unless its writer says otherwise [R-AUDIT-CHAIN].
REFUSED_KINDS = frozenset(
    {
        SecurityEventKind.LOGIN_FAILED,
        SecurityEventKind.LOCKED_OUT,
        SecurityEventKind.PERMISSION_DENIED,
        SecurityEventKind.SESSION_EXPIRED,
        SecurityEventKind.API_KEY_REJECTED,
    }
)
