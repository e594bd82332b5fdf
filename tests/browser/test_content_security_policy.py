"""The Content-Security-Policy is enforced by a real browser, and the watch on violations that
every browser test has (tests/browser/conftest.py) does see them."""

from __future__ import annotations

import pytest

from tests.live import migrated_app, serving

pytestmark = pytest.mark.browser

# Inserts an inline script, as an injected `<script>` in a page would be, and tells whether it
# ran and which directive refused it (or, without a policy, that nothing refused it).
_INJECT = """() => new Promise((resolve) => {
  document.addEventListener("securitypolicyviolation",
    (event) => resolve({ran: window.injected === true, refused_by: event.effectiveDirective}),
    {once: true});
  const script = document.createElement("script");
  script.textContent = "window.injected = true";
  document.head.appendChild(script);
  if (window.injected === true) resolve({ran: true, refused_by: null});
})"""


def test_an_injected_inline_script_does_not_run(browser_page, csp_violations, tmp_path):
    app = migrated_app(f"sqlite:///{tmp_path / 'browser.db'}", tmp_path / "instance")
    with serving(app) as base_url:
        browser_page.goto(f"{base_url}/login")
        outcome = browser_page.evaluate(_INJECT)
        browser_page.context.close()
    assert outcome == {"ran": False, "refused_by": "script-src-elem"}
    assert any("script-src-elem" in violation for violation in csp_violations), csp_violations
    csp_violations.clear()  # provoked on purpose


def test_no_other_site_can_frame_the_pages(browser_page, csp_violations, tmp_path):
    app = migrated_app(f"sqlite:///{tmp_path / 'browser.db'}", tmp_path / "instance")
    with serving(app) as base_url:
        browser_page.set_content(f'<iframe src="{base_url}/login" title="framed"></iframe>')
        framed = browser_page.frame_locator("iframe").get_by_role("heading", name="登录")
        assert framed.count() == 0
        assert browser_page.frames[1].url != f"{base_url}/login"
        browser_page.context.close()
    assert any("frame-ancestors" in violation for violation in csp_violations), csp_violations
    csp_violations.clear()  # provoked on purpose
