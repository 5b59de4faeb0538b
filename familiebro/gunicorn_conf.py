"""gunicorn's settings for Familiebro's web process.

    gunicorn familiebro.wsgi -c python:familiebro.gunicorn_conf --workers 4 --bind 127.0.0.1:8000

The access log names the path alone (`%(U)s`), never the request line with its query string
(`%(r)s`), the referring page (`%(f)s`, another address with its own query string) or the
client's address: query strings may carry personal data, and the JSON request log the
application writes, with the same request id, says the rest.
"""

# Both logs to standard error, next to the application's JSON lines.
accesslog = "-"
errorlog = "-"
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'
