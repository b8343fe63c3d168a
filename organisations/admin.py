from typing import TYPE_CHECKING

from django.contrib import admin

from organisations.models import Office, Organisation

# The admin classes take no type arguments at run time; django-stubs' do.
if TYPE_CHECKING:
    _OrganisationAdmin = admin.ModelAdmin[Organisation]
    _OfficeAdmin = admin.ModelAdmin[Office]
else:
    _OrganisationAdmin = _OfficeAdmin = admin.ModelAdmin


@admin.register(Organisation)
class OrganisationAdmin(_OrganisationAdmin):
    list_display = ("name", "kind")


@admin.register(Office)
class OfficeAdmin(_OfficeAdmin):
    list_display = ("name", "organisation", "region", "serves", "phone", "email")
    list_filter = ("organisation__kind", "region")
    search_fields = ("name", "region")
