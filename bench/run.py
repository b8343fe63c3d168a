"""`make bench`: the portal on a production-like stack on loopback, measured against ceilings taken
in the same run (a bare Django view on the same gunicorn, pgbench on the same PostgreSQL, and the
fairer ceilings of ``bench/views.py``: the tracking page's one read, the courier update's writes),
and for latency at a fixed arrival rate (``bench/rate.py``).

Starts PostgreSQL, Redis, gunicorn (fixed workers) and Celery workers in a temporary directory,
seeds orders with COPY, measures, prints a table and writes bench/results.json. ``--smoke`` runs the
same code on tiny data for a few seconds so the benchmark cannot rot (``make test`` runs it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PGBIN = (
    Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])
    if Path("/usr/lib/postgresql").exists()
    else None
)
WEB_WORKERS = 2
WEB_THREADS = 4
CELERY_CONCURRENCY = 2
CLIENTS = 16
SLICES = 5  # alternating slices per side of each ratio (see side_by_side)
TRACKING_RATE = 100  # lookups a second for tracking_p99_at_rate_ms (bench/rate.py)
UPDATE_RATE = 30  # courier updates a second for update_p99_at_rate_ms
TARGETS = {
    "tracking_ratio": (">=", 0.75),
    "tracking_p99_ms": ("<", 50),
    "tracking_read_ratio": (">=", 0.75),
    "tracking_p99_at_rate_ms": ("<", 50),
    "update_ratio": (">=", 0.30),
    "update_writes_ratio": (">=", 0.50),
    "update_p99_at_rate_ms": ("<", 150),
    "pipeline_20k_s": ("<", 600),
    "dashboard_ms": ("<", 300),
    "courier_page_kb": ("<", 150),
    "courier_page_ms": ("<", 2000),
    "web_rss_mb": ("<", 150),
    "worker_rss_mb": ("<", 200),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


class Stack:
    """Every process the benchmark starts, so that exactly those are stopped."""

    def __init__(self, *, template_url: str = "") -> None:
        """``template_url``: a migrated database on a running PostgreSQL (the smoke run inside
        ``make test`` passes the suite's template). The stack's databases are then made on that
        server, its own a copy of the template, instead of starting a cluster and migrating one
        (about 20 s of the smoke run)."""
        self.tmp = Path(tempfile.mkdtemp(prefix="antar-bench."))
        self.tmp.chmod(0o755)
        self.procs: list[subprocess.Popen] = []
        self.pgdata = self.tmp / "pg"
        self.template = urllib.parse.urlsplit(template_url) if template_url else None
        self.pg_port = self.template.port if self.template and self.template.port else free_port()
        suffix = f"_{os.getpid()}" if self.template else ""
        self.db_name, self.pgbench_db = f"antar_bench{suffix}", f"pgbench{suffix}"
        self.redis_port = free_port()
        self.web_port = free_port()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.bench",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/{self.db_name}",
            "DATABASE_REPLICA_URL": "",  # the bench's PostgreSQL has no standby, whatever the caller's has
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CACHE_URL": "",  # the cache on the bench's own Redis too, whatever the caller's was
            "PORTAL_VAR_DIR": str(self.tmp / "var"),
            "PYTHONPATH": str(ROOT),
        }

    def as_postgres(self, command: str) -> None:
        subprocess.run(
            ["su", "postgres", "-s", "/bin/sh", "-c", command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start_databases(self) -> None:
        if self.template:
            database = self.template.path.lstrip("/")
            self.as_postgres(
                f"'{PGBIN}/createdb' -h 127.0.0.1 -p {self.pg_port} -U postgres -T {database} {self.db_name}"
            )
        else:
            self._start_cluster()
        self._start_redis()

    def _start_cluster(self) -> None:
        self.pgdata.mkdir()
        shutil.chown(self.pgdata, "postgres", "postgres")
        self.as_postgres(f"'{PGBIN}/initdb' -D '{self.pgdata}' -U postgres -A trust --no-sync -E UTF8")
        options = (
            f"-p {self.pg_port} -k '{self.pgdata}' -c listen_addresses=127.0.0.1 "
            "-c shared_buffers=512MB -c max_connections=100 -c work_mem=16MB"
        )
        self.as_postgres(
            f"'{PGBIN}/pg_ctl' -D '{self.pgdata}' -l '{self.pgdata}/server.log' -w -o \"{options}\" start"
        )
        self.as_postgres(f"'{PGBIN}/createdb' -h 127.0.0.1 -p {self.pg_port} -U postgres {self.db_name}")

    def _start_redis(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--pidfile",
                str(self.tmp / "redis.pid"),
                "--logfile",
                str(self.tmp / "redis.log"),
            ],
            check=True,
        )
        for _ in range(50):
            if (self.tmp / "redis.pid").exists():
                break
            time.sleep(0.1)

    def manage(self, *args: str) -> None:
        subprocess.run(
            [str(BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        out = open(self.tmp / f"{name}.log", "wb")
        proc = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append(proc)
        return proc

    def start_web(self) -> subprocess.Popen:
        proc = self.spawn(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                str(WEB_WORKERS),
                "--threads",
                str(WEB_THREADS),
                "--worker-class",
                "gthread",
                "--keep-alive",
                "5",
                "--log-level",
                "warning",
            ],
        )
        wait_http(f"{self.url}/bench/bare")
        return proc

    def start_worker(
        self, *, name: str = "celery", queues: str = "", concurrency: int = CELERY_CONCURRENCY
    ) -> subprocess.Popen:
        """A Celery worker pool for ``queues`` (comma-separated; every queue when empty)."""
        proc = self.spawn(
            name,
            [
                str(BIN / "celery"),
                "-A",
                "portal",
                "worker",
                *(["-Q", queues, "-n", f"{name}@%h"] if queues else []),
                "--concurrency",
                str(concurrency),
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--prefetch-multiplier",
                "8",
            ],
        )
        return proc

    def stop_process(self, proc: subprocess.Popen) -> None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        self.procs.remove(proc)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        pidfile = self.tmp / "redis.pid"
        if pidfile.exists():
            try:
                os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
            except (ProcessLookupError, ValueError):
                pass
        if (self.pgdata / "postmaster.pid").exists():
            self.as_postgres(f"'{PGBIN}/pg_ctl' -D '{self.pgdata}' -m fast -w stop")
        if self.template:  # the databases made on the caller's server
            for name in (self.db_name, self.pgbench_db):
                subprocess.run(
                    [f"{PGBIN}/dropdb", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres"]
                    + ["--if-exists", "--force", name],
                    capture_output=True,
                )
        shutil.rmtree(self.tmp, ignore_errors=True)


def wait_http(url: str, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def wrk(
    url: str,
    *,
    seconds: int,
    script: Path | None = None,
    warm_up: bool = True,
    script_args: tuple[str, ...] = (),
) -> dict:
    """One load run; a short run first so every web thread has imported, connected and compiled
    its templates before the measured one (a cold start is not what the figure is about)."""
    if warm_up:
        wrk(url, seconds=1, script=script, warm_up=False, script_args=script_args)
    args = ["wrk", "-t2", f"-c{CLIENTS}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        args += ["-s", str(script)]
    out = subprocess.run(
        [*args, url, *(["--", *script_args] if script_args else [])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", out)
    total, seconds_taken = int(m.group(1)), _ms(m.group(2) + m.group(3)) / 1000
    errors = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    return {
        "requests": total,
        "errors": errors,
        "seconds": seconds_taken,
        "rps": (total - errors) / seconds_taken if seconds_taken else 0.0,
        "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
    }


def combined(slices: list[dict]) -> dict:
    """Slices of one side of a comparison as one run: rates over the summed time and, where the
    tool reports percentiles (wrk, not pgbench), the median of the slices' p50 and the worst slice's
    p99 (a slice's p99 is not averaged away)."""
    requests = sum(s["requests"] for s in slices)
    errors = sum(s["errors"] for s in slices)
    seconds = sum(s["seconds"] for s in slices)
    run = {
        "requests": requests,
        "errors": errors,
        "seconds": round(seconds, 2),
        "rps": (requests - errors) / seconds if seconds else 0.0,
    }
    if all("p99_ms" in s for s in slices):
        p50s = sorted(s["p50_ms"] for s in slices)
        run.update(p50_ms=p50s[len(p50s) // 2], p99_ms=max(s["p99_ms"] for s in slices))
    run["slices"] = [
        {k: round(s[k], 1) for k in ("rps", "p99_ms", "latency_avg_ms") if s.get(k) is not None}
        for s in slices
    ]
    return run


def side_by_side(first, second, *, seconds: int, slices: int) -> tuple[dict, dict]:
    """Run the two measurements of a ratio in alternating slices (``first(i, seconds)``, then
    ``second(i, seconds)``, ``slices`` times), so that both see the same machine. On this VM the
    speed of the cores changes by a factor of two or three within a minute; two back-to-back
    15-second runs compared whichever moments they happened to get."""
    slice_seconds = max(seconds // slices, 1)
    ones, twos = [], []
    for i in range(slices):
        ones.append(first(i, slice_seconds))
        twos.append(second(i, slice_seconds))
    return combined(ones), combined(twos)


def tracking_paths(count: int) -> list[str]:
    """The pages a lookup's link opens (the lookup itself is a POST that answers with the link):
    5,000 orders spread over the ``count`` seeded."""
    sys.path.insert(0, str(ROOT))
    from bench.seed import code_of
    from delivery.tracking.services import tracking_link_make

    step = max(count // 5000, 1)
    return [f"/track/r/{tracking_link_make(code_of(i))}/" for i in range(0, count, step)]


def tracking_script(path: Path, count: int) -> Path:
    paths = [f'"{p}"' for p in tracking_paths(count)]
    path.write_text(
        "local paths = {" + ",".join(paths) + "}\n"
        "math.randomseed(os.time())\n"
        "request = function() return wrk.format('GET', paths[math.random(#paths)]) end\n"
    )
    return path


FRESH = 20_000  # orders whose tracking links no other part of the run opens, per lane


def fresh_codes(count: int, *, lane: int) -> list[str]:
    """Codes of ``FRESH`` orders none of ``tracking_paths`` (multiples of its step) nor of another
    lane: their pages are not in the page cache (5 minutes) when first opened, so every lookup on
    them is a miss, as a ceiling that reads the database must be compared with. (In the smoke
    run's 2,000 orders the lanes meet: its figures are not the point.)"""
    from bench.seed import code_of

    step = max(count // FRESH, 1)
    return [code_of(i) for i in range((lane * step) // 4 % step, count, step)]


def walk_script(path: Path, *, paths: list[str], per_thread: int, method: str = "GET") -> Path:
    """Each wrk thread walks its own ``per_thread`` of ``paths`` in turn, from the share of the
    slice given as the run's argument, so two slices never open the same path."""
    listed = ",".join(f'"{p}"' for p in paths)
    path.write_text(f"""
local paths = {{{listed}}}
local next_tid = 0
setup = function(thread) thread:set("tid", next_tid); next_tid = next_tid + 1 end
local counter = 0
local per_thread = {per_thread}
local slice = 0
init = function(args) slice = tonumber(args[1]) or 0 end
request = function()
  local i = (slice * 2 + tid) * per_thread + counter % per_thread
  counter = counter + 1
  return wrk.format("{method}", paths[(i % #paths) + 1])
end
""")
    return path


def update_script(path: Path, *, per_thread: int, cookie: str, csrf: str, first: int = 0) -> Path:
    """Courier updates through the courier API: each thread walks its own orders, so two requests
    never race on one order; every request carries a new Idempotency-Key. The run's argument (the
    slice's number, default 0) picks which ``per_thread`` orders of each thread's share it walks,
    so that the slices of one measurement never meet an order twice. ``first`` is the first order
    of the measurement's own (each measurement moves orders no other one does)."""
    path.write_text(f"""
local next_tid = 0
setup = function(thread) thread:set("tid", next_tid); next_tid = next_tid + 1 end
local counter = 0
local per_thread = {per_thread}
local slice = 0
init = function(args) slice = tonumber(args[1]) or 0 end
local steps = {{"fail", "dispatch", "fail"}}
local bodies = {{fail = '{{"reason":"not_at_home"}}', dispatch = '{{}}'}}
request = function()
  local k = counter % per_thread
  local step = steps[(math.floor(counter / per_thread) % #steps) + 1]
  counter = counter + 1
  local i = {first} + (slice * 2 + tid) * per_thread + k
  local headers = {{
    ["Content-Type"] = "application/json", ["Cookie"] = "{cookie}", ["X-CSRFToken"] = "{csrf}",
    ["Idempotency-Key"] = "bench-{first}-" .. slice .. "-" .. tid .. "-" .. counter,
  }}
  return wrk.format("POST", string.format("/api/v1/courier/orders/BN%08d/%s/", i, step), headers, bodies[step])
end
""")
    return path


def _pg_connection(stack: Stack) -> list[str]:
    return ["-h", "127.0.0.1", "-p", str(stack.pg_port), "-U", "postgres"]


def pgbench_init(stack: Stack, *, scale: int) -> None:
    """pgbench's tables, in a database of their own on the stack's server."""
    conn = _pg_connection(stack)
    subprocess.run([f"{PGBIN}/createdb", *conn, stack.pgbench_db], check=True)
    subprocess.run(
        [f"{PGBIN}/pgbench", *conn, "-i", "-q", "-s", str(scale), stack.pgbench_db],
        check=True,
        capture_output=True,
    )


def pgbench(stack: Stack, *, seconds: int) -> dict:
    """pgbench's built-in TPC-B-like script with the load's number of clients, as a slice."""
    load = ["-n", "-c", str(CLIENTS), "-j", "2", "-T", str(seconds)]
    out = subprocess.run(
        [f"{PGBIN}/pgbench", *_pg_connection(stack), *load, stack.pgbench_db],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    transactions = int(re.search(r"number of transactions actually processed: (\d+)", out).group(1))
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    latency = float(m.group(1)) if (m := re.search(r"latency average = ([\d.]+) ms", out)) else None
    return {
        "requests": transactions,
        "errors": 0,
        "seconds": transactions / tps if tps else seconds,
        "rps": tps,
        "latency_avg_ms": latency,
    }


def login_cookies(base: str, username: str, password: str) -> tuple[str, str]:
    import http.cookiejar
    import urllib.error
    import urllib.parse
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/login/").read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": csrf}
    ).encode()
    opener.open(
        urllib.request.Request(f"{base}/login/", data=data, headers={"Referer": f"{base}/login/"})
    ).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"login as {username} failed")
    # Staff give the second factor: the code of the demo accounts' TOTP secret.
    from demo.seed import demo_totp_code

    opener.open(f"{base}/login/two-step/").read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode({"code": demo_totp_code(), "csrfmiddlewaretoken": csrf}).encode()

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    # The redirect after the code is not followed: it leads to the user's home page, for the
    # benchmark's courier a run of every order out for delivery (40,000), which no courier has and
    # whose one rendering would set the web worker's peak memory (web_rss_mb).
    try:
        urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), Stay()).open(
            urllib.request.Request(
                f"{base}/login/two-step/", data=data, headers={"Referer": f"{base}/login/two-step/"}
            )
        ).read()
    except urllib.error.HTTPError as answer:
        if answer.code not in (302, 303):
            raise
    cookies = {c.name: c.value for c in jar}
    return f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}", cookies["csrftoken"]


def peak_rss_mb(root_pid: int) -> float:
    """Largest peak RSS (VmHWM) among the process and its children."""
    pids = [root_pid]
    children = Path(f"/proc/{root_pid}/task/{root_pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    peaks = []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue
        if m := re.search(r"VmHWM:\s+(\d+) kB", status):
            peaks.append(int(m.group(1)) / 1024)
    return max(peaks) if peaks else 0.0


def _second_factor_passed(client, user) -> None:
    """Staff pages need the second factor: the session is verified with the user's demo TOTP device,
    as django-otp's login does after a right code."""
    from django.http import HttpRequest
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        request = HttpRequest()
        request.user, request.session = user, client.session
        otp_login(request, device)
        request.session.save()


def _roll_up_as_beat() -> int:
    """What Celery beat's five-minute roll-up of the dashboard figures does over two runs after a
    bulk load or a burst: the first notes how far the events go, the second counts them."""
    from partners.rollups import figures_roll_up

    figures_roll_up()
    return figures_roll_up()


def _pending_events() -> int:
    """Events above the roll-up's mark: what the dashboard counts live."""
    from delivery.models import DeliveryEvent
    from partners.models import FigureRollupMark

    counted_to = FigureRollupMark.objects.filter(pk=1).values_list("counted_to", flat=True).first() or 0
    return DeliveryEvent.objects.filter(pk__gt=counted_to).count()


def in_process_pages(stack: Stack, only: tuple[str, ...] = ()) -> dict:
    """Render the busy office's pages (or ``only`` those) in this process, counting queries and time."""
    os.environ.update(
        {
            k: stack.env[k]
            for k in (
                "DJANGO_SETTINGS_MODULE",
                "DATABASE_URL",
                "DATABASE_REPLICA_URL",
                "CELERY_BROKER_URL",
                "CACHE_URL",
                "PORTAL_VAR_DIR",
            )
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from bench.pages import DASHBOARD_PAGES

    results = {}
    for key, username, path in DASHBOARD_PAGES:
        if only and key not in only:
            continue
        client = Client()
        user = User.objects.select_related("office").get(username=username)
        if user.office is not None:
            path = path.format(office=user.office.serves_id or user.office.pk)
        client.force_login(user)
        _second_factor_passed(client, user)
        client.get(path)  # warm caches and connections once
        timings = []
        for _ in range(3):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
        results[key] = {"ms": sorted(timings)[1], "queries": len(queries)}
    return results


def courier_page(stack: Stack) -> dict:
    """The courier run page, cold cache, on a slow 3G profile: bytes and time until loaded."""
    from playwright.sync_api import sync_playwright

    from bench.pages import COURIER_PAGE, SLOW_3G

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        # No service worker: the login now lands on the run page, whose worker would otherwise answer
        # the measured visit from its cache, out of sight of the page's network events (0 kB).
        context = browser.new_context(
            viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, service_workers="block"
        )
        page = context.new_page()
        page.goto(f"{stack.url}/login/")
        page.fill("#id_username", "kurir2")
        page.fill("#id_password", "antar-demo-2026")
        with page.expect_navigation():
            page.locator("form:has(#id_username) button[type=submit]").click()
        if "/login/two-step/" in page.url:  # couriers give the second factor too
            from demo.seed import demo_totp_code

            page.fill("#id_code", demo_totp_code())
            with page.expect_navigation():
                page.locator("form:has(#id_code) button[type=submit]").click()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **SLOW_3G})
        received = []
        cdp.on("Network.loadingFinished", lambda e: received.append(e["encodedDataLength"]))
        started = time.perf_counter()
        response = page.goto(f"{stack.url}{COURIER_PAGE}", wait_until="load")
        elapsed = (time.perf_counter() - started) * 1000
        # The figure is the courier's run, not a login or two-step page it might have been sent to.
        if (
            response is None
            or response.status != 200
            or not page.url.endswith(COURIER_PAGE)
            or page.locator('link[rel="manifest"]').count() != 1
        ):
            raise RuntimeError(f"the courier run page was not reached: {page.url}")
        page.wait_for_timeout(300)
        browser.close()
    return {"kb": sum(received) / 1024, "ms": elapsed}


PIPELINE_BATCH = 50  # dossiers per manifest: a busy office's day comes in a few such batches


def pipeline(stack: Stack, *, orders: int) -> dict:
    """``orders`` new orders driven to "delivered" by the Celery worker, a batch of dossiers per
    task as the counters work (``bench.tasks.drive_batch``). Timed until every order is delivered
    (the figure), then until every applicant's notification of every step has been sent."""
    from bench.seed import bulk_seed
    from delivery.choices import DeliveryStatus as S
    from delivery.choices import NotificationStatus
    from delivery.models import DeliveryEvent, DeliveryOrder, Notification
    from portal.celery import app

    seeded = bulk_seed(orders=orders, out_for_delivery=0, all_state=S.BOOKED, every_office=False)
    first = seeded["first_id"]
    ids = list(range(first, first + orders))
    events_before = DeliveryEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    app.control.purge()  # nothing queued before (demo mails) delays the pipeline's own tasks
    started = time.perf_counter()
    with app.producer_or_acquire() as producer:
        for start in range(0, orders, PIPELINE_BATCH):
            app.send_task(
                "bench.tasks.drive_batch", args=[ids[start : start + PIPELINE_BATCH]], producer=producer
            )
    while True:
        done = DeliveryOrder.objects.filter(pk__gte=first, pk__lt=first + orders, status=S.DELIVERED).count()
        if done == orders:
            break
        time.sleep(0.5)
    wall = time.perf_counter() - started
    # Six steps, two channels (email, SMS) each: every row sent, or skipped for want of an address.
    expected, give_up = orders * 6 * 2, time.perf_counter() + max(600.0, 3 * wall)
    notified = None
    while time.perf_counter() < give_up:
        if (
            Notification.objects.filter(
                event_id__gt=events_before, status__in=(NotificationStatus.SENT, NotificationStatus.SKIPPED)
            ).count()
            >= expected
        ):
            notified = time.perf_counter() - started
            break
        time.sleep(1)
    return {
        "wall_s": wall,
        "transitions_per_s": orders * 6 / wall,
        "batch": PIPELINE_BATCH,
        "all_notified_s": notified,
    }


def _give_kurir2_a_days_run(stops: int = 40) -> None:
    """The courier page is measured for a realistic day: 40 passports on the run of ``kurir2``.
    (``kurir`` carries the update benchmark's working set of tens of thousands of orders.)"""
    from delivery.choices import DeliveryStatus as S
    from delivery.models import Courier, DeliveryOrder

    courier = Courier.objects.get(user__username="kurir2")
    ids = list(
        DeliveryOrder.objects.filter(status=S.WITH_DELIVERY_SECTION, code__startswith="BN")
        .order_by("pk")
        .values_list("pk", flat=True)[:stops]
    )
    DeliveryOrder.objects.filter(pk__in=ids).update(courier=courier)


def significant(value: float, digits: int = 3) -> float:
    """A ratio to three significant figures (a small ratio stays readable instead of rounding to 0)."""
    return float(f"{value:.{digits}g}")


def check(name: str, value: float) -> str:
    op, target = TARGETS[name]
    ok = value >= target if op == ">=" else value < target
    return f"{'met' if ok else 'MISSED'} ({op} {target})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny data, short runs (for make test)")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--pipeline", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    if args.smoke:
        # Enough orders on the courier's run that a fast machine never comes round to an order
        # whose previous update is still in flight (each thread walks 125, a quarter's share, in
        # the smoke run, and each order takes three updates). One second per load run: the smoke
        # run checks that every part works, not its figures.
        args.orders, args.pipeline, args.seconds = 2000, 20, 1
    out_for_delivery = min(40_000, args.orders // 2)

    # Inside make test the suite's PostgreSQL holds a migrated template database: the smoke run
    # copies it rather than starting a cluster of its own and migrating.
    template = os.environ.get("TEST_DATABASE_TEMPLATE", "")
    suite_url = os.environ.get("DATABASE_URL", "")
    from_suite = args.smoke and template and suite_url.startswith("postgres")
    stack = Stack(template_url=f"{suite_url.rsplit('/', 1)[0]}/{template}" if from_suite else "")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally below stops the stack
    os.environ.update(
        {
            k: stack.env[k]
            for k in (
                "DJANGO_SETTINGS_MODULE",
                "DATABASE_URL",
                "DATABASE_REPLICA_URL",
                "CELERY_BROKER_URL",
                "CACHE_URL",
                "PORTAL_VAR_DIR",
            )
        }
    )
    results: dict = {}
    details: dict = {
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores",
        "orders": args.orders,
        "clients": CLIENTS,
        "web_workers": WEB_WORKERS,
        "web_threads": WEB_THREADS,
        "celery_concurrency": CELERY_CONCURRENCY,
        "seconds_per_load_run": args.seconds,
    }
    try:
        log("starting PostgreSQL and Redis")
        stack.start_databases()
        if not stack.template:
            stack.manage("migrate", "--noinput", "-v0")
        stack.manage("collectstatic", "--noinput", "-v0")
        log(f"seeding {args.orders:,} orders with their events (COPY)")
        import django

        sys.path.insert(0, str(ROOT))
        django.setup()
        from bench.seed import bulk_seed
        from demo.seed import seed_demo

        seed_demo()  # first, so its deadline sweep looks at the demo orders only
        started = time.perf_counter()
        details["seed"] = bulk_seed(orders=args.orders, out_for_delivery=out_for_delivery)
        details["seed_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        details["rolled_up_events"] = _roll_up_as_beat()
        details["roll_up_s"] = round(time.perf_counter() - started, 1)
        _give_kurir2_a_days_run()
        from django.db import connections

        connections.close_all()
        log("starting gunicorn and the Celery worker")
        web = stack.start_web()
        worker = stack.start_worker()

        slices = 1 if args.smoke else SLICES
        details["slices_per_comparison"] = slices
        log(f"1. tracking lookup against the bare view ({slices} alternating slices each)")
        script = tracking_script(stack.tmp / "tracking.lua", args.orders)
        if not args.smoke:  # warm-up runs, for the figures only
            wrk(f"{stack.url}/bench/bare", seconds=1, warm_up=False)
            wrk(f"{stack.url}/", seconds=1, script=script, warm_up=False)
        bare, tracking = side_by_side(
            lambda i, s: wrk(f"{stack.url}/bench/bare", seconds=s, warm_up=False),
            lambda i, s: wrk(f"{stack.url}/", seconds=s, script=script, warm_up=False),
            seconds=args.seconds,
            slices=slices,
        )
        details["bare"], details["tracking"] = bare, tracking
        results["tracking_ratio"] = significant(tracking["rps"] / bare["rps"])
        results["tracking_p99_ms"] = round(tracking["p99_ms"], 1)

        log(f"1b. tracking lookup against its one read in a bare view ({slices} alternating slices each)")
        from bench.rate import Request, at_rate
        from bench.seed import code_of
        from delivery.tracking.services import tracking_link_make

        # Links not opened before (their pages not cached), each slice and thread walking its own,
        # against the same orders' prepared read as JSON (bench.views.tracking_read).
        codes = fresh_codes(args.orders, lane=1)
        per_thread = max(len(codes) // (2 * slices), 1)
        links = walk_script(
            stack.tmp / "tracking_fresh.lua",
            paths=[f"/track/r/{tracking_link_make(code)}/" for code in codes],
            per_thread=per_thread,
        )
        reads = walk_script(
            stack.tmp / "read.lua", paths=[f"/bench/read/{code}" for code in codes], per_thread=per_thread
        )
        if not args.smoke:  # a warm-up of the read's view; the tracking page's is warm already
            wrk(f"{stack.url}/", seconds=1, script=reads, warm_up=False)
        read, fresh = side_by_side(
            lambda i, s: wrk(f"{stack.url}/", seconds=s, script=reads, warm_up=False, script_args=(str(i),)),
            lambda i, s: wrk(f"{stack.url}/", seconds=s, script=links, warm_up=False, script_args=(str(i),)),
            seconds=args.seconds,
            slices=slices,
        )
        details["tracking_read"], details["tracking_fresh"] = read, fresh
        results["tracking_read_ratio"] = significant(fresh["rps"] / read["rps"])

        log(f"1c. tracking lookups at {TRACKING_RATE} a second (open loop: bench/rate.py)")
        paths = [f"/track/r/{tracking_link_make(code)}/" for code in fresh_codes(args.orders, lane=2)]
        at = at_rate(
            stack.url,
            lambda n: Request("GET", paths[n % len(paths)]),
            rate=TRACKING_RATE,
            seconds=args.seconds,
        )
        details["tracking_at_rate"] = at
        results["tracking_p99_at_rate_ms"] = round(at["p99_ms"], 1)

        log("2. courier status updates against pgbench (alternating slices)")
        cookie, csrf = login_cookies(stack.url, "kurir", "antar-demo-2026")
        # The orders out with the courier in four quarters, one per measurement that moves them:
        # this one, the courier's side of 2b, the bare writes of 2b, the updates at a fixed rate.
        quarter = out_for_delivery // 4
        per_thread = max(quarter // (2 * slices), 1)
        script = update_script(stack.tmp / "update.lua", per_thread=per_thread, cookie=cookie, csrf=csrf)
        pgbench_init(stack, scale=1 if args.smoke else 10)
        updates, tpc_b = side_by_side(  # each slice walks its own orders, each order once
            lambda i, s: wrk(f"{stack.url}/", seconds=s, script=script, warm_up=False, script_args=(str(i),)),
            lambda i, s: pgbench(stack, seconds=s),
            seconds=args.seconds,
            slices=slices,
        )
        details["updates"], details["pgbench"] = updates, tpc_b
        details["pgbench_tps"] = round(tpc_b["rps"], 1)
        results["update_ratio"] = significant(updates["rps"] / tpc_b["rps"])

        log(f"2b. courier status updates against their writes in a bare view ({slices} alternating slices)")
        script = update_script(
            stack.tmp / "update_own.lua", per_thread=per_thread, cookie=cookie, csrf=csrf, first=quarter
        )
        writes_script = walk_script(
            stack.tmp / "writes.lua",
            paths=[f"/bench/write/{code_of(i)}" for i in range(2 * quarter, 3 * quarter)],
            per_thread=per_thread,
            method="POST",
        )
        if (
            not args.smoke
        ):  # the bare writes turn their orders back and forth: a warm-up moves nothing for good
            wrk(f"{stack.url}/", seconds=1, script=writes_script, warm_up=False)
        writes, updates_own = side_by_side(
            lambda i, s: wrk(
                f"{stack.url}/", seconds=s, script=writes_script, warm_up=False, script_args=(str(i),)
            ),
            lambda i, s: wrk(f"{stack.url}/", seconds=s, script=script, warm_up=False, script_args=(str(i),)),
            seconds=args.seconds,
            slices=slices,
        )
        details["update_writes"], details["updates_own"] = writes, updates_own
        results["update_writes_ratio"] = significant(updates_own["rps"] / writes["rps"])

        log(f"2c. courier status updates at {UPDATE_RATE} a second (open loop: bench/rate.py)")

        def courier_fail(n: int) -> Request:  # each order of the last quarter once: a failed attempt
            return Request(
                "POST",
                f"/api/v1/courier/orders/{code_of(3 * quarter + n % quarter)}/fail/",
                headers={
                    "Content-Type": "application/json",
                    "Cookie": cookie,
                    "X-CSRFToken": csrf,
                    "Idempotency-Key": f"bench-rate-{n}",
                },
                body=b'{"reason":"not_at_home"}',
            )

        at = at_rate(stack.url, courier_fail, rate=UPDATE_RATE, seconds=args.seconds)
        details["updates_at_rate"] = at
        results["update_p99_at_rate_ms"] = round(at["p99_ms"], 1)

        log(f"3. pipeline: {args.pipeline:,} orders through every step by the Celery worker")
        details["pipeline"] = pipeline(stack, orders=args.pipeline)
        results["pipeline_20k_s"] = round(details["pipeline"]["wall_s"] * 20_000 / args.pipeline, 1)
        details["pipeline_scaled_from"] = args.pipeline

        log("4. dashboard and the busy office's order list")
        connections.close_all()
        # The dashboard reads the monthly roll-up plus every event above its mark. The pipeline has
        # just added ~7 events per order with no Celery beat running the roll-up (production runs it
        # every five minutes), so the dashboard is measured both ways: with those events still
        # pending, then after the roll-up that beat would have run (the figure of the target).
        details["pages_before_roll_up"] = in_process_pages(stack, only=("dashboard",))
        details["pending_events_before_roll_up"] = _pending_events()
        _roll_up_as_beat()
        connections.close_all()
        pages = in_process_pages(stack)
        details["pages"] = pages
        results["dashboard_ms"] = round(pages["dashboard"]["ms"], 1)
        results["dashboard_queries"] = pages["dashboard"]["queries"]
        results["dashboard_office_ms"] = round(pages["dashboard_office"]["ms"], 1)

        log("5. courier run page on slow 3G")
        courier = courier_page(stack)
        results["courier_page_kb"] = round(courier["kb"], 1)
        results["courier_page_ms"] = round(courier["ms"], 0)

        log("6. peak memory")
        results["web_rss_mb"] = round(peak_rss_mb(web.pid), 1)
        results["worker_rss_mb"] = round(peak_rss_mb(worker.pid), 1)

        log("7. the same pipeline on two worker pools: the handoff queue, and the four others")
        # As production runs them (deploy/systemd/antar-paspor-worker@.service), with the same two
        # processes in all as the one worker above: the moves and their messages no longer share one.
        stack.stop_process(worker)
        stack.start_worker(name="celery-handoff", queues="handoff", concurrency=1)
        stack.start_worker(name="celery-others", queues="notify,webhooks,reports,deadlines", concurrency=1)
        details["pipeline_two_pools"] = pipeline(stack, orders=args.pipeline)
        results["pipeline_two_pools_20k_s"] = round(
            details["pipeline_two_pools"]["wall_s"] * 20_000 / args.pipeline, 1
        )
    finally:
        stack.stop()

    print()
    print(f"{'figure':<24} {'value':>12}  target")
    for name, value in results.items():
        target = check(name, value) if name in TARGETS else ""
        print(f"{name:<24} {value:>12}  {target}")
    args.out.write_text(json.dumps({**results, "details": details}, indent=2))
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
