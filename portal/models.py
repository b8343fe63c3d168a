from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.choices import STAFF_ROLES, Role


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """Anyone who logs in. Staff belong to one office and act only for it."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.APPLICANT)
    office = models.ForeignKey(
        "partners.Office",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=5, default="id")

    @property
    def is_office_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def __str__(self) -> str:
        return self.get_full_name() or self.username
