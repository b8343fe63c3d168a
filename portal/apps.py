from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from portal import openapi  # noqa: F401  (registers the token scheme with drf-spectacular)
        from portal.models import User, WebhookSubscription
        from portal.services.webhooks import webhook_subscriptions_changed

        # The active webhooks are cached for every handoff; a change of one (or of its owner's office
        # or rights) forgets them. Cache upkeep only: the rules stay in the services.
        for model in (WebhookSubscription, User):
            post_save.connect(
                webhook_subscriptions_changed, sender=model, dispatch_uid=f"webhooks-{model.__name__}-saved"
            )
            post_delete.connect(
                webhook_subscriptions_changed, sender=model, dispatch_uid=f"webhooks-{model.__name__}-deleted"
            )
