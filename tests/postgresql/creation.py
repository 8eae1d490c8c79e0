"""Test databases cloned from one migrated template, instead of migrated each.

Migrating an empty database takes 20 to 45 s of CPU on a 2-core machine, and each
pytest-xdist worker made its own, both at once. Now the first worker migrates a template,
`test_<name>_tpl_<hash>`, and every worker's database is a copy of it (`CREATE DATABASE …
TEMPLATE`, about a second). The hash covers the code and the pinned packages (migrations
import our code, and third-party apps bring migrations of their own), so a change makes a
new template and a run after it on the same server finds the one it needs. A template is
built under another name and renamed when complete: a run stopped in the middle leaves no
half-migrated template behind. `--reuse-db` keeps Django's own way.
"""

import contextlib
import hashlib
import re
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.db.backends.postgresql import creation

ROOT = Path(__file__).resolve().parents[2]
# What a migrated database depends on (beside the server's version).
SOURCES = ("src/goedeburen/**/*.py", "requirements/constraints.txt")
XDIST_SUFFIX = re.compile(r"_gw\d+$")


def _code_hash() -> str:
    digest = hashlib.sha256()
    for pattern in SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


class DatabaseCreation(creation.DatabaseCreation):
    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        test = self.connection.settings_dict["TEST"]
        if keepdb or test.get("MIGRATE") is False:
            return super().create_test_db(verbosity, autoclobber, serialize, keepdb)
        name = self._get_test_db_name()
        # Without pytest-xdist's suffix: the workers of one run share a template.
        template = f"{XDIST_SUFFIX.sub('', name)}_tpl_{_code_hash()}"
        with self._nodb_cursor() as cursor:
            # One worker builds the template while the other waits for it.
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [template])
            try:
                if not self._database_exists(cursor, template):
                    self._build_template(cursor, template, verbosity)
                if verbosity >= 1:
                    self.log(f"Copying test database {template} to {name}...")
                cursor.execute(f"DROP DATABASE IF EXISTS {self._quote_name(name)}")
                cursor.execute(
                    f"CREATE DATABASE {self._quote_name(name)} "
                    f"TEMPLATE {self._quote_name(template)}"
                )
            finally:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [template])
        self.connection.close()
        settings.DATABASES[self.connection.alias]["NAME"] = name
        self.connection.settings_dict["NAME"] = name
        if serialize:
            self.connection._test_serialized_contents = self.serialize_db_to_string()
        self.connection.ensure_connection()
        return name

    def _build_template(self, cursor, template: str, verbosity: int) -> None:
        """Migrate a new database and name it `template`; drop the templates of other code."""
        test = self.connection.settings_dict["TEST"]
        building = f"{template}_building"
        wanted, test["NAME"] = test.get("NAME"), building
        try:
            super().create_test_db(verbosity, autoclobber=True, serialize=False)
        finally:
            test["NAME"] = wanted
        self.connection.close()  # no session may be connected to a database renamed or copied
        cursor.execute(
            f"ALTER DATABASE {self._quote_name(building)} RENAME TO {self._quote_name(template)}"
        )
        stem = template.rsplit("_", 1)[0] + "_"
        cursor.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s) AND datname <> %s",
            [stem, template],
        )
        for (old,) in cursor.fetchall():
            # In use (another run's build in progress, say): left for a later run to drop.
            cursor.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = %s)", [old]
            )
            if cursor.fetchone()[0]:
                with contextlib.suppress(DatabaseError):  # connected to since: the same
                    cursor.execute(f"DROP DATABASE IF EXISTS {self._quote_name(old)}")
