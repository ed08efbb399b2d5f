"""Connect over TLS (amqps): verify the broker's certificate and name."""

import os
import ssl

import pika

AMQPS_URL = os.environ.get("AMQPS_URL", "amqps://guest:guest@localhost:5671/%2F")
CA_FILE = os.environ.get("RABBITMQ_CA_FILE", "ca_certificate.pem")


def tls_params(context):
    params = pika.URLParameters(AMQPS_URL)
    params.ssl_options = pika.SSLOptions(context, server_hostname=params.host)
    return params


# Trust exactly our CA; check the certificate and the host name in it.
context = ssl.create_default_context(cafile=CA_FILE)
print("verify:", context.verify_mode.name, context.check_hostname)
#> verify: CERT_REQUIRED True
with pika.BlockingConnection(tls_params(context)) as connection:
    channel = connection.channel()
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.confirm_delivery()
    channel.basic_publish("", queue, b"sent over TLS")
    print(channel.basic_get(queue, auto_ack=True)[2])
    #> b'sent over TLS'

# The system's CAs do not know our private CA: the handshake fails.
try:
    pika.BlockingConnection(tls_params(ssl.create_default_context()))
except ssl.SSLCertVerificationError as exc:
    print("system CAs only:", exc.verify_message)
    #> system CAs only: self-signed certificate in certificate chain
