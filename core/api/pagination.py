from rest_framework import pagination

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


class NewestFirstCursorPagination(pagination.CursorPagination):
    """Keyset pages, newest first, for lists that grow without bound (a busy hospital's
    orders): each page costs the same at row 50 or row 100,000, needs no COUNT, and a row
    written while a client pages through never shifts another row onto the next page twice.
    ``?page_size=`` up to 100; follow ``next`` (an opaque cursor) for the next page."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 100
