"""Print 'N passed, N failed, N skipped' from a pytest JUnit XML report."""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def main(path: str) -> str:
    if not Path(path).exists():
        return "no report (the run did not start)"
    root = ET.parse(path).getroot()  # noqa: S314 - our own pytest output
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return f"{total - failed - skipped} passed, {failed} failed, {skipped} skipped"


if __name__ == "__main__":
    print(main(sys.argv[1]))
