"""Record logins, logouts and failures in the security log (Django's auth signals), and what
core reports through ``core.signals.security_event`` (refused permissions, expired sessions)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.choices import SecurityEventKind
from accounts.services import security_event_record
from core.middleware import mark_session_start
from core.signals import security_event


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        mark_session_start(request)
    security_event_record(kind=SecurityEventKind.LOGIN, user=user, request=request)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    security_event_record(kind=SecurityEventKind.LOGOUT, user=user, request=request)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    security_event_record(
        kind=SecurityEventKind.LOGIN_FAILED,
        username=str(credentials.get("username", ""))[:150],
        request=request,
        reason="bad_credentials",
    )


@receiver(user_locked_out)
def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    security_event_record(
        kind=SecurityEventKind.LOCKED_OUT,
        username=str(username or "")[:150],
        request=request,
        reason="too_many_failures",
    )


@receiver(security_event)
def on_security_event(
    sender,
    kind,
    user=None,
    request=None,
    detail=None,
    object_type="",
    object_id="",
    reason="",
    **kwargs,
):
    security_event_record(
        kind=kind,
        user=user,
        request=request,
        detail=detail,
        object_type=object_type,
        object_id=object_id,
        reason=reason,
    )
