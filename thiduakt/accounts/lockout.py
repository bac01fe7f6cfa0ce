"""Login lockout: failed logins counted in the cache per username and per client address.

After LOGIN_MAX_FAILURES failures for one username (LOGIN_MAX_FAILURES_PER_ADDRESS from one address, higher
because a whole office may share one public address) within LOGIN_LOCKOUT_MINUTES, that username (or address) is locked
for LOGIN_LOCKOUT_MINUTES, even for the right password. Unknown usernames are counted like known ones, so the
lockout tells an attacker nothing about which accounts exist.

A lock stores the moment it ends and is compared with `timezone.now()`: the cache expiry only cleans up.
"""

import datetime
import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record

LOCKED_OUT = "account.locked_out"


def client_ip(request) -> str:
    """REMOTE_ADDR; behind the reverse proxy (BEHIND_PROXY) every request comes from the proxy, so take the
    address the proxy appended last to X-Forwarded-For: the only entry a client cannot forge."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


def _scopes(username: str, ip: str) -> list[tuple[str, str]]:
    scopes = []
    if username:
        # Usernames are hashed so that any text makes a valid cache key; case-folded so that
        # "Admin" and "admin" share one counter.
        scopes.append(("username", hashlib.sha256(username.strip().casefold().encode()).hexdigest()))
    if ip:
        scopes.append(("ip", ip))
    return scopes


def _failures_key(scope: str, ident: str) -> str:
    return f"login:failures:{scope}:{ident}"


def _lock_key(scope: str, ident: str) -> str:
    return f"login:lock:{scope}:{ident}"


def _window_seconds() -> int:
    return settings.LOGIN_LOCKOUT_MINUTES * 60


def locked_until(*, username: str, ip: str) -> datetime.datetime | None:
    """When the lock on this username or this address ends, or None if neither is locked."""
    keys = [_lock_key(scope, ident) for scope, ident in _scopes(username, ip)]
    now = timezone.now().timestamp()
    ends = [value for value in cache.get_many(keys).values() if value > now]
    return datetime.datetime.fromtimestamp(max(ends), tz=datetime.UTC) if ends else None


def _count_failure(key: str) -> int:
    cache.add(key, 0, timeout=_window_seconds())
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=_window_seconds())
        return 1


def record_failure(*, username: str, ip: str) -> datetime.datetime | None:
    """Count one failed login; returns when the lock ends if this failure started one."""
    until = None
    for scope, ident in _scopes(username, ip):
        limit = settings.LOGIN_MAX_FAILURES if scope == "username" else settings.LOGIN_MAX_FAILURES_PER_ADDRESS
        if _count_failure(_failures_key(scope, ident)) < limit:
            continue
        until = timezone.now() + datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        cache.set(_lock_key(scope, ident), until.timestamp(), timeout=_window_seconds())
        # The lock replaces the count: once it ends, the next attempts start from zero.
        cache.delete(_failures_key(scope, ident))
        _audit_lockout(scope=scope, username=username, ip=ip, until=until)
    return until


def clear_username(username: str) -> None:
    """A successful login (or a password reset by email) proves the owner: forget that username's failures.
    The address counter stays, so an attacker cannot reset it by logging into an account of their own."""
    for scope, ident in _scopes(username, ""):
        cache.delete_many([_failures_key(scope, ident), _lock_key(scope, ident)])


def _audit_lockout(*, scope: str, username: str, ip: str, until: datetime.datetime) -> None:
    user_model = get_user_model()
    user = user_model._default_manager.filter(**{f"{user_model.USERNAME_FIELD}__iexact": username}).first()
    with transaction.atomic():
        audit_record(
            actor=None,
            verb=LOCKED_OUT,
            obj=user if scope == "username" else None,
            data={"scope": scope, "username": username[:150], "ip": ip, "until": until},
        )
