"""gunicorn settings for production.

    gunicorn -c python:goedeburen.gunicorn_config goedeburen.wsgi

Sync workers, each serving one request at a time, behind a reverse proxy (nginx, Caddy …)
that terminates TLS and keeps the browsers' connections alive. Measured with
`bench/pages.py` on 2 cores: sync workers share the load evenly, because every connection
goes to whichever worker is free; gthread workers with keep-alive serve about as many
requests per second, but a connection stays with the worker that accepted it, so clients of
a busy worker wait several times longer (p95 84 against 43 ms at 50 clients). A cached page
costs CPU, not waiting, so 3 to 6 workers serve the same on 2 cores; 2 × cores + 1 leaves a
worker free while others wait on the database or on a slow client.

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
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
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
