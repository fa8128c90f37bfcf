"""The connections MentorBot keeps open to Slack: every Web API call and every
response_url post goes out on them (bot/slack_client.py), so a call pays Slack's TCP
and TLS handshake once per connection instead of once per call.

slack_sdk's sync clients send each request with urllib, which opens a new connection
and closes it after the answer. `send` sends the same `urllib.request.Request` on a
urllib3 pool instead (HTTP/1.1 keep-alive; urllib3's pools are safe to share between
threads) and answers the way urllib does, so slack_sdk's own retry handlers and errors
work on top of it unchanged: a non-2xx status raises `HTTPError` (a 429 is waited out
by `RateLimitErrorRetryHandler`), a connection that could not be made or that dropped
raises what urllib raises (`URLError`, `RemoteDisconnected`, `ConnectionResetError`:
`ConnectionErrorRetryHandler` retries it once), a read that timed out `TimeoutError`.
A kept connection that Slack closed while idle is noticed before it is used (urllib3
checks) and replaced by a new one."""

from __future__ import annotations

import io
import threading
from http.client import HTTPMessage
from ssl import SSLContext
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, proxy_bypass

import urllib3
from slack_sdk.errors import SlackRequestError

#: Connections kept open per Slack host (the Web API, response_urls): as many as
#: threads may call at once (MENTORBOT_WORK_THREADS, 32 on PostgreSQL, the answer
#: threads, the delivery worker, a sweep). A moment with more callers than this opens
#: more connections, which are closed after their call: no caller ever waits for one.
KEPT_PER_HOST = 64

_pools: dict[tuple[str | None, SSLContext | None], urllib3.PoolManager] = {}
_pools_lock = threading.Lock()


def send(
    req: Request, *, timeout: float, ssl: SSLContext | None, proxy: str | None
) -> tuple[int, HTTPMessage, bytes]:
    """Send a request slack_sdk built on a kept connection: (status, headers, body) of
    a 2xx answer; any other answer or failure raised as urllib raises it."""
    url = req.full_url
    if not url.lower().startswith("http"):  # as slack_sdk: never file:// or ftp://
        raise SlackRequestError(f"Invalid URL detected: {url}")
    if proxy is not None and proxy_bypass(urlsplit(url).hostname or ""):
        proxy = None  # NO_PROXY names this host (urllib's ProxyHandler does the same)
    headers = {name: str(value) for name, value in req.header_items()}
    try:
        response = _pool(proxy, ssl).urlopen(
            req.get_method(),
            url,
            body=req.data,  # type: ignore[arg-type]  # bytes, as slack_sdk builds it
            headers=headers,
            timeout=timeout,
            # slack_sdk's retry handlers decide what is retried, as with urllib.
            retries=False,
            redirect=False,
        )
    except urllib3.exceptions.ReadTimeoutError as error:
        raise TimeoutError(str(error)) from error
    except urllib3.exceptions.ProtocolError as error:
        # The connection dropped with the request sent: http.client's own exception.
        dropped = error.args[-1]
        raise (dropped if isinstance(dropped, Exception) else URLError(error)) from error
    except urllib3.exceptions.HTTPError as error:  # no connection: refused, DNS, TLS, proxy
        raise URLError(error) from error
    message = HTTPMessage()
    for name, value in response.headers.items():
        message[name] = value
    if not 200 <= response.status < 300:
        raise HTTPError(
            url, response.status, response.reason or "", message, io.BytesIO(response.data)
        )
    return response.status, message, response.data


def _pool(proxy: str | None, ssl: SSLContext | None) -> urllib3.PoolManager:
    """The process's connections for this proxy and TLS context (one of each, mostly)."""
    key = (proxy, ssl)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            options = {"num_pools": 8, "maxsize": KEPT_PER_HOST, "ssl_context": ssl}
            if proxy is None:
                pool = urllib3.PoolManager(**options)
            else:
                # slack_sdk, like urllib, takes a proxy given as host:port
                url = proxy if "://" in proxy else f"http://{proxy}"
                pool = urllib3.ProxyManager(url, **options)
            _pools[key] = pool
        return pool
