"""PostgreSQL for the tests: a transactional test's tables are emptied by DELETE, not TRUNCATE.

After every transactional test Django empties all of the project's 100-odd tables. TRUNCATE
gives each table and index a new file and syncs it to disk: 2–6 s a flush where an fsync
takes 2 ms (`pg_test_fsync` on the CI machine), against 0.3 s for DELETE of the few rows a
test leaves. Django makes its foreign keys DEFERRABLE INITIALLY DEFERRED, so the DELETEs,
run in one transaction by `execute_sql_flush`, may come in any order: the keys are checked
at commit, when every table is empty. A flush that must reset sequences or cascade into
tables it does not empty (`available_apps`) keeps Django's TRUNCATE.
"""

from django.db.backends.postgresql import base, operations

from .creation import DatabaseCreation


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    creation_class = DatabaseCreation
