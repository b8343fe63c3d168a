from django.contrib import admin

from organisations.models import Office, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "phone", "email")
    list_filter = ("organisation__kind",)
