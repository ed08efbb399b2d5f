"""Live services for the tests, one module each.

- redis_server: a private `redis-server` (free port, temp dir) - safe to flush, kill and reconfigure.
- rabbitmq: a throwaway vhost on the local broker - the broker's own data is never touched.
- bugsink: a local Sentry-compatible server in its own venv; read back what it stored.
- celery_worker: a real `celery worker` subprocess for a snippet module.
- errors / procs: fail-fast messages (which service, which URL, how to start it) and process cleanup.
"""
