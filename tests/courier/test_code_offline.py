"""Nothing the courier's phone receives lets anyone find or confirm a delivery code offline; the
Damm check digit catches typos; the code survives a new SECRET_KEY and the migration."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from html import unescape

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from delivery.choices import DeliveryStatus as S
from delivery.handoff import codes
from delivery.models import DeliveryCode
from tests.courier.test_proof import deliver
from tests.factories import make_order

CODE_PATTERN = re.compile(r"\d{6}")


def _run_data(client) -> tuple[str, dict]:
    page = client.get("/courier/").content.decode()
    found = re.search(r'<script id="run-data" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None
    return page, json.loads(unescape(found.group(1)))


def test_a_brute_force_over_every_code_finds_nothing_in_the_run_page(client, ref):
    # given an order out for delivery, and its run page exactly as the courier's phone receives it
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    right = codes.delivery_code_reveal(order_id=order.pk)
    client.force_login(ref["users"]["kurir"])
    page, data = _run_data(client)

    # the page holds for the order only the kind of check and whether the code was used
    assert data["codes"][order.code] == {"check": "damm", "used": False}
    flat = json.dumps(data)
    for word in ("salt", "hash", "iterations", "nonce"):
        assert word not in flat
    assert right not in page

    # when every 6-digit code is tried against everything the page holds: the phone's own check
    # (the check digit) and every number or text in the page's data, hashed as an offline check
    # would (SHA-256 / PBKDF2 of the code with any string in the data as salt)
    strings = sorted({s for s in re.findall(r'"([^"]*)"', flat) if len(s) >= 8})
    consistent = [f"{n:06d}" for n in range(10**6) if codes.damm_valid(f"{n:06d}")]
    digests = {hashlib.sha256(right.encode()).hexdigest(), right}
    digests |= {hashlib.pbkdf2_hmac("sha256", right.encode(), s.encode(), 1).hex() for s in strings}

    # then 100,000 codes stay equally consistent with the page, the right one among them, and no
    # value derived from the right code is in the page
    assert len(consistent) == 100_000 and right in consistent
    assert not any(digest in page for digest in digests)


def test_the_run_page_marks_codes_from_before_the_check_digit(client, ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    DeliveryCode.objects.filter(order=order).update(check_digit="")
    client.force_login(ref["users"]["kurir"])
    _page, data = _run_data(client)
    assert data["codes"][order.code] == {"check": "", "used": False}


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.data())
def test_every_single_digit_typo_and_adjacent_swap_is_caught(data):
    code = codes.code_new()
    assert codes.damm_valid(code) and len(code) == 6
    position = data.draw(st.integers(0, 5))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != code[position]]))
    assert not codes.damm_valid(code[:position] + wrong + code[position + 1 :])
    swap = data.draw(st.integers(0, 4))
    if code[swap] != code[swap + 1]:
        swapped = code[:swap] + code[swap + 1] + code[swap] + code[swap + 2 :]
        assert not codes.damm_valid(swapped)


def test_the_damm_table_catches_every_typo_and_swap_at_any_position():
    # every row and column a permutation (one wrong digit always changes the interim digit), and
    # weakly totally anti-symmetric (a swap of neighbours always does): exhaustive over the table
    table = codes.DAMM_TABLE
    for row in range(10):
        assert sorted(table[row]) == list(range(10))
        assert sorted(table[r][row] for r in range(10)) == list(range(10))
        assert table[row][row] == 0
        for x in range(10):
            for y in range(10):
                if x != y:
                    assert table[table[row][x]][y] != table[table[row][y]][x]


def test_a_new_secret_key_leaves_an_open_code_valid(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    code = codes.delivery_code_reveal(order_id=order.pk)
    with override_settings(SECRET_KEY="a-brand-new-secret-key-after-rotation-" + "x" * 20):
        assert codes.delivery_code_reveal(order_id=order.pk) == code
        result = deliver(order, order.courier.user, code=code)
    assert result.order.status == S.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_a_code_mailed_before_the_migration_still_delivers(tx_ref):
    order = make_order(tx_ref, S.OUT_FOR_DELIVERY)
    executor = MigrationExecutor(connection)
    executor.migrate([("delivery", "0017_event_history_guarded")])
    nonce = "0123456789abcdef0123456789abcdef"
    with connection.cursor() as cursor:  # a code as the old schema issued it
        cursor.execute(
            "UPDATE delivery_deliverycode SET nonce = %s, salt = 's', iterations = 1, code_hash = 'h' "
            "WHERE order_id = %s",
            [nonce, order.pk],
        )
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"delivery-code:{order.pk}:{nonce}".encode(), hashlib.sha256
    ).digest()
    mailed = f"{int.from_bytes(digest[:8], 'big') % 10**6:06d}"

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    row = DeliveryCode.objects.get(order=order)
    assert row.check_digit == "" and mailed not in row.code_encrypted
    assert codes.delivery_code_reveal(order_id=order.pk) == mailed
    assert deliver(order, order.courier.user, code=mailed).order.status == S.DELIVERED


def test_the_run_page_holds_the_public_keys_and_no_token_or_signing_key(client, ref):
    from delivery.handoff import tokens

    order = make_order(ref, S.OUT_FOR_DELIVERY)
    client.force_login(ref["users"]["kurir"])
    page, data = _run_data(client)

    # the public key and the attempt a token must name; never the token itself nor the private key
    assert data["token_keys"] == tokens.delivery_token_public_keys()
    assert data["token_attempts"][order.code] == 1
    assert tokens.delivery_token_issue(order=order).token not in page
    assert settings.DELIVERY_TOKEN_SIGNING_KEY not in page
