"""Tests never leave this machine: a guard that refuses every connection and name lookup
beyond the loopback interface, whether or not the machine has a network.

No Django here: the speech tests use it too.
"""

import errno
import ipaddress
import socket

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def is_local(host) -> bool:
    """True for a loopback address or name (and for no host at all, as ``bind`` passes)."""
    if host is None or host in ("", b""):
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%")[0].lower()
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class NetworkGuard:
    """While started, a connection to another machine fails as an unreachable network
    (``OSError(ENETUNREACH)``), a lookup of another machine's name as an unknown name
    (``socket.gaierror``), and each attempt is kept in :attr:`attempts` so the test that made
    it can be failed even if the code under test swallowed the error.

    It patches ``socket.getaddrinfo`` (which ``socket.create_connection``, asyncio and
    aiohttp resolve names with) and ``socket.socket.connect``/``connect_ex``. Guards nest.
    """

    def __init__(self):
        self.attempts: list[str] = []
        self._saved = None

    def start(self) -> "NetworkGuard":
        saved = self._saved = (
            socket.getaddrinfo,
            socket.socket.connect,
            socket.socket.connect_ex,
        )
        real_getaddrinfo, real_connect, real_connect_ex = saved
        guard = self

        def getaddrinfo(host, *args, **kwargs):
            guard._check_name(host)
            return real_getaddrinfo(host, *args, **kwargs)

        def connect(sock, address):
            guard._check_address(sock, address)
            return real_connect(sock, address)

        def connect_ex(sock, address):
            guard._check_address(sock, address)
            return real_connect_ex(sock, address)

        socket.getaddrinfo = getaddrinfo
        socket.socket.connect = connect
        socket.socket.connect_ex = connect_ex
        return self

    def stop(self) -> None:
        if self._saved is not None:
            socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex = self._saved
            self._saved = None

    def __enter__(self) -> "NetworkGuard":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _check_name(self, host) -> None:
        if not is_local(host):
            self.attempts.append(f"name lookup of {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, f"tests do not look up {host!r}")

    def _check_address(self, sock: socket.socket, address) -> None:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return  # a Unix socket, say: it stays on this machine
        host = address[0] if isinstance(address, tuple) else address
        if not is_local(host):
            self.attempts.append(f"connection to {address!r}")
            raise OSError(errno.ENETUNREACH, f"tests do not leave 127.0.0.1 (to {address!r})")
