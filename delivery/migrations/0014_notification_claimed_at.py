from django.db import migrations, models


class Migration(migrations.Migration):
    """A nullable column, no default to fill: old code running during the deploy ignores it."""

    dependencies = [
        ("delivery", "0013_delivery_code_attempts"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
