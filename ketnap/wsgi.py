import os
import sys

from django.core.wsgi import get_wsgi_application

if not os.getenv("SECRET_KEY") and os.getenv("DEBUG", "").strip().lower() not in {"1", "true", "yes", "on"}:
    from ketnap.settings_messages import MISSING_SECRET_KEY

    sys.stderr.write(MISSING_SECRET_KEY + "\n")
    raise SystemExit(2)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnap.settings")
application = get_wsgi_application()
