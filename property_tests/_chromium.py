"""Headless Chromium driven over the DevTools protocol on a pipe (no websocket, no extra package).

``chromium --remote-debugging-pipe`` reads protocol commands from file descriptor 3
and writes replies and events to descriptor 4, each a JSON message ended by a NUL
byte. :class:`Browser` opens one page with the network cut off:

* every request the page makes is intercepted (``Fetch``): ``file:``, ``data:`` and
  ``blob:`` go through, anything else is failed and recorded in ``blocked``;
* the page is emulated offline and the browser is given a dead loopback proxy and a
  host resolver that resolves nothing, so nothing could leave even past interception;
* ``requests`` records every URL the page asked for (``Network.requestWillBeSent``).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserError(RuntimeError):
    pass


class Browser:
    def __init__(self, binary: str, profile_dir: Path, width: int = 1280, height: int = 900, timeout: float = 30.0):
        self.timeout = timeout
        self.width, self.height = width, height
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()
        # move the child's ends above 9 so bash's 3<& / 4>& cannot clobber them (dash takes one-digit fds only)
        child_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
        child_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
            "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile_dir}",
            "--remote-debugging-pipe", "about:blank",
        ]
        self.log = open(profile_dir.parent / "chromium.log", "wb")  # noqa: SIM115 (closed in close())
        self.proc = subprocess.Popen(
            ["bash", "-c", f'exec "$0" "$@" 3<&{child_r} 4>&{child_w} {child_r}<&- {child_w}>&-', binary, *flags],
            pass_fds=(child_r, child_w), stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        os.close(child_r)
        os.close(child_w)
        self.write_fd, self.read_fd = to_chrome_w, from_chrome_r
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.session: str | None = None
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.call(f"{domain}.enable")
        self.call("Fetch.enable", {"patterns": [{"urlPattern": "*"}]})
        self.call("Network.emulateNetworkConditions",
                  {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        self.resize(width, height)

    # ------------------------------------------------------------ protocol
    def _send(self, message: dict[str, Any]) -> None:
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self.read_fd], [], [], left)
            if ready:
                chunk = os.read(self.read_fd, 1 << 20)
                if not chunk:
                    raise BrowserError(f"Chromium closed the pipe (exit {self.proc.poll()})")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def _handle_event(self, event: dict[str, Any]) -> None:
        method, params = event.get("method"), event.get("params", {})
        if method == "Fetch.requestPaused":
            url = params["request"]["url"]
            if url.startswith(LOCAL_SCHEMES):
                self._send({"id": self._id(), "method": "Fetch.continueRequest", "sessionId": self.session,
                            "params": {"requestId": params["requestId"]}})
            else:
                self.blocked.append(url)
                self._send({"id": self._id(), "method": "Fetch.failRequest", "sessionId": self.session,
                            "params": {"requestId": params["requestId"], "errorReason": "InternetDisconnected"}})
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        self.events.append(event)

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def call(self, method: str, params: dict[str, Any] | None = None, session: bool = True) -> dict[str, Any]:
        message: dict[str, Any] = {"id": self._id(), "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        self._send(message)
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == message["id"]:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._handle_event(reply)

    def wait_for(self, method: str, since: int) -> None:
        deadline = time.monotonic() + self.timeout
        while not any(e.get("method") == method for e in self.events[since:]):
            reply = self._receive(deadline)
            if "method" in reply:
                self._handle_event(reply)

    # ------------------------------------------------------------ page
    def resize(self, width: int, height: int) -> None:
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def open(self, url: str) -> None:
        since = len(self.events)
        self.call("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired", since)

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"script failed: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def screenshot(self, path: Path, max_height: int = 4000) -> Path:
        """The whole page (up to ``max_height`` CSS pixels tall) as a PNG."""
        height = int(self.evaluate("document.documentElement.scrollHeight"))
        self.resize(self.width, min(max(height, self.height), max_height))
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        self.resize(self.width, self.height)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self.call("Browser.close", session=False)
        except (BrowserError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self.write_fd, self.read_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()
