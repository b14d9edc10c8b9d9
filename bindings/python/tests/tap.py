# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Run unittest test cases and print TAP, as the project's other tests do.

    python3 tests/tap.py MODULE...    (modules found next to this file)

One "ok"/"not ok" line per test method, the traceback of a failure as
"#" lines, a skip as "# SKIP reason"; exit status 0 when all passed, 1
otherwise (4 when every test was skipped, kselftest's convention).
"""
import logging
import os
import sys
import time
import traceback
import unittest


class TapResult(unittest.TestResult):
    def __init__(self, out):
        super().__init__()
        self.out = out
        self.n = 0
        self.bad = 0
        self.skips = 0
        self.t0 = 0.0

    def _line(self, ok, test, extra=""):
        self.n += 1
        # A failing setUpClass comes as an _ErrorHolder, no TestCase.
        method = getattr(test, "_testMethodName", None)
        name = "%s.%s" % (type(test).__name__, method) if method else str(test)
        doc = test.shortDescription()
        if doc:
            name += ": " + doc
        self.out.write("%s %d %s%s\n" % ("ok" if ok else "not ok", self.n,
                                         name, extra))
        self.out.flush()

    def _diag(self, err):
        for line in "".join(traceback.format_exception(*err)).splitlines():
            self.out.write("#   %s\n" % line)

    def startTest(self, test):
        super().startTest(test)
        self.t0 = time.monotonic()

    def addSuccess(self, test):
        self._line(True, test, "  # %.2f s" % (time.monotonic() - self.t0)
                   if os.environ.get("M4RPC_TAP_TIMES") else "")

    def addFailure(self, test, err):
        self.bad += 1
        self._line(False, test)
        self._diag(err)

    addError = addFailure

    def addSkip(self, test, reason):
        self.skips += 1
        self._line(True, test, " # SKIP %s" % reason)

    def addExpectedFailure(self, test, err):
        self._line(True, test, " # TODO expected failure")

    def addUnexpectedSuccess(self, test):
        self.bad += 1
        self._line(False, test, " (unexpected success)")


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    try:
        for name in argv[1:]:
            suite.addTests(loader.loadTestsFromName(name))
    except Exception:
        print("1..0 # Bail out! cannot load the tests")
        traceback.print_exc(file=sys.stdout)
        return 1
    print("TAP version 13")
    # What the library logs (a handler's exception, a dropped message)
    # as TAP comments, in order with the results.
    log = logging.StreamHandler(sys.stdout)
    log.setFormatter(logging.Formatter("# log: %(name)s: %(message)s"))
    logging.getLogger().addHandler(log)
    res = TapResult(sys.stdout)
    suite.run(res)
    print("1..%d" % res.n)
    if res.bad or res.n == 0:
        return 1
    return 4 if res.skips == res.n else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
