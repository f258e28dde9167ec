"""Read settings from the environment, failing loudly on a bad value.

A secret may also come from a file: ``SECRET_KEY_FILE=/run/secrets/key``
wins over ``SECRET_KEY``, which keeps secrets out of process listings.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name}: {exc}") from exc
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {value!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from exc


def served_base_url(host: str, port: int) -> str:
    """The address a browser on this machine uses to reach a server listening
    on ``host``:``port`` (``make run``'s HOST and PORT): a wildcard address
    (0.0.0.0, ::) is reached on the loopback, an IPv6 address in brackets."""
    if not 0 < port < 65536:
        raise ImproperlyConfigured(f"The port must be between 1 and 65535, not {port}.")
    host = host.strip() or "127.0.0.1"
    if host == "0.0.0.0":  # noqa: S104 - read, not bound
        host = "127.0.0.1"
    elif host in ("::", "[::]"):
        host = "[::1]"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"
