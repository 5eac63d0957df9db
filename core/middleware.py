"""Page-side middleware: session limits, password rotation, and domain errors as messages."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

from core import clock
from core.errors import DomainError

_STARTED = "_yg_auth_started"
_SEEN = "_yg_last_seen"


def mark_session_start(request) -> None:
    """Called at login: the absolute limit counts from here."""
    now = clock.now().timestamp()
    request.session[_STARTED] = now
    request.session[_SEEN] = now


class SessionLimitsMiddleware:
    """End a browser session after SESSION_IDLE_TIMEOUT idle or SESSION_ABSOLUTE_TIMEOUT in all.

    Django's session age alone gives one or the other, not both, so we keep two timestamps.
    API-key requests carry no session and are unaffected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = clock.now().timestamp()
            session = request.session
            started = session.get(_STARTED)
            seen = session.get(_SEEN, started)
            idle: timedelta = settings.SESSION_IDLE_TIMEOUT
            absolute: timedelta = settings.SESSION_ABSOLUTE_TIMEOUT
            if started is None:
                session[_STARTED] = now
            elif now - seen > idle.total_seconds() or now - started > absolute.total_seconds():
                from accounts.services import security_event_record

                security_event_record(kind="session_expired", user=user, request=request)
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return HttpResponseRedirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            session[_SEEN] = now
        return self.get_response(request)


class LanguageMiddleware(LocaleMiddleware):
    """Chinese first: the language is the one the user chose (the language cookie set by the
    switcher), else LANGUAGE_CODE. The browser's Accept-Language is ignored on purpose: a
    hospital PC with an English Windows must still open the platform in Chinese."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PasswordRotationMiddleware:
    """Send a user whose password is older than PASSWORD_MAX_AGE_DAYS to the change form."""

    EXEMPT_PREFIXES = (
        "/accounts/login/",
        "/accounts/logout/",
        "/accounts/password/",
        "/static/",
        "/healthz",
        "/i18n/",
        "/api/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and settings.PASSWORD_MAX_AGE_DAYS > 0
        ):
            changed = user.password_changed_at
            limit = timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
            if changed is None or clock.now() - changed > limit:
                return HttpResponseRedirect(reverse("accounts:password_change"))
        return self.get_response(request)


class DomainErrorMiddleware:
    """A DomainError escaping a page view becomes a message on the page, with its status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        if exception.http_status == 404:
            from django.http import Http404

            raise Http404(exception.message)
        messages.error(request, exception.message)
        referer = request.headers.get("Referer")
        if request.method == "POST" and referer and not request.htmx:
            return HttpResponseRedirect(referer)
        return render(
            request, "core/error.html", {"error": exception}, status=exception.http_status
        )
