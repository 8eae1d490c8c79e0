from tests.payments.conftest import billing_defaults, event, ticket  # noqa: F401 (fixtures)
from tests.privacy.conftest import free_ticket  # noqa: F401 (fixture)
