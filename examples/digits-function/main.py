"""A tiny digits classifier served as a Cloud Function (2nd gen, HTTP trigger).

The model file is read once per instance from MODEL_URI (gs://...) with the
function's own service account; requests reuse it.
"""

import os

import functions_framework

_model = None


def _load():
    global _model
    if _model is None:
        import pickle

        from google.cloud import storage

        bucket, _, name = os.environ["MODEL_URI"].removeprefix("gs://").partition("/")
        _model = pickle.loads(storage.Client().bucket(bucket).blob(name).download_as_bytes())
    return _model


@functions_framework.http
def predict(request):
    payload = request.get_json(silent=True) or {}
    pixels = payload.get("pixels")
    if not isinstance(pixels, list) or len(pixels) != 64:
        return {"error": "send {\"pixels\": [64 numbers]}"}, 400
    return {"digit": int(_load().predict([pixels])[0])}
