from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from portal.models import User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "office", "is_active")
    list_filter = ("role", "office", "is_active")
    fieldsets = UserAdmin.fieldsets + ((_("Portal"), {"fields": ("role", "office", "phone", "language")}),)
    add_fieldsets = UserAdmin.add_fieldsets + ((_("Portal"), {"fields": ("role", "office")}),)
