"""A database built by the migrations from before the restructure migrates forward cleanly: the
models that changed app (kernel tables, offices, complaints) keep their tables and rows, and problems
get the status their notification had."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from tests.old_database import old_database

# Each app's last migration before the models moved; the three new apps had none.
BEFORE_THE_MOVE = [
    ("portal", "0005_merge_0004_outbox_messages_0004_personal_data_access"),
    ("partners", "0005_office_serves"),
    ("passports", "0005_applicant_nik_encrypted"),
    ("delivery", "0014_notification_claimed_at"),
    ("core", None),
    ("organisations", None),
    ("complaints", None),
]


def _insert(sql: str, *params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql + " RETURNING id", params)
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_migrates_forward_with_its_rows():
    from accounts.models import User
    from complaints.models import Complaint, ComplaintMessage
    from core.models import OutboxMessage, WebhookSubscription
    from delivery.models import Problem
    from organisations.models import Office, Organisation

    with old_database(BEFORE_THE_MOVE) as old:
        assert old.apps.get_model("partners", "Office")._meta.db_table == "partners_office"

        organisation = _insert(
            "INSERT INTO partners_organisation (created_at, updated_at, name, kind) VALUES (now(), now(), %s, %s)",
            "Kantor Imigrasi Lama",
            "imigrasi",
        )
        office = _insert(
            "INSERT INTO partners_office (created_at, updated_at, organisation_id, name, address, phone, email)"
            " VALUES (now(), now(), %s, %s, '', '', '')",
            organisation,
            "Kanim Lama",
        )
        user = _insert(
            "INSERT INTO portal_user (password, is_superuser, username, first_name, last_name, email, is_staff,"
            " is_active, date_joined, role, office_id, phone, language)"
            " VALUES ('!', false, 'petugas.lama', '', '', '', false, true, now(), 'imigrasi_officer', %s, '', 'id')",
            office,
        )
        complaint = _insert(
            "INSERT INTO partners_complaint (created_at, updated_at, ticket, nonce, category, text, agency, office_id,"
            " contact_email, contact_phone, language, photo, photo_type, status, filed_at, first_response_due_at)"
            " VALUES (now(), now(), 'ADU-LAMA-01', 'n', 'other', 'Paspor belum datang', 'imigrasi', %s, '', '', 'id',"
            " '', '', 'open', now(), now())",
            office,
        )
        _insert(
            "INSERT INTO partners_complaintmessage (complaint_id, author_kind, text, created_at)"
            " VALUES (%s, 'applicant', 'Paspor belum datang', now())",
            complaint,
        )
        problems = {
            notified_at: _insert(
                "INSERT INTO delivery_problem (created_at, updated_at, complaint_id, kind, key, status_at_flag,"
                " responsible_role, responsible_office_id, flagged_at, notified_at, notified_to)"
                f" VALUES (now(), now(), %s, %s, '', '', 'agency_manager', %s, now(), {notified_at}, '')",
                complaint,
                kind,
                office,
            )
            for notified_at, kind in (("now()", "complaint_unanswered"), ("NULL", "late"))
        }
        _insert(
            "INSERT INTO portal_webhooksubscription (owner_id, url, secret, events, active, consecutive_failures,"
            " disabled_reason, created_at) VALUES (%s, 'https://pos.example/hook', 's', '[]', true, 0, '', now())",
            user,
        )
        _insert(
            "INSERT INTO portal_outboxmessage (task_name, args, created_at, attempts, last_error)"
            " VALUES ('portal.tasks.relay_outbox', '[]', now(), 0, '')"
        )
        ContentType.objects.clear_cache()
        assert ContentType.objects.filter(app_label="partners", model="office").exists()

        old.migrate_to_the_end()
        ContentType.objects.clear_cache()

        moved_office = Office.objects.select_related("organisation").get(pk=office)
        assert moved_office.name == "Kanim Lama"
        assert moved_office.organisation == Organisation.objects.get(pk=organisation)
        assert User.objects.get(pk=user).office == moved_office
        assert Complaint.objects.get(pk=complaint).office == moved_office
        assert ComplaintMessage.objects.get(complaint_id=complaint).text == "Paspor belum datang"
        assert WebhookSubscription.objects.get(owner_id=user).url == "https://pos.example/hook"
        assert OutboxMessage.objects.filter(task_name="portal.tasks.relay_outbox").exists()
        # a problem whose responsible role was already mailed is "notified", the other still "flagged"
        statuses = dict(Problem.objects.filter(pk__in=problems.values()).values_list("pk", "status"))
        assert statuses == {problems["now()"]: "notified", problems["NULL"]: "flagged"}
        # permissions and admin history follow the model to its new app
        assert ContentType.objects.filter(app_label="organisations", model="office").exists()
        assert not ContentType.objects.filter(app_label="partners", model="office").exists()
