"""As an admin: a vhost and an app user limited by permission regexes."""

import os

import httpx

API_URL = os.environ.get("RABBITMQ_API_URL", "http://guest:guest@localhost:15672")
PASSWORD = os.environ.get("ORDERS_APP_PASSWORD", "change-me")

api = httpx.Client(base_url=API_URL, timeout=10)  # an administrator's login

api.put("/api/vhosts/orders").raise_for_status()
# No tags: the user cannot log in to the management UI or API.
api.put(
    "/api/users/orders-app", json={"password": PASSWORD, "tags": ""}
).raise_for_status()
# Three regexes over resource names, per vhost:
#   configure: declare/delete (nothing: "^$"), write: publish to,
#   read: consume from (and bind to).
api.put(
    "/api/permissions/orders/orders-app",
    json={"configure": "^$", "write": "^orders$", "read": "^orders\\.work$"},
).raise_for_status()

# The topology is the admin's job, since the app may not declare anything.
api.put(
    "/api/exchanges/orders/orders", json={"type": "direct", "durable": True}
).raise_for_status()
api.put(
    "/api/queues/orders/orders.work", json={"durable": True}
).raise_for_status()
api.post(
    "/api/bindings/orders/e/orders/q/orders.work", json={"routing_key": "new"}
).raise_for_status()

[granted] = api.get("/api/users/orders-app/permissions").json()
for key in ("vhost", "configure", "write", "read"):
    print(f"{key:>9}: {granted[key]}")
    #>     vhost: orders
    #> configure: ^$
    #>     write: ^orders$
    #>      read: ^orders\.work$
api.close()
