"""Page-side middleware: session limits, password rotation, and domain errors as messages."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

from core import clock
from core.errors import DomainError, NulCharacterError, RequestTooLargeError
from core.history import client_address
from core.request_id import HEADER, RequestInfo, new_request_id, reset_request, set_request
from core.signals import security_event

_STARTED = "_yg_auth_started"
_SEEN = "_yg_last_seen"


def mark_session_start(request) -> None:
    """Called at login: the absolute limit counts from here."""
    now = clock.now().timestamp()
    request.session[_STARTED] = now
    request.session[_SEEN] = now


class RequestIdMiddleware:
    """Give each request its id (core.request_id): ``request.request_id``, the current id while
    it runs, and the ``X-Request-ID`` response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = new_request_id(request.headers.get(HEADER))
        token = set_request(
            RequestInfo(request.request_id, request.path[:300], client_address(request))
        )
        try:
            response = self.get_response(request)
        finally:
            reset_request(token)
        response[HEADER] = request.request_id
        return response


class RequestGuardMiddleware:
    """Refuse, before any view (or later middleware) sees it, a request no view can take:

    - a NUL character (U+0000, ``%00``) in the path, the query string or (for pages) a posted
      form: PostgreSQL refuses NUL in text, so any query that met it would be a 500. API
      bodies are checked by their parsers (core.api.parsers);
    - a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE, by its Content-Length, before it is read.
      Multipart uploads are exempt (their form fields are limited while parsing, files not).

    API paths answer in the ``{code, message, extra}`` envelope (413 ``request_too_large``,
    400 ``nul_character``); pages with the error page. It sits right after authentication, so
    that the error page knows the user, and before everything that records the path (the
    session limits' security log).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        error = self.refusal(request)
        if error is None:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse(error.as_dict(), status=error.http_status)
        return render(request, "core/error.html", {"error": error}, status=error.http_status)

    @staticmethod
    def refusal(request) -> DomainError | None:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "%00" in query or "\x00" in query:
            return NulCharacterError()
        multipart = request.content_type == "multipart/form-data"
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit and not multipart:
            return RequestTooLargeError(limit=limit)
        if request.method == "POST" and not request.path_info.startswith("/api/"):
            form_types = ("application/x-www-form-urlencoded", "multipart/form-data")
            if request.content_type in form_types:
                for key, values in request.POST.lists():
                    if "\x00" in key or any("\x00" in value for value in values):
                        return NulCharacterError()
                if any("\x00" in (upload.name or "") for upload in request.FILES.values()):
                    return NulCharacterError()
        return None


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
                reason = "idle" if now - seen > idle.total_seconds() else "absolute"
                security_event.send(
                    sender=type(self),
                    kind="session_expired",
                    user=user,
                    request=request,
                    reason=f"{reason}_timeout",
                )
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
        "/favicon.ico",
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
