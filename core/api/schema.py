"""OpenAPI: document the Idempotency-Key header, and every error response an operation can
give, in the error format, on every operation."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable error code.")
    message = serializers.CharField(help_text="Human-readable message in the request's language.")
    extra = serializers.DictField(
        help_text=(
            "Details. `invalid`: `fields` maps a field to its messages. `invalid_state` (409, "
            "an action the object's status does not allow): always `object` (its kind, e.g. "
            "`order`), `id`, `state` (its status), `action` (the action's code, e.g. "
            "`cancel`) and `target` (the status it would lead to, or empty)."
        )
    )


class AutoSchema(SpectacularAutoSchema):
    def get_description(self):
        description = super().get_description() or ""
        secrets = getattr(self.view, "secret_fields", ())
        if self.method == "POST" and secrets:
            names = ", ".join(f"`{name}`" for name in secrets)
            description += (
                f"\n\nThe response holds a secret ({names}) shown in this response only: it is "
                "never stored. A retry with the same Idempotency-Key and body does not repeat "
                "the operation and answers 409 `idempotency_secret_withheld`, with the rest of "
                "the response in `extra.response` and the keys left out in `extra.withheld`."
            )
        return description.strip()

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if self.method == "POST":
            params.append(
                OpenApiParameter(
                    name="Idempotency-Key",
                    location=OpenApiParameter.HEADER,
                    required=False,
                    description=(
                        "Unique key for this request (at most 255 characters). A retry with the "
                        "same key and body returns the stored response; another body gets 422; "
                        "a retry while the first is running gets 409. A request that failed "
                        "with a server error (5xx) stored nothing and may be retried with the "
                        "same key. Required for API-key clients. Keys are kept 7 days."
                    ),
                )
            )
        return params

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        error = self._get_response_for_code(ErrorSerializer, "400")
        public = not self.view.authentication_classes and not self.view.permission_classes
        # A public operation (no login, no permission: the public API) is never 401 or 403.
        for code in ("400", "404") if public else ("400", "401", "403", "404"):
            responses.setdefault(code, error)
        if self.method in ("POST", "PUT", "PATCH"):
            # 409: the object's state refuses the change (or the same Idempotency-Key is
            # still being processed); 415: a body in a media type the operation does not take.
            responses.setdefault("409", error)
            responses.setdefault("415", error)
        if self.method == "POST":
            responses.setdefault("422", error)
        if getattr(self.view, "throttle_classes", None):
            # 429 `throttled`, with Retry-After (core.api.throttling).
            responses.setdefault("429", error)
        return responses
