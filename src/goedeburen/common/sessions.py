"""Django's database sessions, with a session cookie that is no key of ours taken as none.

Django makes session keys of lower-case letters and digits; it checks only the length of
the key a cookie brings before looking it up. A key with a NUL byte then reaches the
query, and PostgreSQL refuses NUL in text: every page that reads the session answered 500.
Such a cookie now means no session, as an unknown key does: the visitor is signed out.
"""

from django.contrib.sessions.backends import db


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key):
        return super()._validate_session_key(key) and key.isascii() and key.isalnum()
