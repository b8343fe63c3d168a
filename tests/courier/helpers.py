"""Small images and request helpers for the courier tests."""

from __future__ import annotations

import base64
import io
import os
import uuid

from PIL import Image
from rest_framework.test import APIClient


def image_data_url(fmt: str = "PNG", size: tuple[int, int] = (120, 60), *, noise: bool = False) -> str:
    buffer = io.BytesIO()
    if noise:  # random pixels do not compress: a large file
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (255, 255, 255))
    image.save(buffer, format=fmt)
    mime = "image/png" if fmt == "PNG" else "image/jpeg"
    return f"data:{mime};base64," + base64.b64encode(buffer.getvalue()).decode()


def courier_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(client, order_code: str, action: str, body: dict, key: str | None = None):
    return client.post(
        f"/api/v1/courier/orders/{order_code}/{action}/",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
    )
