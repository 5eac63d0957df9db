"""One error format for the whole API: ``{"code", "message", "extra"}``."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from core.errors import DatabaseUnavailableError, DomainError, RequestTooLargeError
from core.idempotency import IdempotentReplay

logger = logging.getLogger(__name__)

_DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "malformed_request",
}


def _fields(detail) -> dict:
    if isinstance(detail, dict):
        return {
            str(k): _fields(v) if isinstance(v, dict) else [str(m) for m in _as_list(v)]
            for k, v in detail.items()
        }
    return {"non_field_errors": [str(m) for m in _as_list(detail)]}


def _as_list(value) -> list:
    if isinstance(value, list):
        out = []
        for item in value:
            out.extend(_as_list(item) if isinstance(item, list) else [item])
        return out
    return [value]


def _as_domain_error(exc, context) -> DomainError | None:
    """Failures below the view that still have a clear answer for the client."""
    if isinstance(exc, RequestDataTooBig):
        # The form fields of a multipart body beyond the limit (a plain body with a length is
        # refused earlier, by core.middleware.RequestGuardMiddleware).
        return RequestTooLargeError(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exc, OperationalError | InterfaceError):
        # The connection failed (a restarted server, a terminated backend): the transaction
        # rolled back, the connection is replaced on the next use, the client may retry.
        request = context.get("request")
        logger.warning("database unavailable: %s", getattr(request, "path", "?"), exc_info=exc)
        return DatabaseUnavailableError()
    return None


def exception_handler(exc, context):
    if (mapped := _as_domain_error(exc, context)) is not None:
        exc = mapped
    if isinstance(exc, IdempotentReplay):
        return Response(exc.body, status=exc.status, headers={"Idempotent-Replayed": "true"})
    if isinstance(exc, DomainError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
        if exc.http_status == 503:
            headers = {"Retry-After": "1"}
        return Response(exc.as_dict(), status=exc.http_status, headers=headers)
    if isinstance(exc, SuspiciousOperation):  # too many fields, a malformed multipart body
        exc = exceptions.ParseError()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "message": _("The input is invalid."),
            "extra": {"fields": _fields(exc.detail)},
        }
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.APIException):
        code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
        detail = exc.detail
        message = str(detail) if not isinstance(detail, (dict, list)) else _("Request failed.")
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        return Response(
            {"code": code, "message": message, "extra": {}},
            status=exc.status_code,
            headers=headers,
        )
    return None
