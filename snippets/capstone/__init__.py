"""Capstone: a signup service that uses Redis, RabbitMQ, Celery and Sentry.

Modules:
    config      settings from environment variables
    db          the user store (SQLite, standard library)
    cache       cache-aside reads of users in Redis
    ratelimit   a fixed-window rate limiter in Redis
    monitoring  Sentry with the FastAPI and Celery integrations
    tasks       the Celery app (broker: RabbitMQ) and its email task
    main        the FastAPI app

Run from the folder that holds this package (snippets/ in the repo):

    uvicorn capstone.main:app --port 8080
    celery -A capstone.tasks worker --pool threads --loglevel INFO
"""
