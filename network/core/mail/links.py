"""Absolute links for e-mails written by jobs, which have no request to take the address from
(`PUBLIC_URL`); in a request, the request's own address."""
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def public_url(endpoint, **values):
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)
