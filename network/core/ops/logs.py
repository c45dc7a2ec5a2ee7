"""The log format: `LOG_FORMAT=json` (production's default) writes every log line as one JSON
object; `text` (development's) a readable line. The request and job lines carry their fields
in `extra={"fields": {...}}`: ids, endpoint names, status and durations, never personal data
(no e-mail, no name, no query string), so they can be shipped and kept like metrics."""
import json
import logging
import sys
from datetime import UTC, datetime

FIELDS = "fields"
_HANDLER_FLAG = "_rede_mentores_handler"


class JsonFormatter(logging.Formatter):
    def format(self, record):
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, FIELDS, None) or {})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, separators=(",", ":"))


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record):
        text = super().format(record)
        fields = getattr(record, FIELDS, None)
        if fields:
            text += " " + " ".join(f"{key}={value}" for key, value in fields.items() if value is not None)
        return text


FORMATTERS = {"json": JsonFormatter, "text": TextFormatter}


def configure(app):
    """One handler on the root logger (stderr), in the configured format: the app's lines
    and the libraries' alike. Calling it again (another app in the same process) only
    changes the format."""
    log_format = app.config["LOG_FORMAT"]
    if log_format not in FORMATTERS:
        raise RuntimeError(f"LOG_FORMAT must be one of {', '.join(FORMATTERS)}, not {log_format!r}.")
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, _HANDLER_FLAG, False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        setattr(handler, _HANDLER_FLAG, True)
        root.addHandler(handler)
    handler.setFormatter(FORMATTERS[log_format]())
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
