from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("procurement", "0008_feed_entries"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["-shipped_at", "-id"], name="delivery_recent"),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                fields=["order", "-shipped_at", "-id"], name="delivery_order_recent"
            ),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                fields=["carrier", "-shipped_at", "-id"], name="delivery_carrier_recent"
            ),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                fields=["hospital", "-registered_at", "-id"], name="invoice_hospital_recent"
            ),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                fields=["hospital", "status", "-registered_at", "-id"],
                name="invoice_hospital_status",
            ),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                fields=["issuer", "-registered_at", "-id"], name="invoice_issuer_recent"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["distributor", "-created_at", "-id"], name="order_distributor_recent"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["hospital", "status", "-created_at", "-id"], name="order_hospital_status"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["supplier", "status", "-created_at", "-id"], name="order_supplier_status"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["hospital", "supplier"], name="order_hospital_supplier"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["supplier", "hospital"], name="order_supplier_hospital"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["distributor", "hospital"], name="order_distributor_hospital"
            ),
        ),
    ]
