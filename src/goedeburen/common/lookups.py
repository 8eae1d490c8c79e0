"""`__in` on an integer column leaves out numbers the column cannot hold.

Django's own exact and range lookups on integer fields do so (`IntegerFieldOverflow`), its
`__in` does not: SQLite then refuses to bind the number at all (OverflowError), so a form
with a multiple choice (`ModelMultipleChoiceField` checks the ids sent with `pk__in`) given
a 30-digit id answered 500 instead of "not one of the available choices". PostgreSQL
compares such a number as numeric and finds nothing, which is what leaving it out gives too.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [value for value in self.rhs if _holds(value, low, high)]
        return super().process_rhs(compiler, connection)


def _holds(value, low, high) -> bool:
    if not isinstance(value, int):  # None, or an expression: In's own handling
        return True
    return (low is None or value >= low) and (high is None or value <= high)
