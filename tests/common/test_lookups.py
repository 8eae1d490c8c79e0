"""`__in` on an integer column with numbers no such column holds (`common.lookups`)."""

import pytest
from django import forms
from django.db import connection

from goedeburen.registration.models import Quota
from tests.factories import OpenEventFactory, QuotaFactory

pytestmark = pytest.mark.django_db

# More digits than any integer column holds (64 bits hold 19).
HUGE = 10**30


def test_in_leaves_out_a_number_the_column_cannot_hold():
    quota = QuotaFactory(event=OpenEventFactory(), size=10)
    found = Quota.objects.filter(pk__in=[HUGE, quota.pk, -HUGE])

    sql, params = found.query.get_compiler(connection=connection).as_sql()
    assert HUGE not in params and -HUGE not in params
    assert list(found) == [quota]
    assert list(Quota.objects.filter(pk__in=[HUGE])) == []
    assert list(Quota.objects.filter(size__in=[HUGE, 10])) == [quota]


def test_a_multiple_choice_with_such_an_id_is_refused_with_the_form_s_message():
    quota = QuotaFactory(event=OpenEventFactory(), size=10)

    class Choice(forms.Form):
        quotas = forms.ModelMultipleChoiceField(queryset=Quota.objects.all())

    form = Choice(data={"quotas": [str(quota.pk), str(HUGE)]})
    assert not form.is_valid()
    assert form.has_error("quotas", "invalid_choice")
    assert str(HUGE) in form.errors["quotas"][0]
