"""A tiny HTTP server on 127.0.0.1 that misbehaves on purpose, for faults a well-behaved
server (werkzeug) will not produce: a connection reset, a body cut short of its
Content-Length, a server that accepts and never answers, a body that stalls halfway, a
body that trickles in a byte at a time."""

from __future__ import annotations

import socket
import struct
import threading
import time


class FaultServer:
    """Answers the n-th request with the n-th script (the last one repeats). A script is
    'reset', 'silent', ('short', body), ('stall', body), ('trickle', body) or ('ok', body)."""

    def __init__(self, *scripts, stall_seconds: float = 2.0, trickle_seconds: float = 0.05):
        self.scripts = list(scripts)
        self.stall_seconds = stall_seconds
        self.trickle_seconds = trickle_seconds  # between two bytes of a 'trickle'
        self.requests: list[bytes] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._offset = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def then(self, *scripts) -> None:
        """Answer the requests from now on with these scripts instead."""
        with self._lock:
            self.scripts, self._offset = list(scripts), len(self.requests)

    def url(self, path: str = "/f.xlsx") -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}{path}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            with self._lock:  # the n-th connection gets the n-th script, whatever order threads run in
                self.requests.append(b"")
                number, script = len(self.requests), self.scripts[min(len(self.requests) - self._offset, len(self.scripts)) - 1]
            threading.Thread(target=self._handle, args=(conn, number, script), daemon=True).start()

    def _handle(self, conn: socket.socket, number: int, script) -> None:
        with conn:
            self.requests[number - 1] = conn.recv(65536)
            self._answer(conn, script)

    def _answer(self, conn: socket.socket, script) -> None:
        kind, body = (script, b"") if isinstance(script, str) else script
        if kind == "reset":  # SO_LINGER 0: close() sends RST instead of FIN
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if kind == "silent":
            self._stop.wait(2)
            return
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        if kind == "ok":
            conn.sendall(head + body)
        elif kind == "short":
            conn.sendall(head + body[: len(body) // 2])
        elif kind == "stall":
            conn.sendall(head + body[: len(body) // 2])
            self._stop.wait(self.stall_seconds)
        elif kind == "trickle":  # every byte on time, so no read timeout ever fires
            conn.sendall(head)
            for byte in body:
                if self._stop.wait(self.trickle_seconds):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:  # the client gave up
                    return
        time.sleep(0.05)
