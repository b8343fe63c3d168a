from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The Makassar demo: offices, staff of every role, couriers and orders in every state. It sits
    above every other app (it imports them all) and nothing imports it."""

    name = "demo"
    verbose_name = _("Demo")
