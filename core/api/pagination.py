from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """?page=N&page_size=20|50|100, the page sizes the list pages offer."""

    page_size_query_param = "page_size"
    max_page_size = 100
