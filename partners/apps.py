from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from delivery.signals import third_party_transfer_requested
        from partners.services import third_party_transfer_receiver

        third_party_transfer_requested.connect(third_party_transfer_receiver, dispatch_uid="partners-consent")
