import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


# Every event of a submitted order gets an entry for its supplier and for the order's current
# distributor, at the event's own position in the feed (its txid), so that cursors handed out
# before the migration go on where they were.
BACKFILL = """
INSERT INTO procurement_feedentry (organization_id, event_id, txid)
SELECT audience.organization_id, event.id, event.txid
FROM procurement_event event
JOIN procurement_order o ON o.id = event.order_id
CROSS JOIN LATERAL (VALUES (event.supplier_id), (o.distributor_id)) AS audience(organization_id)
WHERE o.submitted_at IS NOT NULL AND audience.organization_id IS NOT NULL
ORDER BY event.id
ON CONFLICT (organization_id, event_id) DO NOTHING
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("procurement", "0007_awards_contracts"),
    ]

    operations = [
        migrations.CreateModel(
            name="FeedEntry",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                (
                    "txid",
                    models.BigIntegerField(
                        db_default=models.Func(
                            function="pg_current_xact_id",
                            template="(pg_current_xact_id()::text)::bigint",
                        ),
                        verbose_name="transaction",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="procurement.event",
                        verbose_name="event",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organization",
                        verbose_name="organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "feed entry",
                "verbose_name_plural": "feed entries",
                "indexes": [
                    models.Index(fields=["organization", "txid", "event"], name="feedentry_cursor")
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("organization", "event"), name="feedentry_once")
                ],
            },
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="feedentry",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="547f2af4fc40efec31695e3d2a7210c231424ff0",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_5be9f",
                    table="procurement_feedentry",
                    when="BEFORE",
                ),
            ),
        ),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
    ]
