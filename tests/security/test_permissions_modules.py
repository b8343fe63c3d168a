"""The permissions modules answer "may this user do this (to this object)?" for each role and office."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from complaints import permissions as complaint_perms
from core.exceptions import NotAllowed
from delivery import permissions as delivery_perms
from partners import permissions as partner_perms
from passports import permissions as passport_perms


def test_only_managers_and_the_administrator_run_the_partnership(ref):
    users = ref["users"]
    for name in ("manajer.imigrasi", "manajer.pos", "admin"):
        assert partner_perms.is_manager(users[name])
        partner_perms.require_manager(users[name])
    for name in ("imigrasi", "pos.layanan", "pemohon", "travel"):
        assert not partner_perms.is_manager(users[name])
        with pytest.raises(NotAllowed):
            partner_perms.require_manager(users[name])
    with pytest.raises(NotAllowed):
        partner_perms.require_manager(None)


def test_only_imigrasi_enters_the_passports_issued(ref):
    users = ref["users"]
    assert partner_perms.may_enter_uptake(users["manajer.imigrasi"])
    assert partner_perms.may_enter_uptake(users["imigrasi"])
    assert partner_perms.may_enter_uptake(users["admin"])
    assert not partner_perms.may_enter_uptake(users["pos.layanan"])
    assert not partner_perms.may_enter_uptake(users["manajer.pos"])  # a manager of the other side


def test_a_complaint_is_answered_by_its_own_office(ref):
    users = ref["users"]
    imigrasi, pos = users["imigrasi"], users["pos.layanan"]
    complaint = SimpleNamespace(office_id=imigrasi.office_id)
    assert complaint_perms.may_answer_complaint(imigrasi, complaint)
    assert complaint_perms.may_answer_complaint(users["admin"], complaint)
    assert not complaint_perms.may_answer_complaint(pos, complaint)
    assert not complaint_perms.may_answer_complaint(users["pemohon"], complaint)
    assert complaint_perms.is_complaint_handler(pos)
    assert not complaint_perms.is_complaint_handler(users["kurir"])
    assert complaint_perms.complaint_queue_office_id(pos) == pos.office_id
    assert complaint_perms.complaint_queue_office_id(users["travel"]) is None


def test_passport_counter_work_belongs_to_the_counter_staff(ref):
    users = ref["users"]
    assert passport_perms.may_record_applications(users["imigrasi"])
    assert not passport_perms.may_record_applications(users["pos.layanan"])
    assert passport_perms.may_take_payments(users["pos.layanan"])
    with pytest.raises(NotAllowed):
        passport_perms.require_payment_taker(users["pos.antaran"])


def test_delivery_answers_for_couriers_batches_and_queues(ref):
    users = ref["users"]
    dispatcher, service = users["pos.antaran"], users["pos.layanan"]
    own = SimpleNamespace(pos_office_id=dispatcher.office_id)
    other = SimpleNamespace(pos_office_id=-1)
    assert delivery_perms.may_assign_courier_to(dispatcher, own)
    assert not delivery_perms.may_assign_courier_to(dispatcher, other)
    assert not delivery_perms.may_assign_courier_to(users["imigrasi"], own)
    with pytest.raises(NotAllowed):
        delivery_perms.require_courier_assigner(users["kurir"])
    assert delivery_perms.may_acknowledge_batch(service, own)
    assert not delivery_perms.may_acknowledge_batch(dispatcher, own)
    assert delivery_perms.may_read_problems(users["manajer.pos"])
    assert not delivery_perms.may_read_problems(service)
    assert delivery_perms.may_read_van_log(service)
    assert not delivery_perms.may_read_van_log(users["imigrasi"])
    assert delivery_perms.is_office_dispatcher(dispatcher)
    assert delivery_perms.may_book_groups(users["travel"])
    assert not delivery_perms.may_book_groups(users["admin"])
