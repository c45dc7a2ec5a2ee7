"""gunicorn's settings for `gunicorn wsgi:app` (read from the working directory).

A request announcing a body larger than anything the app accepts (MAX_CONTENT_LENGTH) is
answered 413 without its body being read (network.security): the response then says
`Connection: close` and the connection closes, instead of being announced as kept alive and
closed by gunicorn after a partial drain, which left the client's next request unanswered.
Bodies up to that size are read and dropped by the app, so their connection stays usable.
"""
from config import BaseConfig


def pre_request(worker, req):
    length = next((value for name, value in req.headers if name == "CONTENT-LENGTH"), None)
    if length is not None and length.isdigit() and int(length) > BaseConfig.MAX_CONTENT_LENGTH:
        req.must_close = True
