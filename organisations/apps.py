from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    """The agencies and their offices, below every domain app: users, applications, orders and the
    partnership all point at an office."""

    name = "organisations"
    verbose_name = _("Organisations")
