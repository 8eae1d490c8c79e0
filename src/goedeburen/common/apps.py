from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# psycopg parses a statement's placeholders once and keeps the result, but only for
# statements under 4,096 bytes and 50 parameters: the hot paths' combined statements
# (an invoice with its lines, log entry and task rows in one INSERT round trip; two
# compiled reads sent together) are longer, and parsing them again cost 0.3–0.5 ms each.
# Our statements are a fixed set, so keeping the longer ones too costs little memory.
STATEMENT_CACHE_LENGTH = 32_768
STATEMENT_CACHE_PARAMS = 500


class CommonConfig(AppConfig):
    name = "goedeburen.common"
    verbose_name = _("Common")

    def ready(self):
        from goedeburen.common import lookups  # noqa: F401  (registers IntegerIn)

        try:
            from psycopg import _queries
        except ImportError:  # SQLite only
            return
        _queries.MAX_CACHED_STATEMENT_LENGTH = max(
            _queries.MAX_CACHED_STATEMENT_LENGTH, STATEMENT_CACHE_LENGTH
        )
        _queries.MAX_CACHED_STATEMENT_PARAMS = max(
            _queries.MAX_CACHED_STATEMENT_PARAMS, STATEMENT_CACHE_PARAMS
        )
