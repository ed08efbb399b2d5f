"""A server answering 429 Too Many Requests: the SDK stops sending."""

import http.server
import threading

import sentry_sdk

requests_seen = []


class TooManyRequests(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        requests_seen.append(self.path)
        self.send_response(429)
        self.send_header("Retry-After", "60")  # seconds
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass  # quiet


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), TooManyRequests)
threading.Thread(target=server.serve_forever, daemon=True).start()
port = server.server_address[1]
sentry_sdk.init(dsn=f"http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@127.0.0.1:{port}/1")

ids = []
for n in range(5):
    ids.append(sentry_sdk.capture_message(f"event {n}"))
    sentry_sdk.flush(timeout=2)  # one at a time: each could be sent
print("capture returned an id for all 5:", all(ids))
#> capture returned an id for all 5: True
print("HTTP requests the server got:", len(requests_seen))
#> HTTP requests the server got: 1

server.shutdown()
