import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familiebro.settings")
application = get_wsgi_application()
# The modules, URL patterns and settings loaded by now live as long as the process. Frozen,
# the garbage collector no longer walks them in each full collection, which otherwise pauses
# a request for tens of milliseconds every few hundred requests.
get_resolver().url_patterns  # noqa: B018 (loads every view module now, not on the first request)
gc.freeze()
