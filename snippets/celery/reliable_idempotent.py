"""The same task message delivered twice has its effect once."""

from reliable_tasks import ship_order, store

store.delete("order:7:attempts", "order:7:shipped", "shipments")

print(ship_order.delay(7).get(timeout=10))
#> order 7 shipped
# A redelivery (or a double click) sends the same order again:
print(ship_order.delay(7).get(timeout=10))
#> order 7 was already shipped

print("attempts:", store.get("order:7:attempts"))
#> attempts: 2
print("shipments:", store.lrange("shipments", 0, -1))
#> shipments: ['7']
