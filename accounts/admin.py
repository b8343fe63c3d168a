from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, PersonalDataAccess, User
from accounts.tokens import api_token_issue, api_token_revoke

# The admin and form classes take no type arguments at run time; django-stubs' do.
if TYPE_CHECKING:
    _ApiTokenAdmin = admin.ModelAdmin[ApiToken]
    _PersonalDataAccessAdmin = admin.ModelAdmin[PersonalDataAccess]
    _ApiTokenModelForm = forms.ModelForm[ApiToken]
else:
    _ApiTokenAdmin = _PersonalDataAccessAdmin = admin.ModelAdmin
    _ApiTokenModelForm = forms.ModelForm


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "office", "is_active")
    list_filter = ("role", "office", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Portal"), {"fields": ("role", "office", "nippos", "phone", "language")}),
    )
    add_fieldsets = UserAdmin.add_fieldsets + ((_("Portal"), {"fields": ("role", "office")}),)


class ApiTokenForm(_ApiTokenModelForm):
    scopes = forms.MultipleChoiceField(
        choices=ApiToken.Scope.choices, widget=forms.CheckboxSelectMultiple, label=_("scopes")
    )

    class Meta:
        model = ApiToken
        fields = ("name", "user", "scopes")


@admin.register(ApiToken)
class ApiTokenAdmin(_ApiTokenAdmin):
    """Issue a token here; its key is shown once, after saving."""

    form = ApiTokenForm
    list_display = ("name", "prefix", "user", "scopes", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        return (*self.readonly_fields, "name", "user", "scopes") if obj else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiToken, form: ApiTokenForm, change: bool) -> None:
        if change:
            return
        token, key = api_token_issue(
            name=form.cleaned_data["name"], user=form.cleaned_data["user"], scopes=form.cleaned_data["scopes"]
        )
        obj.pk = token.pk
        messages.warning(request, _("The token's key, shown only now: %(key)s") % {"key": key})

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            api_token_revoke(token=token)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(_PersonalDataAccessAdmin):
    """The record of who looked at whose personal data: read-only, filterable by person, page and day."""

    list_display = ("at", "user", "role", "what", "applicant_id", "reference")
    list_filter = ("what", "role", ("at", admin.DateFieldListFilter))
    search_fields = ("user__username", "reference", "=applicant__id")
    date_hierarchy = "at"
    list_select_related = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PersonalDataAccess | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PersonalDataAccess | None = None) -> bool:
        return False
