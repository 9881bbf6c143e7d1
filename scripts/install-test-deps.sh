#!/usr/bin/env bash
# Installs what the tests need beyond Go: SoftHSM2 for the PKCS#11 signer tests.
# Idempotent. Outside CI a failed install only warns (those tests then skip); with
# CI=true the tests require SoftHSM2, so a failure here fails the run.
set -euo pipefail

ci=false
if [ "${CI:-}" = "true" ]; then
  ci=true
fi

fail() {
  if [ "$ci" = true ]; then
    echo "install-test-deps: $*" >&2
    exit 1
  fi
  echo "install-test-deps: warning: $* (PKCS#11 tests will be skipped)" >&2
  exit 0
}

if command -v softhsm2-util >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  fail "softhsm2-util is missing and we are not root: install the softhsm2 package"
fi
if ! command -v apt-get >/dev/null 2>&1; then
  fail "softhsm2-util is missing and apt-get is unavailable: install SoftHSM2"
fi
echo "install-test-deps: installing softhsm2" >&2
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq softhsm2 >/dev/null; }; then
  fail "apt-get could not install softhsm2"
fi
command -v softhsm2-util >/dev/null 2>&1 || fail "softhsm2 installed but softhsm2-util is still missing"
