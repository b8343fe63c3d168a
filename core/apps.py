from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The kernel: no domain rules, and no import of any other app of the portal."""

    name = "core"
    verbose_name = _("Kernel")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from core import openapi  # noqa: F401  (registers the token scheme with drf-spectacular)
        from core.models import WebhookSubscription
        from core.webhooks import webhook_subscriptions_changed

        # The active webhooks are cached for every handoff; a change of one (or of its owner's office
        # or rights) forgets them. Cache upkeep only: the rules stay in the services.
        for model, name in ((WebhookSubscription, "WebhookSubscription"), (settings.AUTH_USER_MODEL, "User")):
            post_save.connect(
                webhook_subscriptions_changed, sender=model, dispatch_uid=f"webhooks-{name}-saved"
            )
            post_delete.connect(
                webhook_subscriptions_changed, sender=model, dispatch_uid=f"webhooks-{name}-deleted"
            )
