"""gunicorn configuration for infogov (`gunicorn -c deploy/gunicorn.conf.py infogov.wsgi`).

Sync workers, a few per core: each handles one request at a time and keeps one persistent
PostgreSQL connection (CONN_MAX_AGE), so connections = workers × (1 + replicas used) per host —
size PostgreSQL's max_connections for all app hosts together (threads would open one per thread).
Every value can be overridden from the environment (deploy/infogov.env).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))  # below nginx's proxy_read_timeout (75 s)
graceful_timeout = 30
keepalive = 5  # nginx keeps upstream connections open (keepalive in the upstream block)
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))  # recycle workers, bounds slow leaks
max_requests_jitter = 500
limit_request_line = 8190
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")  # the nginx host(s)
preload_app = False  # each worker opens its own database connections after the fork
control_socket_disable = True  # gunicorn ≥ 25.1 otherwise creates a control socket in ~/.gunicorn/
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")  # "-": stdout → journald
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = "infogov"
