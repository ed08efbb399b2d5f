"""Every helper the tests use, one module per service or idea; no pytest here (bench/ imports these too).

- paths: where things are. procs: child processes, ports, their env, and `eventually` (the one poller).
- errors: fail-fast messages (which service, which URL, how to start it).
- snippets: the snippet files, their `#>` lines, and running one (or a claim's program) as a reader would.
- transcripts: console transcripts a page shows, run as the test's script (documented ports -> free ports).
- redis_server / redis_servers: a private redis-server; the special ones the Redis pages show how to start.
- rabbitmq / rabbitmq_node: vhosts, the management API, queue counts, certificates; a private RabbitMQ node.
- celery_cli / celery_worker: the `celery` command as pages show it and as tests run it; workers, broker spaces.
- bugsink: a local Sentry-compatible server, and the parts of a stored event checks read.
- asgi_app, smtp, http_receiver, browser: uvicorn apps, an SMTP inbox, a webhook stand-in, headless Chromium.
- results, sitebuild: the result tables pages include; building the site and reading what it built.
"""
