#!/usr/bin/env bash
# Installs what the tests need beyond Go: SoftHSM2 for the PKCS#11 signer tests,
# mtools, with which the FAT tests list and extract images as a second reader,
# Chromium, in which the report test loads dist/report.html headless, and CMake and
# Ninja for the integrations/cmake project test.
# Idempotent. Outside CI a failed install only warns (those tests then skip); with
# CI=true the tests require SoftHSM2, Chromium, CMake and Ninja, so a failure here fails the run.
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
  echo "install-test-deps: warning: $* (the tests that need it will be skipped)" >&2
  exit 0
}

# package:command pairs; a package is installed when its command is missing.
missing=()
for pc in softhsm2:softhsm2-util mtools:mdir chromium:chromium cmake:cmake ninja-build:ninja; do
  command -v "${pc#*:}" >/dev/null 2>&1 || missing+=("${pc%%:*}")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  fail "${missing[*]} missing and we are not root: install them"
fi
if ! command -v apt-get >/dev/null 2>&1; then
  fail "${missing[*]} missing and apt-get is unavailable"
fi
echo "install-test-deps: installing ${missing[*]}" >&2
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
  fail "apt-get could not install ${missing[*]}"
fi
for pc in softhsm2:softhsm2-util mtools:mdir chromium:chromium cmake:cmake ninja-build:ninja; do
  command -v "${pc#*:}" >/dev/null 2>&1 || fail "${pc%%:*} installed but ${pc#*:} is still missing"
done
