"""What survives the trip through JSON, and what fails before sending."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from kombu.exceptions import EncodeError
from serialization_tasks import describe

values = [
    (1, 2),  # tuple
    {1: "one"},  # int keys
    datetime(2026, 1, 9, 12, 0, tzinfo=UTC),
    Decimal("9.99"),
    UUID("5b7c4a4e-0000-4000-8000-000000000000"),
    b"raw bytes",
]
for value in values:
    print(describe.delay(value).get(timeout=10))
    #> list [1, 2]
    #> dict {'1': 'one'}
    #> datetime 2026-01-09 12:00:00+00:00
    #> Decimal 9.99
    #> UUID 5b7c4a4e-0000-4000-8000-000000000000
    #> bytes b'raw bytes'



class User:  # an object JSON cannot encode
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id


try:
    describe.delay(User(42))  # fails in the caller: nothing is sent
except EncodeError as exc:
    print(f"{type(exc).__name__}: {exc}")
    #> EncodeError: Object of type User is not JSON serializable
print(describe.delay(User(42).user_id).get(timeout=10))  # send the id
#> int 42
