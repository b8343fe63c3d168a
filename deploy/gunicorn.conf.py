"""gunicorn for antar-paspor behind nginx (deploy/nginx/antar-paspor.conf). Start:
``gunicorn -c deploy/gunicorn.conf.py portal.wsgi`` (the systemd unit does)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # only nginx talks to it
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = 60  # PDFs (WeasyPrint) take a few seconds; nothing should take a minute
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then
max_requests_jitter = 200
limit_request_line = 8190
forwarded_allow_ips = "127.0.0.1"  # trust X-Forwarded-Proto only from the local nginx
accesslog = "-"
errorlog = "-"
# Access lines carry the path only, without the query string (tracking lookups carry a birth date).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
