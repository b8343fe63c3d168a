from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users, roles, API tokens, the two-step login and the record of who saw personal data.

    The label stays ``portal``: the user model was created as ``portal.User`` and every foreign key
    to it, in every existing database, says so. Keeping the label costs nothing; changing it would
    rewrite the user table's migrations and every table that points at it."""

    name = "accounts"
    label = "portal"
    verbose_name = _("Accounts")
