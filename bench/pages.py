"""What the benchmark opens: the pages a busy office and a courier use most."""

# key, user, path: the first is the "dashboard" figure of the results (all of Indonesia); the second
# the busy office's own ({office}: its Imigrasi office's id).
DASHBOARD_PAGES = [
    ("dashboard", "manajer.pos", "/partners/dashboard/?start=2016-01&end=2026-12"),
    (
        "dashboard_office",
        "manajer.pos",
        "/partners/dashboard/?start=2016-01&end=2026-12&scope=office:{office}",
    ),
    ("manager_home", "manajer.pos", "/"),
    ("office_orders", "pos.layanan", "/"),
    ("api_order_list", "pos.layanan", "/api/v1/orders/?status=booked"),
]
COURIER_PAGE = "/courier/"
# Chrome's "Slow 3G" bandwidth (400 kbit/s down and up) with a 400 ms round trip.
SLOW_3G = {"latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
