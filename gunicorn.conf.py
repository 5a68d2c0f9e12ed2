"""Gunicorn settings for Newsroom; `gunicorn newsroom.wsgi` reads this file.

PORT (default 8000) and BIND_HOST (default 127.0.0.1) choose the address;
WEB_CONCURRENCY the number of worker processes (default: 2 per core + 1).
Access and error logs go to standard output.
"""

import multiprocessing
import os

bind = f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Load the application once in the master so workers fork with it already imported.
preload_app = True
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
