"""Proof of delivery: the ID the receiver showed (type and last four characters, letters or digits;
the stand-in's old "last 4 digits" carry over) and a stand-in's photo of the written authorisation."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("delivery", "0020_delivery_code_encrypted")]

    operations = [
        migrations.RenameField(model_name="proofofdelivery", old_name="id_last_digits", new_name="id_last_four"),
        migrations.AlterField(
            model_name="proofofdelivery",
            name="id_last_four",
            field=models.CharField(blank=True, max_length=4, verbose_name="last four characters of the ID"),
        ),
        migrations.AddField(
            model_name="proofofdelivery",
            name="id_type",
            field=models.CharField(
                blank=True,
                choices=[
                    ("ktp", "KTP (identity card)"),
                    ("sim", "SIM (driving licence)"),
                    ("passport_copy", "Copy of the passport"),
                ],
                max_length=16,
                verbose_name="ID shown",
            ),
        ),
        migrations.AddField(
            model_name="proofofdelivery",
            name="authorisation_photo",
            field=models.FileField(
                blank=True,
                upload_to="proof/authorisations/%Y/%m/",
                verbose_name="photo of the written authorisation",
            ),
        ),
    ]
