from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, ValidationError


class UsccInvalidError(ValidationError):
    code = "uscc_invalid"
    message_template = _("%(value)s is not a valid unified social credit code: %(reason)s")


class RegionInvalidError(ValidationError):
    code = "region_invalid"
    message_template = _("%(value)s is not a current GB/T 2260 region code.")


class RoleInvalidError(ValidationError):
    code = "role_invalid"
    message_template = _("Role %(role)s does not exist or does not fit a %(kind)s.")


class ApiKeyError(DomainError):
    code = "api_key_invalid"
    http_status = 401
    message_template = _("The API key is missing, malformed, revoked or unknown.")


class ApiKeyMalformedError(ApiKeyError):
    code = "api_key_malformed"
    message_template = _("The API key is malformed: expected 'Bearer yg_<prefix>_<secret>'.")


class AuditArchiveError(DomainError):
    """[R-AUDIT-CHAIN] The archive file could not be written or checked: nothing was deleted."""

    code = "audit_archive_failed"
    http_status = 500
    message_template = _("The security log was not archived: %(reason)s")
