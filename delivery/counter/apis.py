"""The counter actions as API endpoints: the same services as the pages, the same refusals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from core.api import ERRORS, api_errors
from core.exceptions import InvalidTransition, NotAllowed, NotFound
from core.idempotency import idempotent
from delivery.booking.invitation import delivery_invitation
from delivery.choices import DestinationKind, NotificationChannel
from delivery.counter import booking as counter_booking
from delivery.counter import handover as counter_handover
from delivery.counter import manifest as counter_manifest
from delivery.counter import ready as counter_ready
from delivery.counter import selectors as sel
from delivery.counter import van as counter_van
from delivery.counter.batches import ItemReport, batch_acknowledge, batch_release
from delivery.counter.views import counter_pos_office
from delivery.models import Area, Batch, BatchItem, DeliveryOrder, LostPassportKind, Manifest, ManifestItem
from delivery.orders.apis import DeliveryOrderDetailOutput, ErrorSerializer
from delivery.permissions import may_read_manifests
from passports import services as passport_services
from passports.models import BillingCode, PassportType, PaymentRequest

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


class ApplicationInput(serializers.Serializer):
    full_name = serializers.CharField(max_length=200)
    birth_place = serializers.CharField(max_length=100)
    birth_date = serializers.DateField()
    address = serializers.CharField(max_length=300)
    nik = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    sim_number = serializers.CharField(max_length=14, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=16)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    passport_type = serializers.SlugRelatedField(slug_field="code", queryset=PassportType.objects.all())
    is_minor = serializers.BooleanField(default=False)
    requirements = serializers.ListField(child=serializers.CharField(), allow_empty=True)


class AreaFeeOutput(serializers.Serializer):
    name = serializers.CharField()
    fee = serializers.IntegerField()


class DeliveryInvitationOutput(serializers.Serializer):
    booking_url = serializers.CharField(help_text="/book/ with the billing code filled in (no date of birth)")
    fees = AreaFeeOutput(many=True, help_text="every area's delivery fee (the area is not known yet)")


class BillingCodeOutput(serializers.Serializer):
    application_id = serializers.IntegerField()
    code = serializers.CharField()
    amount = serializers.IntegerField()
    status = serializers.CharField()
    expires_at = serializers.DateTimeField()
    delivery_invitation = serializers.SerializerMethodField()

    @extend_schema_field(DeliveryInvitationOutput)
    def get_delivery_invitation(self, billing: BillingCode) -> dict[str, object]:
        """What the billing-code slip prints to invite the applicant to book delivery."""
        return dict(DeliveryInvitationOutput(delivery_invitation(billing_code=billing.code)).data)


class CounterApplicationCreateApi(APIView):
    @extend_schema(
        summary="Steps 1-2: record an application and issue its 15-digit billing code",
        request=ApplicationInput,
        responses={201: BillingCodeOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        data = ApplicationInput(data=request.data)
        data.is_valid(raise_exception=True)
        billing = passport_services.counter_application_register(actor=request.user, **data.validated_data)
        return Response(BillingCodeOutput(billing).data, status=status.HTTP_201_CREATED)


class PaymentInput(serializers.Serializer):
    billing_code = serializers.CharField(max_length=20)


class PaymentRequestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    billing_code = serializers.CharField(source="billing_code.code")
    application_id = serializers.IntegerField(source="billing_code.application_id")
    status = serializers.CharField()
    ntpn = serializers.SerializerMethodField()
    error = serializers.CharField()

    def get_ntpn(self, obj: PaymentRequest) -> str:
        payment = getattr(obj.billing_code, "payment", None)
        return payment.ntpn if payment else ""


class CounterPaymentCreateApi(APIView):
    @extend_schema(
        summary="Step 3: pay a billing code through MPN G-2 (confirmed asynchronously; poll the request)",
        request=PaymentInput,
        responses={202: PaymentRequestOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        data = PaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        payment_request = passport_services.payment_request_open(
            billing_code=data.validated_data["billing_code"], actor=request.user
        )
        return Response(PaymentRequestOutput(payment_request).data, status=status.HTTP_202_ACCEPTED)


class CounterPaymentDetailApi(APIView):
    @extend_schema(
        summary="State of a payment request: pending, confirmed (with NTPN) or failed",
        responses={200: PaymentRequestOutput, 404: ErrorSerializer},
    )
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        if not request.user.office_id:
            raise Http404
        payment_request = get_object_or_404(
            PaymentRequest.objects.select_related("billing_code"),
            pk=pk,
            requested_by__office_id=request.user.office_id,
        )
        return Response(PaymentRequestOutput(payment_request).data)


class BookingInput(serializers.Serializer):
    application_id = serializers.IntegerField()
    destination_kind = serializers.ChoiceField(choices=DestinationKind.choices)
    address = serializers.CharField(max_length=300)
    area = serializers.SlugRelatedField(slug_field="code", queryset=Area.objects.all())
    recipient_phone = serializers.CharField(max_length=16)
    recipient_email = serializers.EmailField(required=False, allow_blank=True, default="")
    news_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=NotificationChannel.choices),
        required=False,
        max_length=3,
        help_text=(
            "How the applicant wants the news of each step (at least one; SMS and email when left "
            "out). Including whatsapp records the applicant's WhatsApp opt-in, given at the counter."
        ),
    )
    poa_grantee_name = serializers.CharField(max_length=200)
    poa_grantee_nippos = serializers.CharField(max_length=20)
    poa_grantee_place = serializers.CharField(max_length=200)
    fee_received = serializers.BooleanField()
    delivery_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Optional delivery day (with window)"
    )
    window = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Optional: the id of a delivery window with free places on delivery_date",
    )


class CounterBookingCreateApi(APIView):
    @extend_schema(
        summary="Step 3: book delivery with the power of attorney and take the delivery fee",
        request=BookingInput,
        responses={201: DeliveryOrderDetailOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        data = BookingInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        application = sel.application_for_counter(request.user, values.pop("application_id"))
        values["window_id"] = values.pop("window")
        if application is None:
            raise Http404
        order = counter_booking.counter_delivery_book(
            actor=request.user,
            application=application,
            pos_office=counter_pos_office(request.user),
            **values,
        )
        return Response(DeliveryOrderDetailOutput(order).data, status=status.HTTP_201_CREATED)


def _orders_by_code(
    waiting: QuerySet[DeliveryOrder], codes: list[str], *, refusal: StrOrPromise, code: str
) -> dict[str, int]:
    """Tracking code -> id of the orders with these codes among ``waiting`` (the orders this step
    may take); every code must be there, or the whole request is refused."""
    wanted = {c.strip().upper() for c in codes}
    found = dict(waiting.filter(code__in=wanted).values_list("code", "pk"))
    if len(found) != len(wanted):
        raise InvalidTransition(refusal, code=code)
    return found


class ManifestInput(serializers.Serializer):
    orders = serializers.ListField(
        child=serializers.CharField(), allow_empty=False, help_text="Tracking codes of the booked orders"
    )


class ManifestDossierOutput(serializers.Serializer):
    """One dossier of a manifest and what Imigrasi said of it."""

    code = serializers.CharField(source="order.code")
    receipt = serializers.SerializerMethodField(help_text="in_handover, received or refused")
    received_by = serializers.SerializerMethodField()
    received_at = serializers.DateTimeField(allow_null=True)
    refused_by = serializers.SerializerMethodField()
    refused_at = serializers.DateTimeField(allow_null=True)

    def get_receipt(self, obj: ManifestItem) -> str:
        if obj.received_at is not None:
            return "received"
        return "refused" if obj.refused_at is not None else "in_handover"

    def get_received_by(self, obj: ManifestItem) -> str | None:
        return obj.received_by.get_full_name() if obj.received_by is not None else None

    def get_refused_by(self, obj: ManifestItem) -> str | None:
        return obj.refused_by.get_full_name() if obj.refused_by is not None else None


class ManifestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField(
        help_text="in_handover or received (every dossier acknowledged or refused)"
    )
    handed_at = serializers.DateTimeField()
    orders = serializers.SerializerMethodField()
    dossiers = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    csv_url = serializers.SerializerMethodField()

    def get_orders(self, obj: Manifest) -> list[str]:
        return [order.code for order in obj.orders.order_by("pk")]

    @extend_schema_field(ManifestDossierOutput(many=True))
    def get_dossiers(self, obj: Manifest) -> list[dict[str, object]]:
        items = obj.items.select_related("order", "received_by", "refused_by").order_by("pk")
        return list(ManifestDossierOutput(items, many=True).data)

    def get_pdf_url(self, obj: Manifest) -> str:
        return f"/counter/manifests/{obj.pk}/manifest.pdf"

    def get_csv_url(self, obj: Manifest) -> str:
        return f"/counter/manifests/{obj.pk}/manifest.csv"


class CounterManifestCreateApi(APIView):
    @extend_schema(
        summary="Step 4: hand booked dossiers to Imigrasi with a manifest",
        request=ManifestInput,
        responses={201: ManifestOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        data = ManifestInput(data=request.data)
        data.is_valid(raise_exception=True)
        orders = _orders_by_code(
            sel.booked_for_manifest(request.user),
            data.validated_data["orders"],
            refusal=_("Not every order is a booked dossier of your office."),
            code="not_booked",
        )
        manifest = counter_manifest.manifest_hand_over(actor=request.user, order_ids=list(orders.values()))
        return Response(
            ManifestOutput(Manifest.objects.get(pk=manifest.pk)).data, status=status.HTTP_201_CREATED
        )


class CounterManifestDetailApi(APIView):
    @extend_schema(
        summary="Step 4: a manifest with each dossier's receipt at Imigrasi",
        responses={200: ManifestOutput, **api_errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        if not may_read_manifests(request.user):
            raise NotAllowed(_("Your role may not do this."), code="wrong_role")
        manifest = get_object_or_404(sel.manifests_visible_to(request.user), pk=pk)
        return Response(ManifestOutput(manifest).data)


class ManifestAcknowledgeInput(serializers.Serializer):
    codes = serializers.ListField(
        child=serializers.CharField(max_length=40),
        allow_empty=False,
        max_length=500,
        help_text="Tracking codes of the dossiers received",
    )


class CounterManifestAcknowledgeApi(APIView):
    @extend_schema(
        summary="Step 4: Imigrasi acknowledges the dossiers of a manifest it received",
        description=(
            "A code not on the manifest is refused by name (404 not_on_manifest) and nothing is "
            "written; a dossier already received stays as it was. A refused dossier cannot be "
            "acknowledged (409 dossier_refused); refusals go through the dossier's refuse endpoint."
        ),
        request=ManifestAcknowledgeInput,
        responses={200: ManifestOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        manifest = get_object_or_404(sel.manifests_visible_to(request.user), pk=pk)
        data = ManifestAcknowledgeInput(data=request.data)
        data.is_valid(raise_exception=True)
        counter_manifest.manifest_acknowledge(
            actor=request.user, manifest_id=manifest.pk, codes=data.validated_data["codes"]
        )
        return Response(ManifestOutput(Manifest.objects.get(pk=manifest.pk)).data)


class ReadyInput(serializers.Serializer):
    orders = serializers.ListField(
        child=serializers.CharField(),
        allow_empty=False,
        help_text="Tracking codes of dossiers received, whose passports are printed",
    )
    passport_numbers = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=20),
        help_text='The passport number of each order, by tracking code (e.g. {"MKS123": "E1234567"})',
    )


class ReadyOutput(serializers.Serializer):
    marked = serializers.IntegerField()
    orders = serializers.ListField(child=serializers.CharField())


class CounterReadyApi(APIView):
    @extend_schema(
        summary="Between steps 4 and 5: Imigrasi marks printed passports ready, all or none",
        request=ReadyInput,
        responses={200: ReadyOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        data = ReadyInput(data=request.data)
        data.is_valid(raise_exception=True)
        orders = _orders_by_code(
            sel.handed_for_printing(request.user),
            data.validated_data["orders"],
            refusal=_("Not every order is a received dossier of your office."),
            code="not_handed",
        )
        numbers = {
            code.strip().upper(): number for code, number in data.validated_data["passport_numbers"].items()
        }
        marked = counter_ready.passports_mark_ready(
            actor=request.user, passports={pk: numbers.get(code, "") for code, pk in orders.items()}
        )
        return Response(ReadyOutput({"marked": marked, "orders": sorted(orders)}).data)


class BatchInput(serializers.Serializer):
    codes = serializers.ListField(
        child=serializers.CharField(), allow_empty=False, help_text="Tracking codes, selected or scanned"
    )


class BatchItemOutput(serializers.Serializer):
    code = serializers.CharField(source="order.code")
    status = serializers.CharField(help_text="in_handover, received, reported_missing or reported_damaged")
    acted_at = serializers.DateTimeField(allow_null=True, help_text="When it was acknowledged or reported")
    lost_case = serializers.CharField(source="lost_case.number", allow_null=True, default=None)


class BatchOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField(help_text="in_handover, received or received_with_exceptions")
    released_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    orders = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()
    letter_url = serializers.SerializerMethodField()

    def get_orders(self, obj: Batch) -> list[str]:
        return [item.order.code for item in obj.items.select_related("order")]

    @extend_schema_field(BatchItemOutput(many=True))
    def get_items(self, obj: Batch) -> list[dict[str, object]]:
        items = BatchItem.objects.filter(batch=obj).select_related("order", "lost_case")
        return list(BatchItemOutput(items, many=True).data)

    def get_letter_url(self, obj: Batch) -> str:
        return f"/counter/batches/{obj.pk}/surat-tugas.pdf"


class ItemReportInput(serializers.Serializer):
    code = serializers.CharField(max_length=20, help_text="Tracking code of a passport of this batch")
    kind = serializers.ChoiceField(choices=LostPassportKind.choices)
    report = serializers.CharField(max_length=2000, help_text="What was found or not found, where and when")


class BatchAcknowledgeInput(serializers.Serializer):
    codes = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        help_text="Tracking codes to acknowledge (scanned or ticked). Leave out both fields to "
        "acknowledge every passport still waiting.",
    )
    reports = ItemReportInput(
        many=True,
        required=False,
        help_text="Passports reported missing or damaged instead (each opens a lost passport case)",
    )


class BatchAcknowledgeOutput(BatchOutput):
    received = serializers.ListField(child=serializers.CharField(), help_text="Received by this request")
    unchanged = serializers.ListField(
        child=serializers.CharField(), help_text="Received before; nothing changed for them"
    )
    cases = serializers.ListField(child=serializers.CharField(), help_text="Lost passport cases opened")


class CounterBatchCreateApi(APIView):
    @extend_schema(
        summary="Step 5: Imigrasi releases ready passports to Pos as one batch (in handover)",
        request=BatchInput,
        responses={201: BatchOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        data = BatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        batch = batch_release(actor=request.user, codes=data.validated_data["codes"])
        return Response(BatchOutput(batch).data, status=status.HTTP_201_CREATED)


class CounterBatchAcknowledgeApi(APIView):
    @extend_schema(
        summary="Step 5: the Pos officer acknowledges passports of a batch, or reports them missing or damaged",
        description=(
            "`codes`: passports to acknowledge; one received before changes nothing (listed in "
            "`unchanged`). `reports`: passports reported missing or damaged instead, each opening a "
            "lost passport case. Everything asked is done, or nothing (an unknown code is refused by "
            "name, 404 `not_in_batch`). An empty body acknowledges every passport still waiting "
            "(409 `already_acknowledged` when none is). When no passport is left waiting the batch "
            "is `received`, or `received_with_exceptions` when one was reported."
        ),
        request=BatchAcknowledgeInput,
        responses={200: BatchAcknowledgeOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        batch = get_object_or_404(sel.batches_visible_to(request.user), pk=pk)
        data = BatchAcknowledgeInput(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        reports = [ItemReport(**r) for r in given.get("reports", [])]
        codes = given.get("codes")
        acts = batch_acknowledge(
            actor=request.user,
            batch_id=batch.pk,
            codes=[] if codes is None and reports else codes,
            reports=reports,
        )
        body = dict(BatchOutput(acts.batch).data)
        body.update(received=acts.received, unchanged=acts.unchanged, cases=acts.cases)
        return Response(body)


class DossierRefuseInput(serializers.Serializer):
    missing_items = serializers.ListField(
        child=serializers.CharField(), allow_empty=False, help_text="bpn, ktp_sim, power_of_attorney"
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class CounterDossierRefuseApi(APIView):
    @extend_schema(
        summary="Step 4: Imigrasi refuses a dossier with a missing item; it goes back to Pos",
        request=DossierRefuseInput,
        responses={200: DeliveryOrderDetailOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, code: str) -> Response:
        from delivery.handoff.selectors import orders_visible_to

        order = get_object_or_404(orders_visible_to(request.user), code=code)
        data = DossierRefuseInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = counter_manifest.dossier_refuse(actor=request.user, order_id=order.pk, **data.validated_data)
        return Response(DeliveryOrderDetailOutput(order).data)


class HandoverInput(serializers.Serializer):
    assignments = serializers.DictField(
        child=serializers.IntegerField(),
        allow_empty=False,
        help_text="Tracking code → courier id; suggested couriers are in each order's `courier` field",
    )


class HandoverOutput(serializers.Serializer):
    handed_over = serializers.IntegerField()


class CounterDeliveryHandoverApi(APIView):
    @extend_schema(
        summary="Step 6: hand received passports to the delivery section, each on a courier's run",
        request=HandoverInput,
        responses={200: HandoverOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        from delivery.handoff.selectors import orders_visible_to

        data = HandoverInput(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = {
            code.strip().upper(): courier for code, courier in data.validated_data["assignments"].items()
        }
        ids = dict(orders_visible_to(request.user).filter(code__in=wanted).values_list("code", "pk"))
        unknown = sorted(set(wanted) - set(ids))
        if unknown:
            raise NotFound(_("Unknown tracking code: %(codes)s.") % {"codes": ", ".join(unknown)})
        count = counter_handover.delivery_section_hand_over(
            actor=request.user, assignments={ids[code]: courier for code, courier in wanted.items()}
        )
        return Response(HandoverOutput({"handed_over": count}).data)


class VanStandbyInput(serializers.Serializer):
    arrived_at = serializers.DateTimeField(help_text="Arrival at the office (WITA when no offset)")


class VanStandbyOutput(serializers.Serializer):
    day = serializers.DateField()
    arrived_at = serializers.DateTimeField()
    minutes_late = serializers.IntegerField()


class CounterVanStandbyApi(APIView):
    @extend_schema(
        summary="The van standby log of the last 30 working days",
        responses={200: VanStandbyOutput(many=True), 403: ErrorSerializer},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(VanStandbyOutput(sel.van_standby_log_all(request.user), many=True).data)

    @extend_schema(
        summary="Record the Pos van's arrival at the office today; lateness counts from 07:30 WITA",
        request=VanStandbyInput,
        responses={201: VanStandbyOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        data = VanStandbyInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = counter_van.van_standby_record(actor=request.user, arrived_at=data.validated_data["arrived_at"])
        return Response(VanStandbyOutput(row).data, status=status.HTTP_201_CREATED)
