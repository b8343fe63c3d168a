"""The courier app's API: one endpoint per courier action, each honouring ``Idempotency-Key``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.models import User
from core.api import ERRORS, api_errors
from core.exceptions import ValidationFailed
from core.fields import AsciiDigitsSerializerField
from core.files import pdf_response
from core.idempotency import idempotent
from delivery.choices import FailureReason, IdType, ReceiverKind
from delivery.courier import proof
from delivery.courier.dispatch import delivery_order_assign_courier
from delivery.courier.run_sheet import (
    courier_run_sheet_print,
    run_sheet_courier_for,
    run_sheet_day,
    run_sheet_filename,
)
from delivery.courier.take import TAKE_MAX, courier_passports_take
from delivery.handoff.codes import delivery_code_unlock
from delivery.handoff.selectors import orders_visible_to
from delivery.handoff.transitions import MoveResult
from delivery.models import Courier
from delivery.orders.apis import DeliveryOrderDetailOutput, ErrorSerializer

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=True,
    description="A new random key per update; a retry with the same key gets the same answer.",
)


class CourierUpdateOutput(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    device_time = serializers.DateTimeField(allow_null=True)


class _Common(serializers.Serializer):
    device_time = serializers.DateTimeField(required=False, allow_null=True)
    latitude = serializers.DecimalField(max_digits=12, decimal_places=8, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=12, decimal_places=8, required=False, allow_null=True)


class DispatchInput(_Common):
    pass


class FailInput(_Common):
    reason = serializers.ChoiceField(choices=FailureReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class DeliverInput(_Common):
    receiver_kind = serializers.ChoiceField(choices=ReceiverKind.choices)
    code = AsciiDigitsSerializerField(
        required=False,
        allow_blank=True,
        max_length=12,
        help_text="The applicant's delivery code (both paths); or send `token` instead",
    )
    token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="The signed token of the applicant's QR code, instead of the code: a forged, expired, "
        "reused or other order's token is refused (400 wrong_token; 409 code_used, code_locked) and "
        "counted like a wrong code",
    )
    id_type = serializers.ChoiceField(choices=IdType.choices, help_text="The ID the receiver showed")
    id_last_four = serializers.CharField(max_length=4, help_text="The ID's last 4 letters or digits")
    stand_in_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    stand_in_relation = serializers.CharField(required=False, allow_blank=True, max_length=100)
    authorisation_photo = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Stand-in only, required there: the applicant's written authorisation, JPEG/PNG as a data URL",
    )
    signature = serializers.CharField(help_text="PNG as a data URL")
    photo = serializers.CharField(required=False, allow_blank=True, help_text="JPEG/PNG as a data URL")
    door_amount = serializers.IntegerField(
        required=False,
        default=0,
        min_value=-10_000_000,
        max_value=10_000_000,
        help_text="After an address change to an area with another fee: the difference the courier "
        "collected (positive) or refunded (negative) at the door, exactly the order's `door_amount` "
        "(400 door_amount otherwise)",
    )


def _valid(serializer_class: type[serializers.Serializer], data: object) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        fields = {k: [str(m) for m in v] for k, v in serializer.errors.items()}
        from django.utils.translation import gettext as _

        raise ValidationFailed(_("Please correct the marked fields."), fields=fields)
    return serializer.validated_data


def _output(result: MoveResult) -> dict[str, Any]:
    return dict(
        CourierUpdateOutput(
            {
                "code": result.order.code,
                "status": result.order.status,
                "status_label": result.order.get_status_display(),
                "occurred_at": result.event.occurred_at,
                "device_time": result.event.device_time,
            }
        ).data
    )


class _CourierLanguageApi(APIView):
    """Answers (``status_label``, messages) in the language the request asks for: the courier app
    sends its page's language; a request that names none (no language cookie, no Accept-Language)
    gets the courier's own language (``User.language``)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        asked = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or request.META.get("HTTP_ACCEPT_LANGUAGE")
        user = request.user
        if not asked and isinstance(user, User) and user.language in dict(settings.LANGUAGES):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language


class _CourierActionApi(_CourierLanguageApi):
    input_class: type[serializers.Serializer]

    def handle(self, request: AuthenticatedRequest, code: str, data: dict[str, Any]) -> MoveResult:
        raise NotImplementedError

    @idempotent(required=True)
    def post(self, request: AuthenticatedRequest, code: str) -> Response:
        return Response(_output(self.handle(request, code, _valid(self.input_class, request.data))))


_RESPONSES = {
    200: CourierUpdateOutput,
    400: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    409: ErrorSerializer,
    422: ErrorSerializer,
}


class CourierDispatchApi(_CourierActionApi):
    input_class = DispatchInput

    @extend_schema(
        summary="Take a passport out for delivery",
        request=DispatchInput,
        parameters=[IDEMPOTENCY_HEADER],
        responses=_RESPONSES,
    )
    def post(self, request: AuthenticatedRequest, code: str) -> Response:
        return super().post(request, code)

    def handle(self, request: AuthenticatedRequest, code: str, data: dict[str, Any]) -> MoveResult:
        return proof.delivery_order_courier_dispatch(
            order_code=code,
            actor=request.user,
            device_time=data.get("device_time"),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )


class CourierFailApi(_CourierActionApi):
    input_class = FailInput

    @extend_schema(
        summary="Record a failed delivery attempt",
        request=FailInput,
        parameters=[IDEMPOTENCY_HEADER],
        responses=_RESPONSES,
    )
    def post(self, request: AuthenticatedRequest, code: str) -> Response:
        return super().post(request, code)

    def handle(self, request: AuthenticatedRequest, code: str, data: dict[str, Any]) -> MoveResult:
        return proof.delivery_order_courier_fail(
            order_code=code,
            actor=request.user,
            reason=data["reason"],
            note=data.get("note", ""),
            device_time=data.get("device_time"),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )


class CourierDeliverApi(_CourierActionApi):
    input_class = DeliverInput

    @extend_schema(
        summary="Deliver with proof: the applicant's code or signed QR token, the ID shown, and for a "
        "stand-in the authorisation",
        request=DeliverInput,
        parameters=[IDEMPOTENCY_HEADER],
        responses=_RESPONSES,
    )
    def post(self, request: AuthenticatedRequest, code: str) -> Response:
        return super().post(request, code)

    def handle(self, request: AuthenticatedRequest, code: str, data: dict[str, Any]) -> MoveResult:
        stand_in = proof.StandIn(
            name=data.get("stand_in_name", ""),
            relation=data.get("stand_in_relation", ""),
            authorisation_photo=data.get("authorisation_photo", ""),
        )
        return proof.delivery_order_deliver_with_proof(
            order_code=code,
            actor=request.user,
            receiver_kind=data["receiver_kind"],
            code=data.get("code", ""),
            token=data.get("token", ""),
            id_type=data["id_type"],
            id_last_four=data["id_last_four"],
            stand_in=stand_in,
            signature=data["signature"],
            photo=data.get("photo", ""),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            device_time=data.get("device_time"),
            door_amount=data.get("door_amount", 0),
        )


class AssignCourierInput(serializers.Serializer):
    courier = serializers.PrimaryKeyRelatedField(
        queryset=Courier.objects.all(), help_text="The courier's id (a courier of your office)"
    )


class DeliveryOrderAssignCourierApi(APIView):
    required_scopes = {"POST": "write_handoff"}

    @extend_schema(
        summary="Put an order on a courier's run, or move it to another courier (Pos dispatcher)",
        request=AssignCourierInput,
        responses={200: DeliveryOrderDetailOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, code: str) -> Response:
        order = get_object_or_404(orders_visible_to(request.user), code=code)
        data = AssignCourierInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = delivery_order_assign_courier(
            order_id=order.pk, courier=data.validated_data["courier"], actor=request.user
        )
        return Response(DeliveryOrderDetailOutput(order).data)


class CodeUnlockOutput(serializers.Serializer):
    order = serializers.CharField()
    wrong_codes_before = serializers.IntegerField()


class DeliveryOrderCodeUnlockApi(APIView):
    required_scopes = {"POST": "write_handoff"}

    @extend_schema(
        summary="Allow new delivery code tries after the courier entered too many wrong codes (Pos dispatcher)",
        request=None,
        responses={200: CodeUnlockOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, code: str) -> Response:
        had = delivery_code_unlock(order_code=code, actor=request.user)
        return Response(CodeUnlockOutput({"order": code, "wrong_codes_before": had}).data)


# Taking passports from the delivery section, and the run sheet (step 6 → 7 signed by the courier).


class TakeInput(serializers.Serializer):
    codes = serializers.ListField(
        child=serializers.CharField(max_length=400),
        min_length=1,
        max_length=TAKE_MAX,
        help_text="The tracking codes scanned or ticked (a scanned tracking page address gives its code)",
    )


class TakeOutput(serializers.Serializer):
    taken = serializers.ListField(child=serializers.CharField(), help_text="Taken out for delivery now")
    already = serializers.ListField(
        child=serializers.CharField(), help_text="Already taken by this courier before: nothing changed"
    )
    run_sheet_url = serializers.CharField(help_text="Today's run sheet (PDF)")


class CourierTakeApi(_CourierLanguageApi):
    """The courier takes passports from the delivery section: all the codes or none."""

    @extend_schema(
        summary="Take passports from the delivery section (courier): each is taken out for delivery, "
        "signed by the courier; one code refused, none is taken",
        request=TakeInput,
        responses={200: TakeOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        data = _valid(TakeInput, request.data)
        result = courier_passports_take(actor=request.user, codes=data["codes"])
        return Response(
            TakeOutput(
                {
                    "taken": result.taken,
                    "already": result.already,
                    "run_sheet_url": "/api/v1/courier/run-sheet/",
                }
            ).data
        )


class CourierRunSheetApi(_CourierLanguageApi):
    """The run sheet as a PDF: a courier's own, or, for the dispatcher, a courier of their office."""

    @extend_schema(
        summary="The courier's run sheet for a day (PDF): the passports taken, with signature lines",
        parameters=[
            OpenApiParameter(
                "day", OpenApiTypes.DATE, required=False, description="YYYY-MM-DD; today if not given"
            ),
            OpenApiParameter(
                "courier",
                OpenApiTypes.INT,
                required=False,
                description="Dispatcher only: the id of a courier of your office",
            ),
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The run sheet"),
            **api_errors(400, 401, 403, 404),
        },
    )
    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        day = run_sheet_day(request.query_params.get("day"))
        raw = request.query_params.get("courier")
        courier_id = None
        if raw:
            if not raw.isdigit() or len(raw) > 12:
                from django.utils.translation import gettext as _

                raise ValidationFailed(
                    _("Please correct the marked fields."), fields={"courier": [_("Not a number.")]}
                )
            courier_id = int(raw)
        courier = run_sheet_courier_for(viewer=request.user, courier_id=courier_id)
        data = courier_run_sheet_print(viewer=request.user, courier=courier, day=day)
        return pdf_response(data, run_sheet_filename(courier, day))
