"""One JSON object per log line, for log collectors, and never a query string in it."""

import json
import logging
import re

from .request_context import current_request_id

# An address's query string: from "?" after a path up to the next space or quote. Query
# strings may carry anything a form or a link put there, personal data included.
_QUERY_STRING = re.compile(r"""(/[^\s?#"']*)\?[^\s"']+""")


def without_query_strings(text: str) -> str:
    """`text` with the query string cut off every address (path or URL) in it."""
    return _QUERY_STRING.sub(r"\1", text)


class WithoutQueryStrings(logging.Filter):
    """Cut the query string off every address a log record's message holds.

    Django's development server logs each 4xx and 5xx answer with its request line, and other
    libraries may name a URL; the handler that writes the log applies this filter, so no line
    it writes carries a query string, whichever logger it came from.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = without_query_strings(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id:
            line["request_id"] = request_id
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = without_query_strings(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)
