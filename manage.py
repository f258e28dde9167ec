#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
    # Without a secret configured this is a development checkout: development
    # settings. A deployment sets SECRET_KEY (or SECRET_KEY_FILE), and DEBUG
    # then stays off unless asked for.
    if not (os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE")):
        os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
