"""Call the Flask app: which answers become Sentry events?"""

import os

import httpx

APP_URL = os.environ.get("APP_URL", "http://localhost:8000")

for path in ["/orders/1", "/orders/99", "/orders/2", "/payments"]:
    print(path, httpx.get(APP_URL + path, timeout=5).status_code)
    #> /orders/1 200
    #> /orders/99 404
    #> /orders/2 500
    #> /payments 503
