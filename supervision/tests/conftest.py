import pytest


@pytest.fixture(autouse=True)
def misconduct_catalogue(request):
    """The seeded catalogue (a transactional test elsewhere may have flushed it)."""
    if "django_db" not in {m.name for m in request.node.iter_markers()}:
        return
    request.getfixturevalue("db")
    from supervision.services.credit import misconduct_catalogue_seed

    misconduct_catalogue_seed()
