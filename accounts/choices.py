from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")  # books delivery, tracks, complains
    IMIGRASI_OFFICER = "imigrasi_officer", _("Imigrasi counter officer")  # steps 1-2, 4-5
    POS_SERVICE_OFFICER = "pos_service_officer", _("Pos service officer")  # steps 3-6
    POS_DISPATCHER = "pos_dispatcher", _("Pos delivery dispatcher")  # step 6-7, couriers
    COURIER = "courier", _("Courier")  # step 7 on the street
    AGENCY_MANAGER = "agency_manager", _("Agency manager")  # one per agency: agreement, figures
    TRAVEL_AGENCY = "travel_agency", _("Travel agency")  # group bookings
    ADMINISTRATOR = "administrator", _("Administrator")  # reference data, users


STAFF_ROLES = frozenset(
    {
        Role.IMIGRASI_OFFICER,
        Role.POS_SERVICE_OFFICER,
        Role.POS_DISPATCHER,
        Role.COURIER,
        Role.AGENCY_MANAGER,
    }
)
