"""Browser tests in real Chromium (Playwright, sync API): the weekly cycle as three people."""
