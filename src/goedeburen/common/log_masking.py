"""Keep the secrets of links out of every log: Django's request log ("Not Found: /…"), the
development server, our own messages and gunicorn's access and error logs.

A secret sits in a fixed place of a URL: the last part of a manage or offer link
(`…/manage/<code>/<token>/`), the one part after `participant/`, `attendee/`,
`unsubscribe/` or `survey/`. `mask` replaces it with `***` wherever such a URL appears in a
text, and the filter applies that to every record a handler writes (see `LOGGING` in settings and
`gunicorn_config.py`). The registration code stays: it is no secret, and it tells the
operator which registration a line is about.
"""

import logging
import re

MASK = "***"

_PATTERNS = (
    # …/register/manage/<code>/<token>… and …/register/offer/<code>/<token>…
    re.compile(r"(/(?:manage|offer)/[A-Za-z0-9_-]+/)[^/\s?#\"'<>]+"),
    # …/participant/<token>/…, …/attendee/<token>/…, …/mail/unsubscribe/<token>/,
    # …/survey/<token>/
    re.compile(r"(/(?:participant|attendee|unsubscribe|survey)/)[^/\s?#\"'<>]+"),
)


def mask(text: str) -> str:
    """Return `text` with the secret part of every link in it replaced by `***`."""
    for pattern in _PATTERNS:
        text = pattern.sub(rf"\g<1>{MASK}", text)
    return text


class MaskSecretsFilter(logging.Filter):
    """A logging filter that masks link secrets in a record's message (never drops one).

    The message is formatted here, with its arguments, and stored masked: the arguments
    (a request path, a URL) are where the secrets are. A traceback's text is masked too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        masked = mask(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True
