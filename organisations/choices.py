from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    IMIGRASI = "imigrasi", _("Immigration office")  # issues passports, releases batches
    POS = "pos", _("PT Pos Indonesia")  # payment counter and delivery
    TRAVEL_AGENCY = "travel_agency", _("Travel agency")  # books for groups
