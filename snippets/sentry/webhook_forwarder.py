"""Receive Sentry's signed alert webhooks; forward them to Slack, Discord,
WhatsApp (Twilio) and email. Each target is on when its variables are set.

Serve it from this folder:  uvicorn webhook_forwarder:app --port 8001
"""

import hashlib
import hmac
import json
import os
import smtplib
from collections import OrderedDict
from email.message import EmailMessage

import httpx
from fastapi import FastAPI, HTTPException, Request
from starlette.concurrency import run_in_threadpool

# the integration's Client Secret, from Sentry's developer settings
CLIENT_SECRET = os.environ.get("SENTRY_CLIENT_SECRET", "")
SLACK_WEBHOOK_URL = os.environ.get("SLACK_WEBHOOK_URL")
DISCORD_WEBHOOK_URL = os.environ.get("DISCORD_WEBHOOK_URL")
TWILIO_API = os.environ.get("TWILIO_API_BASE", "https://api.twilio.com")
TWILIO_SID = os.environ.get("TWILIO_ACCOUNT_SID")
TWILIO_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
WHATSAPP_FROM = os.environ.get("WHATSAPP_FROM")  # "whatsapp:+14155238886"
WHATSAPP_TO = os.environ.get("WHATSAPP_TO")
SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
ALERT_EMAIL_TO = os.environ.get("ALERT_EMAIL_TO")

app = FastAPI()
# digests of the signed bodies already forwarded: a replayed copy pages no one
# (one process; with several replicas keep them in Redis: SET key NX EX 86400)
FORWARDED: OrderedDict[str, None] = OrderedDict()


def signed_by_sentry(body: bytes, signature: str) -> bool:
    expected = hmac.new(CLIENT_SECRET.encode(), body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), signature)


def send_email(subject: str, text: str) -> None:
    message = EmailMessage()
    message["From"], message["To"] = "alerts@example.com", ALERT_EMAIL_TO
    message["Subject"] = subject
    message.set_content(text)
    with smtplib.SMTP(SMTP_HOST, SMTP_PORT, timeout=10) as smtp:
        smtp.send_message(message)


@app.post("/sentry")
async def sentry_webhook(request: Request) -> dict:
    body = await request.body()  # the raw bytes, exactly as signed
    signature = request.headers.get("sentry-hook-signature", "")
    if not CLIENT_SECRET or not signed_by_sentry(body, signature):
        raise HTTPException(status_code=401, detail="bad signature")
    if request.headers.get("sentry-hook-resource") != "event_alert":
        return {"forwarded": []}  # installation, issue, comment, ...
    # dedupe on what the signature covers: the body. Request-ID and
    # Sentry-Hook-Timestamp are headers a replayer can change freely
    digest = hashlib.sha256(body).hexdigest()
    if digest in FORWARDED:
        return {"forwarded": [], "duplicate": True}

    event = json.loads(body)["data"]["event"]
    title = f"[{event.get('level', 'error')}] {event['title']}"
    text = f"{title}\n{event['web_url']}"
    forwarded = []
    async with httpx.AsyncClient(timeout=10) as client:
        if SLACK_WEBHOOK_URL:
            reply = await client.post(SLACK_WEBHOOK_URL, json={"text": text})
            reply.raise_for_status()
            forwarded.append("slack")
        if DISCORD_WEBHOOK_URL:
            reply = await client.post(
                DISCORD_WEBHOOK_URL, json={"content": text}
            )
            reply.raise_for_status()
            forwarded.append("discord")
        if TWILIO_SID and WHATSAPP_TO:
            reply = await client.post(
                f"{TWILIO_API}/2010-04-01/Accounts/{TWILIO_SID}/Messages.json",
                auth=(TWILIO_SID, TWILIO_TOKEN),
                data={"From": WHATSAPP_FROM, "To": WHATSAPP_TO, "Body": text},
            )
            reply.raise_for_status()
            forwarded.append("whatsapp")
    if ALERT_EMAIL_TO:
        await run_in_threadpool(send_email, title, text)
        forwarded.append("email")
    FORWARDED[digest] = None  # once sent: a failed try may come again
    if len(FORWARDED) > 10_000:
        FORWARDED.popitem(last=False)
    return {"forwarded": forwarded}
