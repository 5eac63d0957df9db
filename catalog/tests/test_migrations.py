"""Data-carrying migrations of the catalogue, run backwards and forwards on real rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.privileges import owner_connection, privileges_apply

BEFORE_TEXT_LEVELS = ("catalog", "0002_work_heartbeats")
TEXT_LEVELS = ("catalog", "0003_packaging_level_text")


def _migrate(*targets):
    # Schema changes are the owner's; the runtime role the tests run as may not make them.
    with owner_connection() as owner:
        executor = MigrationExecutor(owner)
        executor.loader.build_graph()
        executor.migrate(list(targets))
        # A table the migration re-created is the owner's alone until the grants run again,
        # as they do after every `migrate`.
        privileges_apply()


@pytest.mark.django_db(transaction=True)
def test_integer_packaging_levels_become_the_same_digits_as_text():
    """The column turns from an integer into text (the NMPA data writes 盒, 箱): a level
    stored as a number before reads as that number afterwards, and text is accepted."""
    # Going back unapplies the other apps' migrations that depend on the catalogue's later
    # ones, so the way forward restores every app's latest, not only the catalogue's.
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    _migrate(BEFORE_TEXT_LEVELS)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO catalog_deviceidentifier (di, agency, nhsa_code, "
                "registration_number, product_name, specification, company_name, "
                "packaging_level, packaging_quantity, created_at, updated_at) VALUES "
                "('06901234567892', 'gs1', '', '', '', '', '', 2, 10, now(), now()), "
                "('06901234567908', 'gs1', '', '', '', '', '', 0, 1, now(), now())"
            )
        _migrate(TEXT_LEVELS)
        with connection.cursor() as cursor:
            cursor.execute("SELECT di, packaging_level FROM catalog_deviceidentifier ORDER BY di")
            assert cursor.fetchall() == [("06901234567892", "2"), ("06901234567908", "0")]
            cursor.execute(
                "UPDATE catalog_deviceidentifier SET packaging_level = '箱' "
                "WHERE di = '06901234567892'"
            )
            assert cursor.rowcount == 1
    finally:
        _migrate(*latest)
