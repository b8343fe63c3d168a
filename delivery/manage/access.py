"""Who may change a delivery without an account: the holder of the phone or mail on file.

Through the personal link (``delivery.manage.links``) or after a tracking lookup that matched, the
applicant asks for a one-time code; it goes by SMS to the order's contact phone and by mail to its
address on file, never anywhere typed on the page. Typing it opens a "manage my delivery" session
for that one order (``MANAGE_SESSION_SECONDS``), kept in the browser's session with the order's
link version, so revoking the links ends it too.

The code: 6 random digits, only its keyed hash kept for the check (compared in constant time), valid
``MANAGE_CODE_SECONDS``, spent after ``MANAGE_CODE_MAX_ATTEMPTS`` wrong tries; a new one at most every
``MANAGE_CODE_RESEND_SECONDS`` and ``MANAGE_CODES_PER_HOUR`` an hour. Wrong codes also count on the
portal's lookup lock (``core.lookups``) for the client, so one address cannot try many orders.

The applicant's changes are made by the same services as a logged-in applicant's, with the
applicant's user as the actor: one is made, without a password, the first time an applicant without
an account passes the check (``applicant_user_ensure``). It cannot log in until the applicant
chooses to sign up (a password, ``applicant_sign_up``).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.crypto import personal_decrypt, personal_encrypt
from core.exceptions import DomainError, NotFound, ValidationFailed
from core.fields import ascii_digits, secret_equals
from core.lookups import lookup_failed, lookup_refuse_if_locked, lookup_subject, too_many_attempts
from core.outbox import task_enqueue
from delivery.manage.links import link_url
from delivery.models import DeliveryOrder, ManageCode
from delivery.notifications.sms import sms_send
from delivery.notifications.sms_texts import SmsMessage, sms_render
from passports.models import Applicant

logger = logging.getLogger(__name__)

SESSION_KEY = "manage_orders"
CHALLENGE_KEY = "manage_challenge"


class CodeRefused(DomainError):
    status_code = 400
    code = "code_refused"


def _digest(*, code_id: int, digits: str) -> str:
    return salted_hmac("delivery.manage.code", f"{code_id}|{digits}", algorithm="sha256").hexdigest()


def _mask_phone(phone: str) -> str:
    return f"{phone[:4]}•••{phone[-3:]}" if len(phone) > 7 else "•••"


def _mask_email(email: str) -> str:
    name, _at, domain = email.partition("@")
    return f"{name[:1]}•••@{domain}" if domain else ""


@dataclass(frozen=True)
class CodeSent:
    """What the page says after a code was asked for: where it went (masked), and its id for the
    session's challenge."""

    code_id: int
    to_phone: str
    to_email: str


def manage_code_request(*, order: DeliveryOrder, now: dt.datetime | None = None) -> CodeSent:
    """Make a one-time code for the order and send it (after commit) to the phone and mail on file.
    Asking again within a minute answers with the code already on its way."""
    now = now or timezone.now()
    with transaction.atomic():
        DeliveryOrder.objects.select_for_update(of=("self",)).filter(pk=order.pk).first()
        recent = list(
            ManageCode.objects.filter(order=order, created_at__gte=now - dt.timedelta(hours=1)).order_by(
                "-created_at"
            )
        )
        latest = recent[0] if recent else None
        resend_after = dt.timedelta(seconds=settings.MANAGE_CODE_RESEND_SECONDS)
        if latest is not None and latest.used_at is None and now - latest.created_at < resend_after:
            row = latest
        elif len(recent) >= settings.MANAGE_CODES_PER_HOUR:
            raise too_many_attempts()
        else:
            digits = f"{secrets.randbelow(10**6):06d}"
            row = ManageCode.objects.create(
                order=order,
                digest="",
                code_encrypted=personal_encrypt(digits),
                created_at=now,
                expires_at=now + dt.timedelta(seconds=settings.MANAGE_CODE_SECONDS),
            )
            ManageCode.objects.filter(pk=row.pk).update(digest=_digest(code_id=row.pk, digits=digits))
            task_enqueue("delivery.tasks.send_manage_code", row.pk)
    return CodeSent(
        code_id=row.pk,
        to_phone=_mask_phone(order.recipient_phone),
        to_email=_mask_email(order.recipient_email),
    )


def manage_code_send(*, code_id: int) -> str:
    """Send one code by SMS (and mail, with an address on file); the code's copy is cleared once
    sent, so a task run again sends nothing twice."""
    row = ManageCode.objects.select_related("order__application__applicant").filter(pk=code_id).first()
    if row is None or not row.code_encrypted:
        return "already_sent"
    if row.used_at is not None or row.expires_at <= timezone.now():
        ManageCode.objects.filter(pk=row.pk).update(code_encrypted="")
        return "expired"
    digits = personal_decrypt(row.code_encrypted)
    order = row.order
    language = order.application.applicant.language or "id"
    with translation.override(language):
        text = sms_render(SmsMessage("manage_code", order.code, {"otp": digits}))
        sms_send(to=order.recipient_phone, text=text, reference=f"manage-code-{row.pk}")
        if order.recipient_email:
            subject = gettext("Your one-time code for delivery %(code)s") % {"code": order.code}
            body = "\n\n".join(
                [
                    gettext("Your one-time code to manage the delivery of your passport: %(otp)s")
                    % {"otp": digits},
                    gettext(
                        "It is valid for 10 minutes. Never give it to anyone: Pos and Imigrasi staff never ask for it."
                    ),
                    gettext("If you did not ask for it, you can ignore this message."),
                ]
            )
            EmailMessage(subject=subject, body=body, to=[order.recipient_email]).send()
    ManageCode.objects.filter(pk=row.pk).update(code_encrypted="", sent_at=timezone.now())
    logger.info("delivery.manage_code.sent code_id=%s", row.pk)
    return "sent"


def manage_code_verify(
    *, code_id: int, digits: str, client: str, now: dt.datetime | None = None
) -> DeliveryOrder:
    """The order whose code ``digits`` is; raises ``CodeRefused`` (with how to go on) otherwise."""
    now = now or timezone.now()
    subject = lookup_subject("manage", str(code_id))
    lookup_refuse_if_locked(client=client, subject=subject)
    digits = (digits or "").strip().replace(" ", "")
    if not ascii_digits(digits, length=6):
        raise ValidationFailed(
            _("Type the 6 digits of the code we sent you."),
            fields={"code": [_("Type the 6 digits of the code we sent you.")]},
        )
    with transaction.atomic():
        row = (
            ManageCode.objects.select_for_update(of=("self",))
            .select_related("order")
            .filter(pk=code_id)
            .first()
        )
        if row is None:
            raise NotFound(_("Ask for a new code."))
        if row.used_at is not None:
            raise CodeRefused(_("This code was already used. Ask for a new code."), code="code_used")
        if row.expires_at <= now:
            raise CodeRefused(_("This code has expired. Ask for a new code."), code="code_expired")
        if row.attempts >= settings.MANAGE_CODE_MAX_ATTEMPTS:
            raise CodeRefused(_("Too many wrong codes. Ask for a new code."), code="code_spent")
        if not secret_equals(_digest(code_id=row.pk, digits=digits), row.digest):
            ManageCode.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
            left = settings.MANAGE_CODE_MAX_ATTEMPTS - row.attempts - 1
            failure = CodeRefused(
                _("This is not the code we sent. Tries left: %(left)s.") % {"left": left}
                if left
                else _("Too many wrong codes. Ask for a new code."),
                code="code_wrong" if left else "code_spent",
            )
        else:
            ManageCode.objects.filter(pk=row.pk).update(used_at=now, code_encrypted="")
            failure = None
    if failure is not None:
        lookup_failed(client=client, subject=subject)
        raise failure
    return row.order


# The session's grants: {tracking code: [ends (epoch seconds), link version]}.


def grant_open(session: MutableMapping[str, Any], order: DeliveryOrder) -> None:
    grants = dict(session.get(SESSION_KEY) or {})
    grants[order.code] = [int(time.time()) + settings.MANAGE_SESSION_SECONDS, order.link_version]
    session[SESSION_KEY] = grants
    session.pop(CHALLENGE_KEY, None)


def grant_holds(session: MutableMapping[str, Any], order: DeliveryOrder) -> bool:
    """Whether this browser passed the code for ``order``, not long ago, since its links last changed."""
    grant = (session.get(SESSION_KEY) or {}).get(order.code)
    if not isinstance(grant, list) or len(grant) != 2:
        return False
    ends, version = grant
    return isinstance(ends, int) and ends > time.time() and version == order.link_version


def grant_close(session: MutableMapping[str, Any], order: DeliveryOrder) -> None:
    grants = dict(session.get(SESSION_KEY) or {})
    grants.pop(order.code, None)
    session[SESSION_KEY] = grants


def applicant_user_ensure(*, order: DeliveryOrder) -> User:
    """The user the applicant's changes are recorded under: their account, or one made now without
    a password (it cannot log in until the applicant signs up)."""
    applicant_id = order.application.applicant_id
    with transaction.atomic():
        applicant = (
            Applicant.objects.select_for_update(of=("self",)).select_related("user").get(pk=applicant_id)
        )
        if applicant.user is not None:
            order.application.applicant.user = applicant.user
            return applicant.user
        user = User(
            username=f"applicant-{applicant.pk}",
            role=Role.APPLICANT,
            first_name=applicant.full_name[:150],
            language=applicant.language or "id",
        )
        user.set_unusable_password()
        user.save()
        Applicant.objects.filter(pk=applicant.pk, user__isnull=True).update(user=user)
    order.application.applicant.user = user  # the caller's order object knows its owner now
    return user


def applicant_sign_up(*, order: DeliveryOrder, username: str, password: str) -> User:
    """The applicant who passed the code makes an account of their user: a name to log in with and
    a password (Django's password validators). Nothing of the service needs one."""
    username = (username or "").strip()
    user = applicant_user_ensure(order=order)
    errors: dict[str, list[object]] = {}
    if user.has_usable_password():
        raise CodeRefused(_("You already have an account: log in with it."), code="has_account")
    if not username or len(username) > 150 or not username.isascii():
        errors["username"] = [_("Choose a login name of letters, digits and @.+-_ only.")]
    elif User.objects.filter(username__iexact=username).exclude(pk=user.pk).exists():
        errors["username"] = [_("This login name is taken; choose another.")]
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    user.username = username
    user.set_password(password)
    user.save(update_fields=["username", "password"])
    return user


def link_resend(*, order: DeliveryOrder) -> bool:
    """Send a fresh personal link to the phone on file (an expired link's page offers it): at most
    once in ``MANAGE_LINK_RESEND_SECONDS``; False when one went out recently."""
    if not cache.add(f"manage:link-resend:{order.pk}", 1, timeout=settings.MANAGE_LINK_RESEND_SECONDS):
        return False
    task_enqueue("delivery.tasks.send_manage_link", order.pk, int(time.time()) // 60)
    return True


def link_send(*, order_id: int, minute: int) -> str:
    """The short message with a fresh personal link; a retry of the same request sends it once."""
    order = DeliveryOrder.objects.select_related("application__applicant").filter(pk=order_id).first()
    if order is None:
        return "gone"
    with translation.override(order.application.applicant.language or "id"):
        text = sms_render(SmsMessage("manage_link", order.code, {"url": link_url(order)}))
    sms_send(to=order.recipient_phone, text=text, reference=f"manage-link-{order.pk}-{minute}")
    return "sent"
