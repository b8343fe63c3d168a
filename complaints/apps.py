from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Complaints from anyone, answered by one agency's office within 24 hours."""

    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from complaints.services import complaint_problems_sweep_receiver
        from delivery.signals import problems_sweep_requested

        problems_sweep_requested.connect(complaint_problems_sweep_receiver, dispatch_uid="complaints-overdue")
