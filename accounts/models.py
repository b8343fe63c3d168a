from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import STAFF_ROLES, Role


class User(AbstractUser):
    """Anyone who logs in. Staff belong to one office and act only for it."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.APPLICANT)
    office = models.ForeignKey(
        "organisations.Office",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=5, default="id")
    # A Pos employee's staff number (nomor induk pegawai Pos): the counter's power of attorney names
    # the logged-in Pos officer with it.
    nippos = models.CharField(_("Nippos"), max_length=20, blank=True)

    if TYPE_CHECKING:
        # Set on the user of every request by django-otp's OTPMiddleware: has this session passed the
        # second factor?
        is_verified: Callable[[], bool]

    @property
    def is_office_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A partner system's key to the API. It acts as ``user`` (a system account of one office, with
    that account's role) and only within its scopes. Only a hash of the secret is stored."""

    class Scope(models.TextChoices):
        READ_TRACKING = "read_tracking", _("Read orders and tracking")
        WRITE_HANDOFF = "write_handoff", _("Write handoff events")
        READ_REPORTS = "read_reports", _("Read reports")
        MANAGE_PARTNERSHIP = (
            "manage_partnership",
            _("Manage the partnership (agreements, meetings, disputes)"),
        )
        HANDLE_COMPLAINTS = "handle_complaints", _("File, read and answer complaints")

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        User, verbose_name=_("acts as"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    scopes = models.JSONField(_("scopes"), default=list)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    # The kernel's idempotency keys belong to the token when a request came with one; it asks this
    # instead of importing the model.
    is_api_token = True

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


class PersonalDataAccess(models.Model):
    """One look at an applicant's personal data by a staff member (or by the applicant, for their own
    export). Append-only: rows are written by ``personal_data_access_record`` and never changed."""

    class What(models.TextChoices):
        APPLICATION_DETAIL = "application_detail", _("Application page")
        ORDER_DETAIL = "order_detail", _("Delivery order page")
        ORDER_API = "order_api", _("Delivery order (API)")
        EXPORT = "export", _("Export")
        OWN_DATA_EXPORT = "own_data_export", _("The applicant's own data export")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User, verbose_name=_("who"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=32)
    what = models.CharField(_("what"), max_length=32, choices=What.choices)
    applicant = models.ForeignKey(
        "passports.Applicant", verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("reference"), max_length=60, blank=True)  # order code, application id

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.role} {self.what} {self.reference}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Personal data accesses are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ValueError("Personal data accesses are append-only")
