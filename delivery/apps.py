from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = _("Delivery")

    def ready(self) -> None:
        from delivery.counter.batches import batch_item_found
        from delivery.signals import lost_passport_found

        lost_passport_found.connect(batch_item_found, dispatch_uid="delivery.batch_item_found")
