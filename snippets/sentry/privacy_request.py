"""A failing login with secrets in headers, cookies, query string and body."""

import os

import httpx

APP_URL = os.environ.get("APP_URL", "http://localhost:8000")

response = httpx.post(
    f"{APP_URL}/login?next=/account&token=qs-secret",
    json={"username": "ada", "password": "hunter2"},
    headers={
        "Authorization": "Bearer tok_live_123",
        "Cookie": "sessionid=s3ss10n; theme=dark",
        "X-Forwarded-For": "203.0.113.7",
    },
    timeout=5,
)
print(response.status_code)
#> 500
