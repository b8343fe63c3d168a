"""The two agencies (and travel agencies) and their offices. Created by the partners app and kept
under its table names; migration ``organisations 0001`` took them over without touching the database."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from organisations.choices import OrganisationKind


class Organisation(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)

    class Meta:
        db_table = "partners_organisation"
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Office(TimeStampedModel):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="offices"
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # The province of the regional office (Kantor Wilayah) the office belongs to: the dashboard's
    # region. Loaded from ``organisations/data/offices.csv`` (``load_offices``), editable here.
    region = models.CharField(_("region"), max_length=60, blank=True, db_index=True)
    # A Pos office serves the applicants of one Imigrasi office: its counter books and delivers
    # their passports, and its staff see that office's applications and no other's.
    serves = models.ForeignKey(
        "self",
        verbose_name=_("serves the Imigrasi office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="served_by",
        limit_choices_to={"organisation__kind": "imigrasi"},
    )

    class Meta:
        db_table = "partners_office"
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def kind(self) -> str:
        return self.organisation.kind
