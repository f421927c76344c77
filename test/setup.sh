#!/usr/bin/env bash
# Brings a fresh Debian machine to the point where the demo and the test suite run:
# system packages, npm dependencies, and the Kafka releases from Maven Central (cached in .cache/).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: Java + Maven for Kafka, an MIT KDC and client, kcat with GSSAPI, headers for
# the `kerberos` npm addon, unzip to inspect jars, haproxy as a real PROXY-protocol load balancer,
# python3-venv for the confluent-kafka client the ACL tests install from PyPI into .cache/ on first use,
# and Debian's python3-confluent-kafka (built with Cyrus SASL: GSSAPI) and python3-kafka with python3-gssapi (the legacy SASL v0 path).
APT_PACKAGES=(default-jdk-headless maven unzip kcat krb5-kdc krb5-admin-server krb5-user
  libsasl2-modules-gssapi-mit libkrb5-dev build-essential python3 python3-venv haproxy
  python3-kafka python3-gssapi python3-confluent-kafka)

# shellcheck source=test/lib/apt-packages.sh
source test/lib/apt-packages.sh
ensure_apt_packages setup "${APT_PACKAGES[@]}"

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# npm ci only when the lock file changed since the last install (warm runs skip it).
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.gatehouse-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.gatehouse-lock-hash
fi

echo "setup: tools for the deploy-file checks"
bash test/setup-deploy-tools.sh

echo "setup: resolving Kafka releases with Maven (cached in .cache/)"
node --import tsx test/harness/resolve-kafka.ts
