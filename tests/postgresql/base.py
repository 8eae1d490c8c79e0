"""PostgreSQL for the tests: a transactional test's tables are emptied by DELETE, not TRUNCATE.

After every transactional test Django empties all of the project's 100-odd tables. TRUNCATE
gives each table and index a new file and syncs it to disk: 2–6 s a flush where an fsync
takes 2 ms (`pg_test_fsync` on the CI machine), against 0.3 s for DELETE of the few rows a
test leaves. Django makes its foreign keys DEFERRABLE INITIALLY DEFERRED, so the DELETEs,
run in one transaction by `execute_sql_flush`, may come in any order: the keys are checked
at commit, when every table is empty. A flush that must reset sequences or cascade into
tables it does not empty (`available_apps`) keeps Django's TRUNCATE.

Two more savings of the same flush:
- The content types and permissions of the installed apps stay: migrate made them, and
  emptied they were made again after every flush (the post_migrate signal: 0.2 s of its
  0.3 s). Those of any other app label (a test's own) are deleted.
- A superuser (the tests' `postgres`) empties the tables without the foreign keys'
  triggers (`session_replication_role = replica`): every table is emptied at once, so
  there is nothing to check, and checking each deleted row took 6 to 8 s after a test
  that sold 30,000 seats.
"""

from django.apps import apps
from django.db.backends.postgresql import base, operations

from .creation import DatabaseCreation

KEPT = {"django_content_type", "auth_permission"}


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        delete = style.SQL_KEYWORD("DELETE FROM")
        statements = []
        if self.connection.is_superuser():
            statements.append("SET LOCAL session_replication_role = replica;")
        statements += [
            f"{delete} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
            if table not in KEPT
        ]
        if set(tables) >= KEPT:
            labels = ", ".join(f"'{config.label}'" for config in apps.get_app_configs())
            # App labels are Python identifiers: nothing to quote in them.
            other_apps = f"SELECT id FROM django_content_type WHERE app_label NOT IN ({labels})"  # noqa: S608
            statements += [
                f"{delete} auth_permission WHERE content_type_id IN ({other_apps});",
                f"{delete} django_content_type WHERE id IN ({other_apps});",
            ]
        return statements


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    creation_class = DatabaseCreation
    _superuser = None

    def is_superuser(self) -> bool:
        if self._superuser is None:
            with self.cursor() as cursor:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                self._superuser = bool(cursor.fetchone()[0])
        return self._superuser
