"""Debian's Chromium for the browser tests (never a downloaded browser), with pages that fail
their test on any Content-Security-Policy violation: an inline script, style or handler that
someone adds to a template breaks CI instead of silently not working in production."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# No background networking: this machine has no network but loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Runs in every document before its own scripts (Playwright injects it through DevTools, so the
# page's policy does not block it) and reports each violation to the test.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.fangfanCspViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline code"} on ` +
    `${event.documentURI} (${event.sourceFile || "page"}:${event.lineNumber})`
  );
});
"""


@pytest.fixture
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/bootstrap")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def csp_violations() -> list[str]:
    """What the pages of this test reported; a test that provokes one on purpose clears it."""
    return []


@pytest.fixture
def new_page(chromium: Browser, csp_violations: list[str]) -> Iterator[Callable[..., Page]]:
    """`new_page(viewport=…, locale=…)`: a page in its own browser context, watched for
    Content-Security-Policy violations; the test fails if any was reported."""

    def open_page(**options: object) -> Page:
        context = chromium.new_context(**options)  # type: ignore[arg-type]
        watch_content_security_policy(context, csp_violations)
        return context.new_page()

    yield open_page
    for context in chromium.contexts:
        context.close()  # delivers what the pages still had to say
    assert not csp_violations, f"Content-Security-Policy violations: {csp_violations}"


@pytest.fixture
def browser_page(new_page: Callable[..., Page]) -> Page:
    return new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")


def watch_content_security_policy(context: BrowserContext, violations: list[str]) -> None:
    context.expose_binding("fangfanCspViolation", lambda _source, text: violations.append(text))
    context.add_init_script(_REPORT_VIOLATIONS)

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    context.on("console", console)
