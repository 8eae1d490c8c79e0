"""Authenticator apps' keys sealed, recovery codes kept as keyed digests (no secret in clear)."""

from binascii import unhexlify

from django.db import migrations

from goedeburen.common import crypto

SEALED = "sealed:"  # AppDevice.SEALED
APP_PURPOSE = "accounts.app-device"  # AppDevice.PURPOSE
RECOVERY_PURPOSE = "accounts.recovery-code"  # accounts.services


def seal_keys_and_codes(apps, schema_editor):
    devices = apps.get_model("otp_totp", "TOTPDevice")
    for device in devices.objects.exclude(key__startswith=SEALED).only("pk", "key"):
        sealed = crypto.seal_bytes(unhexlify(device.key.encode()), purpose=APP_PURPOSE)
        devices.objects.filter(pk=device.pk).update(key=SEALED + sealed)
    tokens = apps.get_model("otp_static", "StaticToken")
    for token in tokens.objects.only("pk", "token"):
        digest = crypto.digests(token.token, purpose=RECOVERY_PURPOSE)[0]
        tokens.objects.filter(pk=token.pk).update(token=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_export_presets_and_jobs"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.CreateModel(
            name="AppDevice",
            fields=[],
            options={"proxy": True, "indexes": [], "constraints": []},
            bases=("otp_totp.totpdevice",),
        ),
        # Not reversible: the codes' digests cannot be turned back into the codes.
        migrations.RunPython(seal_keys_and_codes, migrations.RunPython.noop),
    ]
