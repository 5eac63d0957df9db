import base64
import datetime as dt
from typing import cast

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

from core.errors import ValidationError
from core.paging import CappedPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    """?page=N&page_size=20|50|100, the page sizes the list pages offer."""

    page_size_query_param = "page_size"
    max_page_size = 100


class CappedCountPagination(PageNumberPagination):
    """Page numbers with a count that stops at core.paging.COUNT_CAP; ``count_capped`` tells
    the client it did."""

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {"type": "boolean"}
        return schema


class NewestFirstKeysetPagination(pagination.BasePagination):
    """Keyset pages, newest first by (created_at, id), for lists that grow without bound (a
    busy hospital's orders): a page costs the same at row 50 or row 100,000, needs no COUNT,
    and a row written while a client pages through never shifts another onto the next page.

    Forward only: ``?page_size=`` (up to 100), then follow ``next``, whose opaque ``cursor``
    names the last row seen. Unlike DRF's CursorPagination, the page's rows are not fetched
    here: ``page_queryset`` returns the query of the page (plus one row, to tell whether more
    follow), so that the caller can build the page's documents around it in one statement.
    """

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    max_page_size = 100

    def page_queryset(self, queryset: QuerySet, request) -> QuerySet:
        self.request = request
        self.size = self._page_size(request)
        after = self._decode(request.query_params.get(self.cursor_query_param))
        if after is not None:
            created_at, pk = after
            # The first condition alone is what lets the index range-scan from the cursor.
            queryset = queryset.filter(created_at__lte=created_at).filter(
                Q(created_at__lt=created_at) | Q(id__lt=pk)
            )
        return queryset.order_by("-created_at", "-id")[: self.size + 1]

    def next_link(self, last: tuple[dt.datetime, int] | None) -> str | None:
        """The link to the page after the row ``last`` (None: this was the last page)."""
        if last is None:
            return None
        created_at, pk = last
        token = base64.urlsafe_b64encode(f"{created_at.isoformat()}|{pk}".encode()).decode()
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, token)

    def _page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return cast(int, api_settings.PAGE_SIZE)  # set in config/settings.py
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError(fields={"page_size": [_("A whole number of at least 1.")]})
        return min(int(raw), self.max_page_size)

    def _decode(self, token: str | None) -> tuple[dt.datetime, int] | None:
        if not token:
            return None
        try:
            created, _sep, pk = base64.urlsafe_b64decode(token.encode()).decode().partition("|")
            created_at = dt.datetime.fromisoformat(created)
            if created_at.tzinfo is None or not pk.isdigit():
                raise ValueError(token)
        except (ValueError, UnicodeError):
            raise ValidationError(
                fields={"cursor": [_("Not a cursor of this list: follow the next link.")]}
            ) from None
        return created_at, int(pk)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque: from the previous page's next link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, at most {self.max_page_size}.",
                "schema": {"type": "integer"},
            },
        ]
