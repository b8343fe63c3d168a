from django.contrib import admin

from passports.models import PassportType


@admin.register(PassportType)
class PassportTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_id", "name_en", "pages", "fee", "active")
    list_editable = ("fee", "active")
