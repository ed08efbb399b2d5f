"""Redis Sentinel: ask the sentinels where the primary is; follow failovers."""

import os

from redis.sentinel import Sentinel

# the three sentinels of servers/sentinel.txt, as host:port
REDIS_SENTINELS = os.environ.get(
    "REDIS_SENTINELS", "localhost:26379,localhost:26380,localhost:26381"
)
SERVICE = "guide"  # the name in `--sentinel monitor guide ...`


def connect(sentinels=REDIS_SENTINELS):
    """The sentinel client, and clients for the primary and a replica."""
    pairs = (item.rsplit(":", 1) for item in sentinels.split(","))
    addresses = [(host, int(port)) for host, port in pairs]
    sentinel = Sentinel(addresses, socket_timeout=0.5)
    # each new connection asks the sentinels for the current address
    primary = sentinel.master_for(
        SERVICE, socket_timeout=0.5, decode_responses=True
    )
    replica = sentinel.slave_for(
        SERVICE, socket_timeout=0.5, decode_responses=True
    )
    return sentinel, primary, replica


if __name__ == "__main__":
    sentinel, primary, replica = connect()
    state = sentinel.sentinels[0].sentinel_master(SERVICE)
    sentinels = state["num-other-sentinels"] + 1
    print("quorum", state["quorum"], "of", sentinels, "sentinels")
    #> quorum 2 of 3 sentinels
    print(len(sentinel.discover_slaves(SERVICE)), "replica(s)")
    #> 1 replica(s)
    roles = [c.info("replication")["role"] for c in (primary, replica)]
    print(*roles)  # INFO says master/slave
    #> master slave

    primary.set("feature:dark-mode", "on")
    print(primary.wait(1, 1000), replica.get("feature:dark-mode"))
    #> 1 on

    # no retry object: a failover reaches your code as ConnectionError
    print(primary.get_retry())
    #> None
    primary.delete("feature:dark-mode")
