"""A tiny sentiment classifier for AWS Lambda: bag of words + logistic regression.

The weights are the model (hard-coded, a few dozen words), so the package is one
file with no dependencies. The handler accepts a function URL request (JSON body
`{"text": "..."}`) or a direct invocation with the same object, and returns JSON.

Secrets: tfgen gives the function NAME_SECRET_ARN for each container.secrets
entry; `secret()` reads the value from Secrets Manager on first use (never at
import, never logged) and keeps it for the life of the execution environment.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re

BIAS = -0.15
WEIGHTS = {
    "amazing": 2.4, "awesome": 2.2, "best": 1.9, "brilliant": 2.1, "enjoyed": 1.7, "excellent": 2.5,
    "fantastic": 2.3, "fast": 0.8, "fine": 0.4, "good": 1.4, "great": 1.9, "happy": 1.6, "helpful": 1.3,
    "like": 0.9, "love": 2.2, "loved": 2.2, "nice": 1.2, "perfect": 2.4, "recommend": 1.5, "reliable": 1.2,
    "smooth": 1.0, "thanks": 0.9, "wonderful": 2.3, "works": 0.9,
    "awful": -2.5, "bad": -1.8, "boring": -1.4, "broken": -1.9, "disappointed": -2.0, "disappointing": -2.0,
    "hate": -2.3, "horrible": -2.5, "slow": -1.1, "terrible": -2.5, "useless": -2.1, "waste": -2.0,
    "worse": -1.8, "worst": -2.6, "wrong": -1.3, "refund": -1.5, "crash": -1.7, "crashes": -1.7,
}
NEGATIONS = {"not", "no", "never", "don't", "doesn't", "isn't", "wasn't", "can't", "won't"}
TOKEN = re.compile(r"[a-z']+")
MAX_TEXT = 10_000
SECRET_ARN_SUFFIX = "_SECRET_ARN"

_secrets: dict[str, str] = {}


def secret(name: str) -> str:
    """The value of the secret behind env var `name` (via NAME_SECRET_ARN), fetched once."""
    if name not in _secrets:
        import boto3  # in the Lambda runtime; imported only when a secret is actually needed

        arn = os.environ[name + SECRET_ARN_SUFFIX]
        _secrets[name] = boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    return _secrets[name]


def score(text: str) -> float:
    """Probability that `text` is positive. A negation flips the next sentiment word."""
    total, negate = BIAS, False
    for token in TOKEN.findall(text.lower()):
        if token in NEGATIONS:
            negate = True
            continue
        weight = WEIGHTS.get(token)
        if weight is not None:
            total += -weight if negate else weight
            negate = False
    return 1.0 / (1.0 + math.exp(-total))


def _request_text(event: dict) -> str:
    if "body" in event or "requestContext" in event:  # function URL (HTTP) event
        body = event.get("body") or ""
        if event.get("isBase64Encoded"):
            body = base64.b64decode(body).decode("utf-8")
        payload = json.loads(body) if body else {}
    else:  # direct invocation
        payload = event
    text = payload.get("text") if isinstance(payload, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise ValueError('send a JSON object with a non-empty "text" string')
    if len(text) > MAX_TEXT:
        raise ValueError(f"text is longer than {MAX_TEXT} characters")
    return text


def _response(status: int, body: dict) -> dict:
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}


def handler(event, context):
    try:
        text = _request_text(event if isinstance(event, dict) else {})
    except (ValueError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _response(400, {"error": str(exc)})
    if os.environ.get("FEATURE_STORE_KEY" + SECRET_ARN_SUFFIX):
        # The key would authenticate feature look-ups; this tiny model only proves it can read it.
        secret("FEATURE_STORE_KEY")
    probability = score(text)
    return _response(200, {"label": "positive" if probability >= 0.5 else "negative",
                           "score": round(probability, 4)})
