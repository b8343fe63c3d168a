"""Who may open what: every role (plus anonymous, a second applicant, a second courier and an
Imigrasi officer of another office) against every page and API endpoint of the portal.

``MATRIX`` has one row per URL name: the method, the URL arguments and the expected status per
column of ``ACTORS``. The test walks Django's URL resolver and fails when a URL has no row, so a new
page must be added here. To add one: write its row, or run
``PRINT_MATRIX=1 scripts/test.sh tests/security/test_permission_matrix.py -s`` and copy the printed
row after checking that every cell is what the page should allow.

Status shorthand: 200, ``L`` = 302 to the login page, ``H`` = 302 to the home page with "your role
may not open this page", 302 another redirect (a form's own), 401/403 refused, 404 hidden (the
object is not visible to this user), 405 the method is not offered. POST rows send an empty JSON
body: 400 means the request got past authentication to validation; the role and office rules of
those services are then enforced by the service itself (tests/counter, tests/courier).

The order in the URLs belongs to ``owner``, is out for delivery with ``kurir`` and sits at the
Makassar offices; ``imigrasi.parepare`` works at another Imigrasi office.
"""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.choices import Role
from delivery.choices import DeliveryStatus as S
from delivery.money.statements import statement_build, today
from organisations.models import Office
from tests.factories import (
    UserFactory,
    make_applicant_user,
    make_lost_case,
    make_order,
    make_paid_application,
    second_office_ref,
)

ACTORS = (
    "anon",
    "owner",
    "applicant2",
    "imigrasi",
    "pos.layanan",
    "pos.antaran",
    "kurir",
    "kurir2",
    "manajer.imigrasi",
    "manajer.pos",
    "travel",
    "admin",
    "imigrasi.parepare",
)

# name: (method, URL arguments, expected per actor in ACTORS order)
MATRIX: dict[str, tuple[str, dict | None, str]] = {
    #                                            anon own ap2 imi pos ant kur ku2 mim mpo trv adm ipp
    "home": (
        "GET",
        None,
        "200 200 200 200 200 200 200 200 200 200 200 200 200",
    ),  # visitors: the landing page
    "healthz": ("GET", None, "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    "login": ("GET", None, "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    "logout": ("POST", None, "  L   L   L   L   L   L   L   L   L   L   L   L   L"),
    "language-switch": ("GET", {"code": "en"}, "  H   H   H   H   H   H   H   H   H   H   H   H   H"),
    "partners-home": ("GET", None, "  L   H   H   H   H   H   H   H 200 200   H 200   H"),
    "partners-dashboard": ("GET", None, "  L   H   H   H   H   H   H   H 200 200   H 200   H"),
    "partners-dashboard-csv": ("GET", None, "  L   H   H   H   H   H   H   H 200 200   H 200   H"),
    "partners-dashboard-xlsx": ("GET", None, "  L   H   H   H   H   H   H   H 200 200   H 200   H"),
    "partners-dashboard-pdf": ("GET", None, "  L   H   H   H   H   H   H   H 200 200   H 200   H"),
    "partners-uptake": ("GET", None, "  L   H   H   H   H   H   H   H 200 200   H 200   H"),
    "partners-agreements": ("GET", None, "  L   H   H   H   H   H   H   H 200 200   H 200   H"),
    "partners-agreement": ("GET", None, "  L   H   H   H   H   H   H   H 404 404   H 404   H"),
    "partners-evaluations": ("GET", None, "  L   H   H   H   H   H   H   H 200 200   H 200   H"),
    "partners-evaluation": ("GET", None, "  L   H   H   H   H   H   H   H 404 404   H 404   H"),
    "partners-disputes": ("GET", None, "  L   H   H   H   H   H   H   H 200 200   H 200   H"),
    "partners-dispute": ("GET", None, "  L   H   H   H   H   H   H   H 404 404   H 404   H"),
    "partners-dispute-close": ("GET", None, "  L   H   H   H   H   H   H   H 404 404   H 404   H"),
    "api-order-list": ("GET", None, "401 200 200 200 200 200 200 200 200 200 200 200 200"),
    "api-order-detail": ("GET", None, "401 200 404 200 200 200 200 404 200 200 404 200 404"),
    "api-pickup-handover": ("POST", None, "401 400 404 400 400 400 400 404 400 400 404 400 404"),
    "api-order-move": ("POST", None, "401 400 404 400 400 400 400 404 400 400 404 400 404"),
    "api-order-delivery-token": ("GET", None, "401 200 404 404 404 404 404 404 404 404 404 404 404"),
    "api-partners-agreements": ("GET", None, "401 403 403 403 403 403 403 403 200 200 403 200 403"),
    "api-partners-evaluations": ("GET", None, "401 403 403 403 403 403 403 403 200 200 403 200 403"),
    "api-partners-disputes": ("GET", None, "401 403 403 403 403 403 403 403 200 200 403 200 403"),
    "api-partners-uptake": ("POST", None, "401 403 403 403 403 403 403 403 400 400 403 400 403"),
    "api-partners-dashboard": ("GET", None, "401 403 403 403 403 403 403 403 200 200 403 200 403"),
    "api-courier-dispatch": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-courier-deliver": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-courier-fail": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-courier-take": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-courier-run-sheet": ("GET", None, "401 403 403 403 403 400 200 200 403 403 403 403 403"),
    "api-counter-application": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-counter-payment": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-counter-payment-detail": ("GET", None, "401 404 404 404 404 404 404 404 404 404 404 404 404"),
    "api-counter-booking": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-counter-manifest": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-counter-ready": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-counter-manifest-detail": ("GET", None, "401 403 403 404 404 403 403 403 404 404 403 404 404"),
    "api-counter-manifest-acknowledge": ("POST", None, "401 404 404 404 404 404 404 404 404 404 404 404 404"),
    "api-counter-batch": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-counter-batch-acknowledge": ("POST", None, "401 404 404 404 404 404 404 404 404 404 404 404 404"),
    "api-counter-dossier-refuse": ("POST", None, "401 400 404 400 400 400 400 404 400 400 404 400 404"),
    "api-counter-handover": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-counter-van": ("GET", None, "401 403 403 403 200 403 403 403 200 200 403 200 403"),
    "api-problems": ("GET", None, "401 403 403 403 403 403 403 403 200 200 403 200 403"),
    "schema": ("GET", None, "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    "api-docs": ("GET", None, "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    "counter-home": ("GET", None, "  L   H   H 200 200   H   H   H   H   H   H   H 200"),
    "counter-application-new": ("GET", None, "  L   H   H 200   H   H   H   H   H   H   H   H 200"),
    "counter-application": ("GET", None, "  L   H   H 200 404   H   H   H   H   H   H   H 404"),
    "counter-book": ("GET", None, "  L   H   H 200 404   H   H   H   H   H   H   H 404"),
    "counter-pay": ("GET", None, "  L   H   H 200 200   H   H   H   H   H   H   H 200"),
    "counter-payment": ("GET", None, "  L   H   H 404 404   H   H   H   H   H   H   H 404"),
    "counter-payment-status": ("GET", None, "  L   H   H 404 404   H   H   H   H   H   H   H 404"),
    "counter-manifest-new": ("GET", None, "  L   H   H   H 200   H   H   H   H   H   H   H   H"),
    "counter-manifest": ("GET", None, "  L   H   H 404 404   H   H   H 404 404   H 404 404"),
    "counter-manifest-file": ("GET", None, "  L   H   H 404 404   H   H   H 404 404   H 404 404"),
    "counter-ready": ("GET", None, "  L   H   H 200   H   H   H   H   H   H   H   H 200"),
    "counter-batch-new": ("GET", None, "  L   H   H 200   H   H   H   H   H   H   H   H 200"),
    "counter-batch": ("GET", None, "  L   H   H 404 404   H   H   H 404 404   H 404 404"),
    "counter-batch-letter": ("GET", None, "  L   H   H 404 404   H   H   H 404 404   H 404 404"),
    "counter-dossier-refuse": ("GET", None, "  L   H   H 200   H   H   H   H   H   H   H   H 404"),
    "counter-handover": ("GET", None, "  L   H   H   H 200   H   H   H   H   H   H   H   H"),
    "counter-van": ("GET", None, "  L   H   H   H 200   H   H   H 200 200   H 200   H"),
    "problems": ("GET", None, "  L   H   H   H   H   H   H   H 200 200   H 200   H"),
    "order-document": ("GET", None, "  L 200 404 200 200 200 200 404 200 200 404 200 404"),
    "order-detail": ("GET", None, "  L 200 404 200 200 200 200 404 200 200 404 200 404"),
    "pickup-handover": ("GET", None, "  L   H   H   H 302   H   H   H   H   H   H   H   H"),
    "order-move": ("GET", None, "  L 302 404 302 302 302 302 404 302 302 404 302 404"),
    "order-assign-courier": ("POST", None, "  L 302 404 302 302 302 302 404 302 302 404 302 404"),
    "order-reschedule": ("GET", None, "  L 200 404 404 404 404 404 404 404 404 404 404 404"),
    "courier-run": ("GET", None, "  L   H   H   H   H   H 200 200   H   H   H   H   H"),
    "courier-take": ("POST", None, "  L   H   H   H   H   H 302 302   H   H   H   H   H"),
    "courier-run-sheet": ("GET", None, "  L   H   H   H   H   H 200 200   H   H   H   H   H"),
    # No courier has this pk: tests/courier/test_take.py prints a real courier's sheet.
    "courier-board-run-sheet": ("GET", {"pk": 999999}, "  L   H   H   H   H 404   H   H   H   H   H   H   H"),
    "courier-sw": ("GET", None, "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    "courier-board": ("GET", None, "  L   H   H   H   H 200   H   H   H   H   H   H   H"),
    "courier-reassign": ("POST", None, "  L   H   H   H   H 302   H   H   H   H   H   H   H"),
    "track": ("GET", None, "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    # an altered link (the token of the world is not a tracking link): tests/delivery/test_tracking.py
    "track-result": ("GET", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    # Passed already: back to one's home (a courier's is the courier app).
    "two-factor-verify": ("GET", None, "  L   H   H   H   H   H 302 302   H   H   H   H   H"),
    "two-factor-setup": ("GET", None, "  L   H   H 200 200 200 200 200 200 200   H 200 200"),
    # Manage my delivery: nothing opens without the one-time code, passed in this browser's session
    # (tests/applicant/test_manage_link.py); the link in the matrix is not a personal link.
    "manage-link": ("GET", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "manage-link-code": ("POST", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "manage-link-renew": ("POST", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "manage-track-code": ("POST", None, "302 302 302 302 302 302 302 302 302 302 302 302 302"),
    "manage-verify": ("GET", None, "302 302 302 302 302 302 302 302 302 302 302 302 302"),
    "manage-verify-resend": ("POST", None, "302 302 302 302 302 302 302 302 302 302 302 302 302"),
    "manage-home": ("GET", None, "302 302 302 302 302 302 302 302 302 302 302 302 302"),
    "manage-day": ("GET", None, "302 302 302 302 302 302 302 302 302 302 302 302 302"),
    "manage-address": ("GET", None, "302 302 302 302 302 302 302 302 302 302 302 302 302"),
    "manage-pickup": ("GET", None, "302 302 302 302 302 302 302 302 302 302 302 302 302"),
    "manage-cancel": ("GET", None, "302 302 302 302 302 302 302 302 302 302 302 302 302"),
    "manage-pay-difference": ("GET", None, "302 302 302 302 302 302 302 302 302 302 302 302 302"),
    "manage-proof-file": ("GET", None, "302 302 302 302 302 302 302 302 302 302 302 302 302"),
    "manage-data": ("GET", None, "302 302 302 302 302 302 302 302 302 302 302 302 302"),
    "manage-revoke": ("POST", None, "302 302 302 302 302 302 302 302 302 302 302 302 302"),
    "manage-end": ("POST", None, "302 302 302 302 302 302 302 302 302 302 302 302 302"),
    "manage-sign-up": ("GET", None, "302 302 302 302 302 302 302 302 302 302 302 302 302"),
    # The API's twins: a session token from the one-time code, accepted by these endpoints only.
    "api-manage-codes": ("POST", None, "400 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-manage-sessions": ("POST", None, "400 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-manage-order": ("GET", None, "401 401 401 401 401 401 401 401 401 401 401 401 401"),
    "api-manage-day": ("POST", None, "401 401 401 401 401 401 401 401 401 401 401 401 401"),
    "api-manage-address": ("POST", None, "401 401 401 401 401 401 401 401 401 401 401 401 401"),
    "api-manage-pickup": ("POST", None, "401 401 401 401 401 401 401 401 401 401 401 401 401"),
    "api-manage-cancel": ("POST", None, "401 401 401 401 401 401 401 401 401 401 401 401 401"),
    "api-manage-fee-difference": ("POST", None, "401 401 401 401 401 401 401 401 401 401 401 401 401"),
    "api-manage-data": ("GET", None, "401 401 401 401 401 401 401 401 401 401 401 401 401"),
    "api-manage-revoke": ("POST", None, "401 401 401 401 401 401 401 401 401 401 401 401 401"),
    # The rating through the personal link, page and API (tests/applicant/test_rating.py)
    "manage-link-rating": ("POST", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "api-link-rating": ("POST", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "complaint-order": ("GET", None, "302 302 302 302 302 302 302 302 302 302 302 302 302"),
    "my-data-export": ("GET", None, "  L 200 200 200 200 200 200 200 200 200 200 200 200"),
    "complaint-new": ("GET", None, "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    "complaint-thread": ("GET", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "complaint-photo": ("GET", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "complaint-queue": ("GET", None, "  L   H   H 200 200 200   H   H 200 200   H 200 200"),
    "complaint-staff-detail": ("GET", None, "  L   H   H 404 404 404   H   H 404 404   H 404 404"),
    "complaint-close": ("GET", None, "  L   H   H 404 404 404   H   H 404 404   H 404 404"),
    "complaint-staff-photo": ("GET", None, "  L   H   H 404 404 404   H   H 404 404   H 404 404"),
    "api-order-assign-courier": ("POST", None, "401 400 404 400 400 400 400 404 400 400 404 400 404"),
    "order-code-unlock": ("POST", None, "  L 302 404 302 302 302 302 404 302 302 404 302 404"),
    "api-order-code-unlock": ("POST", None, "401 403 403 403 403 409 403 403 403 403 403 409 403"),
    "api-order-reschedule": ("POST", None, "401 400 404 400 400 400 400 404 400 400 404 400 404"),
    "api-partners-agreement": ("GET", None, "401 403 403 403 403 403 403 403 404 404 403 404 403"),
    "api-partners-agreement-attachments": (
        "POST",
        None,
        "401 403 403 403 403 403 403 403 404 404 403 404 403",
    ),
    "api-partners-agreement-consents": ("POST", None, "401 403 403 403 403 403 403 403 404 404 403 404 403"),
    "api-partners-agreement-amendments": (
        "POST",
        None,
        "401 403 403 403 403 403 403 403 404 404 403 404 403",
    ),
    "api-partners-agreement-articles": ("POST", None, "401 403 403 403 403 403 403 403 404 404 403 404 403"),
    "api-partners-agreement-obligations": (
        "POST",
        None,
        "401 403 403 403 403 403 403 403 404 404 403 404 403",
    ),
    "api-partners-obligation-status": ("POST", None, "401 403 403 403 403 403 403 403 404 404 403 404 403"),
    "api-partners-evaluation": ("GET", None, "401 403 403 403 403 403 403 403 404 404 403 404 403"),
    "api-partners-action-items": ("POST", None, "401 403 403 403 403 403 403 403 404 404 403 404 403"),
    "api-partners-action-item-complete": (
        "POST",
        None,
        "401 403 403 403 403 403 403 403 404 404 403 404 403",
    ),
    "api-partners-scorecard": ("POST", None, "401 403 403 403 403 403 403 403 404 404 403 404 403"),
    "api-partners-dispute": ("GET", None, "401 403 403 403 403 403 403 403 404 404 403 404 403"),
    "api-partners-dispute-notes": ("POST", None, "401 403 403 403 403 403 403 403 404 404 403 404 403"),
    "api-partners-dispute-consensus": ("POST", None, "401 403 403 403 403 403 403 403 404 404 403 404 403"),
    "api-partners-dispute-close": ("POST", None, "401 403 403 403 403 403 403 403 404 404 403 404 403"),
    "api-partners-uptake-csv": ("POST", None, "401 403 403 403 403 403 403 403 415 415 403 415 403"),
    "api-booking-create": ("POST", None, "400 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-booking-detail": ("GET", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "api-booking-pay": ("POST", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    # public, like booking; the matrix's "code" is an order's, not an area's (tests/api)
    "api-area-windows": ("GET", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "api-track": ("POST", None, "400 400 400 400 400 400 400 400 400 400 400 400 400"),
    # WhatsApp's status callbacks: no login counts, only the body's signature (none here: refused)
    "api-whatsapp-statuses": ("POST", None, "403 403 403 403 403 403 403 403 403 403 403 403 403"),
    "api-order-address": ("POST", None, "401 400 404 400 400 400 400 404 400 400 404 400 404"),
    "api-order-cancel": ("POST", None, "401 409 404 403 403 403 403 404 403 403 404 403 404"),
    "api-groups": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-group": ("GET", None, "401 404 404 404 404 404 404 404 404 404 404 404 404"),
    "api-complaints": ("GET", None, "401 403 403 200 200 200 403 403 200 200 403 200 200"),
    "api-complaint": ("GET", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "api-complaint-replies": ("POST", None, "400 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-complaint-close": ("POST", None, "401 403 403 404 404 404 403 403 404 404 403 404 404"),
    "order-proof-file": ("GET", None, "  L 404 404 404 404 404 404 404 404 404 404 404 404"),
    "booking-start": ("GET", None, "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    "booking-from-account": ("GET", None, "  L 302 302 302 302 302 302 302 302 302 302 302 302"),
    "booking-details": ("GET", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "booking-review": ("GET", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "booking-pay": ("POST", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "booking-status": ("GET", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "booking-status-json": ("GET", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "booking-document": ("GET", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "order-change-address": ("GET", None, "  L 302 404 302 302 302 302 404 302 302 404 302 404"),
    "group-list": ("GET", None, "  L   H   H   H   H   H   H   H   H   H 200 200   H"),
    "group-sample": ("GET", None, "  L 200 200 200 200 200 200 200 200 200 200 200 200"),
    "group-detail": ("GET", None, "  L 404 404 404 404 404 404 404 404 404 404 404 404"),
    # A group's receipt, its one payment and a member's paper power of attorney: no group has the
    # world's number; who may pay and record is tests/travel/test_group_members.py.
    "group-receipt": ("GET", None, "  L 404 404 404 404 404 404 404 404 404 404 404 404"),
    "group-fees-pay": ("POST", None, "  L 404 404 404 404 404 404 404 404 404 404 404 404"),
    "group-member-poa-paper": ("POST", None, "  L 404 404 404 404 404 404 404 404 404 404 404 404"),
    "api-group-receipt": ("GET", None, "401 404 404 404 404 404 404 404 404 404 404 404 404"),
    "api-group-fees": ("POST", None, "401 404 404 404 404 404 404 404 404 404 404 404 404"),
    "api-group-member-poa-paper": ("POST", None, "401 404 404 404 404 404 404 404 404 404 404 404 404"),
    # A group member's power of attorney through their personal link (the world's token is none).
    "manage-link-poa": ("GET", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "api-link-code": ("POST", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "api-link-poa": ("GET", None, "404 404 404 404 404 404 404 404 404 404 404 404 404"),
    "api-lost-cases": ("GET", None, "401 403 403 200 200 200 200 200 200 200 403 200 200"),
    "api-lost-case-open": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-lost-case": ("GET", None, "401 404 404 200 200 200 404 404 200 200 404 200 404"),
    "api-lost-case-police-report": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-lost-case-decision": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "custody-lost-case": ("GET", None, "  L   H   H 200 200 200 200 404 200 200   H 200 404"),
    "custody-lost-cases": ("GET", None, "  L   H   H 200 200 200 200 200 200 200   H 200 200"),
    "money-statements": ("GET", None, "  L   H   H   H   H   H   H   H 200 200   H 200   H"),
    "money-statement": ("GET", None, "  L   H   H   H   H   H   H   H 200 200   H 200   H"),
    "money-statement-pdf": ("GET", None, "  L   H   H   H   H   H   H   H 200 200   H 200   H"),
    "money-statement-xlsx": ("GET", None, "  L   H   H   H   H   H   H   H 200 200   H 200   H"),
    "api-money-statements": ("GET", None, "401 403 403 403 403 403 403 403 200 200 403 200 403"),
    "api-money-statement": ("GET", None, "401 403 403 403 403 403 403 403 200 200 403 200 403"),
    "api-money-statement-approval": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-money-statement-disputes": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "api-money-statement-settlement": ("POST", None, "401 400 400 400 400 400 400 400 400 400 400 400 400"),
    "custody-police-report": ("GET", None, "  L   H   H 200 200 200 404 404 200 200   H 200 404"),
}

SKIPPED_NAMESPACES = {"admin"}  # Django's admin has its own staff check


def url_names(patterns, namespace: str = "") -> list[str]:
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            names += url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_url_has_a_row_in_the_matrix():
    missing = sorted(set(url_names(get_resolver().url_patterns)) - set(MATRIX))
    assert not missing, f"add these URL names to MATRIX in {__file__}: {missing}"


def status_shorthand(response) -> str:
    if response.status_code == 302 and "/login/" in response.get("Location", ""):
        return "L"
    if response.status_code == 302 and response.get("Location") == "/":
        return "H"
    return str(response.status_code)


@pytest.fixture
def world(ref):
    owner = make_applicant_user(username="owner")
    order = make_order(ref, S.OUT_FOR_DELIVERY, owner=owner, courier="kurir")
    application = make_paid_application(ref)
    parepare = Office.objects.create(
        organisation=ref["offices"]["imigrasi"].organisation, name="Kantor Imigrasi Kelas II Parepare"
    )
    users = {
        "owner": owner,
        "applicant2": ref["users"]["pemohon"],
        "imigrasi.parepare": UserFactory(
            username="imigrasi.parepare", role=Role.IMIGRASI_OFFICER, office=parepare
        ),
        **{name: ref["users"][name] for name in ACTORS if name in ref["users"]},
    }
    # A lost passport case, with its police report, on another Makassar order.
    lost = make_lost_case(ref, kind="damaged")
    # The Makassar offices' daily statement (its managers and the administrator read it).
    statement = statement_build(pos_office_id=ref["offices"]["pos"].pk, day=today())
    values = {
        "code": order.code,
        "pk": application.pk,
        "action": "deliver",
        "fmt": "csv",
        "kind": "receipt",
        "application_id": application.pk,
        # The lost passport case; no group has that number.
        "number": lost.number,
        "statement_id": statement.pk,
        "dispute_id": 999999,
        # Objects of the booking, complaint and group pages that do not exist: each of those
        # features checks its own owners in tests/applicant, tests/complaints, tests/travel.
        "token": "unknown-booking",
        "signed": "unknown",
        "ticket": "KPUNKNOWN0",
        "secret": "0" * 32,
        "obligation_pk": 999999,
        "item_pk": 999999,
    }
    return {"users": users, "values": values, "order": order}


def call(client: Client, method: str, path: str):
    if method == "POST":
        return client.post(path, {}, content_type="application/json")
    return client.get(path)


@pytest.mark.django_db
def test_every_role_gets_what_the_matrix_says(world):
    from django.urls import reverse
    from django.urls.resolvers import get_resolver as resolver

    patterns = {name: None for name in url_names(resolver().url_patterns)}
    printing = os.environ.get("PRINT_MATRIX") == "1"
    wrong = []
    clients = {}

    def client_of(actor: str) -> Client:
        """One session per actor for the whole walk; a new one if a call ended it (log out)."""
        client = clients.get(actor)
        if client is None or (actor != "anon" and "_auth_user_id" not in client.session):
            client = clients[actor] = Client()
            if actor != "anon":
                client.force_login(world["users"][actor])
        return client

    for name in patterns:
        method, kwargs, expected = MATRIX.get(name, ("GET", None, ""))
        if kwargs is None:
            kwargs = {}
            converters = resolver().reverse_dict.getlist(name)
            for possibility, *_ in converters:
                for _format, params in possibility:
                    kwargs = {p: world["values"][p] for p in params}
        path = reverse(name, kwargs=kwargs)
        got = []
        for actor in ACTORS:
            cache.clear()  # the lookup lock (tests/security/test_lookup_lock.py) would count the walk
            got.append(status_shorthand(call(client_of(actor), method, path)))
        row = " ".join(f"{g:>3}" for g in got)
        if printing:
            print(f'    "{name}": ("{method}", {kwargs!r}, "{row}"),')
        elif row.split() != expected.split():
            wrong.append(f"{name} {path}\n  expected {expected}\n  got      {row}")
    assert not wrong, "\n".join(wrong)


# Object level: the same URL, different owners.


@pytest.mark.django_db
def test_an_applicant_sees_only_their_own_orders(ref):
    mine = make_order(ref, S.BOOKED)
    theirs = make_order(ref, S.BOOKED)
    client = Client()
    owner = _owner_of(mine)
    client.force_login(owner)
    assert client.get(f"/orders/{mine.code}/").status_code == 200
    assert client.get(f"/orders/{theirs.code}/").status_code == 404
    assert client.get(f"/api/v1/orders/{theirs.code}/").status_code == 404
    listed = [row["code"] for row in client.get("/api/v1/orders/").json()["results"]]
    assert listed == [mine.code]


@pytest.mark.django_db
def test_a_courier_sees_only_their_run(ref):
    on_my_run = make_order(ref, S.OUT_FOR_DELIVERY, courier="kurir")
    on_another_run = make_order(ref, S.OUT_FOR_DELIVERY, courier="kurir2")
    client = Client()
    client.force_login(ref["couriers"]["kurir"].user)
    run = client.get("/courier/").content.decode()
    assert on_my_run.code in run and on_another_run.code not in run
    assert client.get(f"/orders/{on_another_run.code}/").status_code == 404
    refused = client.post(
        f"/api/v1/courier/orders/{on_another_run.code}/fail/",
        {"reason": "not_at_home"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert refused.status_code in (403, 404) and refused.json()["message"]


@pytest.mark.django_db
def test_staff_see_only_their_own_office(ref):
    here = make_order(ref, S.DOSSIER_HANDED)
    elsewhere = make_order(second_office_ref(ref), S.BOOKED)
    client = Client()
    client.force_login(ref["users"]["imigrasi"])
    assert client.get(f"/orders/{here.code}/").status_code == 200
    assert client.get(f"/orders/{elsewhere.code}/").status_code == 404
    assert client.get(f"/api/v1/orders/{elsewhere.code}/").status_code == 404
    listed = {row["code"] for row in client.get("/api/v1/orders/").json()["results"]}
    assert here.code in listed and elsewhere.code not in listed
    refused = client.post(
        f"/api/v1/orders/{elsewhere.code}/moves/", {"action": "mark_ready"}, content_type="application/json"
    )
    assert refused.status_code == 404


def _owner_of(order):
    from delivery.models import DeliveryOrder

    return (
        DeliveryOrder.objects.select_related("application__applicant__user")
        .get(pk=order.pk)
        .application.applicant.user
    )
