"""The NIK is ciphertext in the database, found by its keyed hash, masked on staff pages; every
staff look at an applicant's personal data leaves an append-only row."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.test import Client

from accounts.models import PersonalDataAccess
from delivery.choices import DeliveryStatus as S
from passports.models import Applicant
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def _raw_nik(applicant_id: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nik, nik_hash FROM passports_applicant WHERE id = %s", [applicant_id])
        return cursor.fetchone()


def test_the_database_holds_only_ciphertext_and_python_the_plain_nik(ref):
    order = make_order(ref)
    applicant = order.application.applicant
    nik = applicant.nik

    raw, digest = _raw_nik(applicant.pk)
    assert nik.isdigit() and len(nik) == 16
    assert nik not in raw and raw.startswith("gAAAA")  # a Fernet token
    assert len(digest) == 64 and nik not in digest
    assert Applicant.objects.get(pk=applicant.pk).nik == nik


def test_applicant_found_by_nik_through_the_keyed_hash(ref):
    order = make_order(ref)
    nik = order.application.applicant.nik

    assert Applicant.objects.get(nik=nik).pk == order.application.applicant_id
    assert not Applicant.objects.filter(nik="7371999999999999").exists()
    assert order.__class__.objects.filter(application__applicant__nik=nik).get().pk == order.pk


def test_changing_the_nik_changes_its_hash(ref):
    applicant = make_order(ref).application.applicant
    applicant.nik = "7371000000004242"
    applicant.save(update_fields=["nik", "nik_hash"])
    assert Applicant.objects.get(nik="7371000000004242").pk == applicant.pk


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_encrypts_niks_already_stored():
    from tests.old_database import old_database

    with old_database([("passports", "0004_application_submission_key")]) as old:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO passports_applicant (created_at, updated_at, full_name, birth_place, birth_date,"
                " address, nik, sim_number, phone, email, language) VALUES (now(), now(), 'Lama', 'Makassar',"
                " '1980-01-01', 'Jl. Lama 1', '7371010101800001', '', '081200000000', '', 'id') RETURNING id"
            )
            pk = cursor.fetchone()[0]

        old.migrate_to_the_end()

        raw, digest = _raw_nik(pk)
        assert "7371010101800001" not in raw and digest
        assert Applicant.objects.get(nik="7371010101800001").pk == pk


def test_staff_pages_mask_the_nik_and_the_imigrasi_officer_sees_it_on_the_application(ref):
    order = make_order(ref)
    nik = order.application.applicant.nik
    masked = nik[:4] + "********" + nik[-4:]

    pos = Client()
    pos.force_login(ref["users"]["pos.layanan"])
    page = pos.get(f"/orders/{order.code}/").content.decode()
    assert masked in page and nik not in page

    imigrasi = Client()
    imigrasi.force_login(ref["users"]["imigrasi"])
    assert masked in imigrasi.get(f"/orders/{order.code}/").content.decode()
    assert nik in imigrasi.get(f"/counter/applications/{order.application_id}/").content.decode()


def test_public_tracking_never_shows_the_nik(ref):
    order = make_order(ref, S.DELIVERED)
    applicant = order.application.applicant
    page = Client().post(
        "/track/", {"code": order.code, "birth_date": applicant.birth_date.isoformat()}, follow=True
    )
    body = page.content.decode()
    assert page.status_code == 200 and order.code in body
    assert applicant.nik not in body and applicant.nik[-4:] + "<" not in body


def test_every_staff_look_is_recorded_and_rows_cannot_change(ref, caplog):
    order = make_order(ref)
    staff = ref["users"]["pos.layanan"]
    client = Client()
    client.force_login(staff)

    with caplog.at_level(logging.INFO):
        client.get(f"/orders/{order.code}/")
        client.get(f"/api/v1/orders/{order.code}/")
        client.get(f"/orders/{order.code}/documents/receipt.pdf")
    imigrasi = Client()
    imigrasi.force_login(ref["users"]["imigrasi"])
    imigrasi.get(f"/counter/applications/{order.application_id}/")

    rows = list(PersonalDataAccess.objects.filter(user=staff).order_by("pk"))
    assert [r.what for r in rows] == ["order_detail", "order_api", "export"]
    assert PersonalDataAccess.objects.get(user=ref["users"]["imigrasi"]).what == "application_detail"
    assert {r.applicant_id for r in rows} == {order.application.applicant_id}
    assert all(r.role == "pos_service_officer" and r.at for r in rows)
    assert order.application.applicant.nik not in caplog.text

    with pytest.raises(ValueError):
        rows[0].save()
    with pytest.raises(ValueError):
        rows[0].delete()


def test_the_administrator_reads_the_record_in_the_admin(ref):
    order = make_order(ref)
    viewer = Client()
    viewer.force_login(ref["users"]["imigrasi"])
    viewer.get(f"/orders/{order.code}/")

    admin = Client()
    admin.force_login(ref["users"]["admin"])
    page = admin.get("/admin/portal/personaldataaccess/?what__exact=order_detail")
    assert page.status_code == 200 and order.code in page.content.decode()
    assert admin.get("/admin/portal/personaldataaccess/add/").status_code == 403


def test_the_applicant_downloads_their_own_data_and_the_export_is_recorded(ref):
    from tests.factories import make_applicant_user

    owner = make_applicant_user()
    order = make_order(ref, owner=owner)
    client = Client()
    client.force_login(owner)

    assert "/me/data.json" in client.get("/").content.decode()
    response = client.get("/me/data.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = response.json()
    assert data["applicant"]["nik"] == order.application.applicant.nik
    assert data["applications"][0]["delivery"]["tracking_code"] == order.code
    assert PersonalDataAccess.objects.get(user=owner).what == "own_data_export"


def test_someone_elses_data_is_never_in_the_export(ref):
    from tests.factories import make_applicant_user

    other = make_order(ref)
    lonely = make_applicant_user()
    client = Client()
    client.force_login(lonely)
    data = client.get("/me/data.json").json()
    assert data["applicant"] is None and data["applications"] == []
    assert other.code not in str(data)


def test_proof_files_come_back_as_images_or_attachments_never_as_pages(ref, settings, tmp_path):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from delivery.models import DeliveryEvent, ProofOfDelivery

    settings.MEDIA_ROOT = tmp_path
    order = make_order(ref, S.DELIVERED)
    png = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(png, format="PNG")
    proof = ProofOfDelivery(
        order=order,
        event=DeliveryEvent.objects.get(order=order, to_status=S.DELIVERED),
        receiver_kind="stand_in",
        receiver_name="Andi",
    )
    proof.signature.save("sig.png", ContentFile(png.getvalue()), save=False)
    proof.photo.save("photo.jpg", ContentFile(b"<html><script>alert(1)</script></html>"), save=False)
    proof.save()
    client = Client()
    client.force_login(ref["users"]["pos.layanan"])

    assert "/proof/signature/" in client.get(f"/orders/{order.code}/").content.decode()
    signature = client.get(f"/orders/{order.code}/proof/signature/")
    assert signature.status_code == 200 and signature["Content-Type"] == "image/png"
    assert signature["X-Content-Type-Options"] == "nosniff"
    disguised = client.get(f"/orders/{order.code}/proof/photo/")
    assert disguised["Content-Type"] == "application/octet-stream"
    assert disguised["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in disguised["Content-Security-Policy"]
    assert PersonalDataAccess.objects.filter(reference=f"proof-signature:{order.code}").exists()

    stranger = Client()
    stranger.force_login(make_order(ref).application.applicant.user or ref["users"]["travel"])
    assert stranger.get(f"/orders/{order.code}/proof/signature/").status_code == 404
