"""gunicorn settings for production.

    gunicorn -c python:goedeburen.gunicorn_config goedeburen.wsgi

Sync workers, each serving one request at a time, behind a reverse proxy (nginx, Caddy …)
that terminates TLS and keeps the browsers' connections alive. Measured with
`bench/pages.py` on 2 cores: sync workers share the load evenly, because every connection
goes to whichever worker is free; gthread workers with keep-alive serve about as many
requests per second, but a connection stays with the worker that accepted it, so clients of
a busy worker wait several times longer (p95 84 against 43 ms at 50 clients).

cores + 1 workers: a request costs CPU, hardly any waiting (the database is near, the proxy
buffers slow clients), so one worker per core keeps the cores busy and the one more covers
the moments a worker waits for the database or a lock. More workers only take turns on the
same cores, and every switch costs: `bench/registration_rush.py` on 2 cores (6 December
2026, one run each) gave 6,982 registrations a minute with 3 workers (p95 209 ms, 11.2 ms
of worker CPU a registration) against 5,658 with 5 (p95 260 ms; about 13 ms) and 6,662
with 2 (p95 192 ms); `bench/pages.py` served the cached home page at 2,173 requests a
second with 3 (p95 26 ms) against 1,314 with 5 (p95 43 ms, that morning). With one worker
more than cores, a long request (an export, a PDF) leaves the others free.

WEB_CONCURRENCY sets the number of workers, GUNICORN_BIND the address (default
127.0.0.1:8000: only the proxy on the same machine talks to gunicorn).

The access log (`--access-logfile`) and the error log mask the secrets of links (manage,
offer, participant, unsubscribe and survey links) in the request line, the path, the
referrer and a redirect's Location: `MaskingLogger`.
"""

import os

from gunicorn.glogging import Logger

from goedeburen.common.log_masking import MaskSecretsFilter, mask

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))
worker_class = "sync"


class MaskingLogger(Logger):
    """gunicorn's logger with every URL in its lines masked (`common.log_masking`)."""

    def setup(self, cfg):
        super().setup(cfg)
        for handler in [*self.error_log.handlers, *self.access_log.handlers]:
            handler.addFilter(MaskSecretsFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: mask(v) if isinstance(v, str) else v for k, v in atoms.items()}


logger_class = MaskingLogger
