"""Open a report in headless Chromium, offline, and check what a reader would see.

Drives Debian's `chromium` through the DevTools protocol over a pipe (`--remote-debugging-pipe`:
JSON messages on file descriptors 3 and 4), so it needs no driver download, no websocket
client and no open port. `check_page` loads the file with the network emulated offline and
every host unresolvable, then reports console errors, requests that left the file, each
chart's drawn size and data marks, and takes a PNG screenshot (and optionally prints to PDF).

    python -m crm_mining.report.browser report.html --screenshot report.png [--height 2400]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-pipe",
]

#: Per chart: its key, drawn size and the number of data marks (children of Vega's mark
#: groups: bars, points, lines, cells, labels) with a non-empty box.
CHARTS_JS = """
[...document.querySelectorAll('figure.chart')].map(figure => {
  const svg = figure.querySelector('svg');
  if (!svg) return {key: figure.dataset.chart, width: 0, height: 0, marks: 0};
  const box = svg.getBoundingClientRect();
  const marks = [...svg.querySelectorAll('.role-mark > *')].filter(mark => {
    const b = mark.getBBox(); return b.width > 0 || b.height > 0;
  }).length;
  return {key: figure.dataset.chart, width: box.width, height: box.height, marks: marks};
})
"""


def find_chromium() -> str | None:
    """The Chromium binary: $CRM_CHROMIUM, else chromium / chromium-browser on PATH."""
    configured = os.environ.get("CRM_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageCheck:
    """What Chromium saw when it opened the report."""

    charts: list[dict[str, Any]]
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    screenshot: Path | None = None
    pdf_pages: int | None = None
    page_height: int = 0


class _DevTools:
    """A minimal DevTools protocol client over Chromium's debugging pipe."""

    def __init__(self, binary: str, profile: Path, timeout: float) -> None:
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()
        self._timeout = timeout

        def use_pipe_fds() -> None:  # in the child: fd 3 reads commands, fd 4 writes replies
            high_read, high_write = os.dup(commands_read), os.dup(replies_write)
            os.dup2(high_read, 3)
            os.dup2(high_write, 4)

        self.process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            # preexec_fn: the pipe must be on fds 3 and 4 exactly, whatever fds the parent has.
            preexec_fn=use_pipe_fds,
        )
        os.close(commands_read)
        os.close(replies_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self._replies], [], [], remaining)
            if ready:
                chunk = os.read(self._replies, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """Send a command and wait for its result (events that arrive meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self._timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"DevTools {method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        """Wait for an event (or take it if it already arrived)."""
        deadline = time.monotonic() + self._timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read_message(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._commands)
        os.close(self._replies)


def _errors(events: list[dict[str, Any]]) -> list[str]:
    errors = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
            errors.append(
                " ".join(str(a.get("value", a.get("description"))) for a in params.get("args", []))
            )
        elif method == "Runtime.exceptionThrown":
            errors.append(str(params.get("exceptionDetails", {}).get("text")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            errors.append(str(params["entry"].get("text")))
    return errors


def _external(events: list[dict[str, Any]]) -> list[str]:
    urls = [
        event["params"]["request"]["url"]
        for event in events
        if event.get("method") == "Network.requestWillBeSent"
    ]
    return [url for url in urls if not url.startswith(("file:", "data:", "about:"))]


def check_page(
    html_file: Path | str,
    screenshot: Path | str | None = None,
    *,
    width: int = 1200,
    screenshot_height: int | None = None,
    pdf: bool = False,
    timeout: float = 60.0,
) -> PageCheck:
    """Open `html_file` offline in headless Chromium; see the module docstring.

    screenshot_height: crop the screenshot to the top of the page (None: the whole page).
    Raises FileNotFoundError when no Chromium is installed.
    """
    binary = find_chromium()
    if binary is None:
        raise FileNotFoundError("no Chromium: install Debian's `chromium` or set CRM_CHROMIUM")
    url = Path(html_file).resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="crm-chromium-") as profile:
        browser = _DevTools(binary, Path(profile), timeout)
        try:
            target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
                "sessionId"
            ]
            for method in ["Page.enable", "Runtime.enable", "Log.enable", "Network.enable"]:
                browser.send(method, session=session)
            browser.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": True,
                    "latency": 0,
                    "downloadThroughput": -1,
                    "uploadThroughput": -1,
                },
                session=session,
            )
            browser.send(
                "Emulation.setDeviceMetricsOverride",
                {
                    "width": width,
                    "height": 900,
                    "deviceScaleFactor": 1,
                    "mobile": False,
                },
                session=session,
            )
            browser.send("Page.navigate", {"url": url}, session=session)
            browser.wait_for("Page.loadEventFired")
            charts = browser.send(
                "Runtime.evaluate",
                {
                    "expression": CHARTS_JS,
                    "returnByValue": True,
                },
                session=session,
            )["result"]["value"]
            metrics = browser.send("Page.getLayoutMetrics", session=session)
            height = int(metrics["cssContentSize"]["height"])
            result = PageCheck(charts=charts, page_height=height)
            if screenshot is not None:
                shot_height = min(height, screenshot_height or height)
                image = browser.send(
                    "Page.captureScreenshot",
                    {
                        "format": "png",
                        "captureBeyondViewport": True,
                        "clip": {"x": 0, "y": 0, "width": width, "height": shot_height, "scale": 1},
                    },
                    session=session,
                )
                result.screenshot = Path(screenshot)
                result.screenshot.parent.mkdir(parents=True, exist_ok=True)
                result.screenshot.write_bytes(base64.b64decode(image["data"]))
            if pdf:
                printed = browser.send(
                    "Page.printToPDF", {"printBackground": True}, session=session
                )
                result.pdf_pages = base64.b64decode(printed["data"]).count(b"/Type /Page\n")
            result.console_errors = _errors(browser.events)
            result.external_requests = _external(browser.events)
            return result
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crm_mining.report.browser", description=__doc__.splitlines()[0]
    )
    parser.add_argument("html", type=Path)
    parser.add_argument("--screenshot", type=Path, required=True)
    parser.add_argument("--height", type=int, default=None, help="crop to the top N pixels")
    parser.add_argument("--width", type=int, default=1200)
    args = parser.parse_args(argv)
    check = check_page(args.html, args.screenshot, width=args.width, screenshot_height=args.height)
    undrawn = [c["key"] for c in check.charts if not c["marks"] or not c["width"]]
    print(
        f"{len(check.charts)} charts, undrawn: {undrawn or 'none'}; console errors: "
        f"{check.console_errors or 'none'}; requests out: {check.external_requests or 'none'}; "
        f"screenshot {check.screenshot}"
    )
    return 1 if undrawn or check.console_errors or check.external_requests else 0


if __name__ == "__main__":
    sys.exit(main())
