"""Base API views: permission table, tenancy scoping and idempotent POSTs, for every endpoint."""

from __future__ import annotations

from django.db import DatabaseError, transaction
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from core import idempotency
from core.errors import NotFoundError
from core.permissions import ActionPermission

# The widest integer a primary key column holds (bigint).
_MAX_ID = 2**63 - 1


class ApiView(APIView):
    """Subclass for every operation. Set ``required_action`` (or ``required_actions`` by HTTP
    method) from core.permissions.ACTIONS; POSTs are made idempotent here, once."""

    permission_classes = [IsAuthenticated, ActionPermission]
    required_action: str | None = None
    required_actions: dict[str, str] | None = None
    # Keys of a successful POST response that hold a secret shown only once (dotted for nested
    # keys, e.g. "credentials.password"). The answer stored for Idempotency-Key replays never
    # holds them: a replay answers 409 idempotency_secret_withheld with the rest of the
    # response (core.idempotency.withhold_secrets), and the schema says so (core.api.schema).
    secret_fields: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # <int:pk> matches any run of digits; one no bigint column holds names no row.
        for value in kwargs.values():
            if isinstance(value, int) and value > _MAX_ID:
                raise NotFoundError()

    def dispatch(self, request, *args, **kwargs):
        """DRF's dispatch, except that a POST with an Idempotency-Key runs its handler inside
        one ``transaction.atomic()`` block that also stores the response (_dispatch_claimed).
        """
        self.args = args
        self.kwargs = kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        try:
            self.initial(request, *args, **kwargs)
            claim = idempotency.claim(request) if request.method == "POST" else None
        except Exception as exc:
            response = self.handle_exception(exc)
        else:
            if claim is not None:
                return self._dispatch_claimed(claim, request, *args, **kwargs)
            response = self._handle(request, *args, **kwargs)
        self.response = self.finalize_response(request, response, *args, **kwargs)
        return self.response

    def _handle(self, request, *args, **kwargs):
        """The handler's response, or the response for the exception it raised; an exception
        with no API answer (a bug) propagates."""
        method = request.method.lower()
        handler = getattr(self, method, None) if method in self.http_method_names else None
        try:
            return (handler or self.http_method_not_allowed)(request, *args, **kwargs)
        except Exception as exc:
            return self.handle_exception(exc)

    def _dispatch_claimed(self, claim, request, *args, **kwargs):
        """Run a keyed POST. The claim is committed already (a concurrent duplicate sees it and
        gets 409); what follows runs in one ``with transaction.atomic()`` block (_run_claimed),
        so every way out of the handler leaves the connection as it found it, and every way
        that answers no stored response releases the claim at once, so a retry runs again."""
        try:
            try:
                response = self._run_claimed(claim, request, *args, **kwargs)
            except DatabaseError as exc:
                # The database failed at COMMIT or while rolling back (a terminated backend):
                # answer as for any database failure (503, retry); errors with no answer
                # (an IntegrityError is a bug) propagate.
                response = self.finalize_response(
                    request, self.handle_exception(exc), *args, **kwargs
                )
        except BaseException:
            idempotency.release(claim)
            raise
        if response.status_code >= 500:
            idempotency.release(claim)
        self.response = response
        return response

    def _run_claimed(self, claim, request, *args, **kwargs):
        """Handler, rendering and stored response, in one transaction:

        - an answer below 500 (a success, or a refusal such as a domain error, whose service
          rolled its own writes back) commits together with the stored answer, so a retry
          gets the same answer and what the handler recorded (a refusal in the security log)
          is kept;
        - a 5xx answer (such as a lost connection's 503), an exception or a renderer failure
          rolls everything back.

        The response is rendered inside the block, because a renderer failure is an exit path
        too, and the stored body is the rendered text, so nothing is encoded twice.
        """
        with transaction.atomic():
            response = self.finalize_response(
                request, self._handle(request, *args, **kwargs), *args, **kwargs
            )
            if hasattr(response, "render"):
                response.render()
            if response.status_code < 500:
                idempotency.store(claim, *self._stored(response))
            else:
                transaction.set_rollback(True)
        return response

    def _stored(self, response) -> tuple[int, str | None]:
        """The status and JSON text a replay of ``response`` answers with."""
        body = None
        if response.get("Content-Type", "").startswith("application/json") and response.content:
            body = response.content.decode(response.charset)
        if self.secret_fields and response.status_code < 400 and body is not None:
            return idempotency.withhold_secrets(response.status_code, body, self.secret_fields)
        return response.status_code, body


class ListApi(ApiView, generics.ListAPIView):
    """A paginated list. ``get_queryset`` must come from a selector, which applies the actor's
    scope (core.tenancy), never from ``Model.objects`` directly."""
