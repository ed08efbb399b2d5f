"""A transport that notes every envelope item, then sends it as usual."""

from typing import ClassVar

from sentry_sdk.transport import HttpTransport


class RecordingTransport(HttpTransport):
    items: ClassVar[list[tuple[str, dict]]] = []  # (type, payload), in order

    def capture_envelope(self, envelope):
        for item in envelope.items:
            payload = item.get_transaction_event() or item.get_event()
            self.items.append((item.type, payload))
        super().capture_envelope(envelope)  # the normal HTTP send
