#!/usr/bin/env bash
# Installs the tools the deploy-file checks (test/integration/deploy/) use: promtool (Debian's
# prometheus package), yamllint, shellcheck, systemd-analyze (systemd; nothing is started), and Helm
# built from the Go module proxy into .cache/bin.
# Idempotent: a warm machine only runs the checks below.
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_VERSION=v3.22.0
APT_PACKAGES=(prometheus yamllint shellcheck systemd)

# shellcheck source=test/lib/apt-packages.sh
source test/lib/apt-packages.sh
ensure_apt_packages setup-deploy-tools "${APT_PACKAGES[@]}"
# Debian's prometheus package enables and starts a server (port 9090) where systemd runs; the checks
# only need promtool, and tests start their own servers.
if [[ " ${APT_INSTALLED[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null 2>&1 &&
  systemctl is-enabled --quiet prometheus 2>/dev/null; then
  systemctl disable --now prometheus || true
fi

# Helm is not packaged in Debian: build it from the Go module proxy (a one-time cost of a few minutes).
# `helm version` of a go-installed Helm says only "v3.22"; the module version is in the binary's build info.
helm_bin=.cache/bin/helm
if [ -x "$helm_bin" ] && go version -m "$helm_bin" 2>/dev/null | grep -Eq "^[[:space:]]*mod[[:space:]]+helm.sh/helm/v3[[:space:]]+${HELM_VERSION}[[:space:]]"; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "setup-deploy-tools: Go is needed to build Helm $HELM_VERSION into $helm_bin" >&2
  exit 1
fi
echo "setup-deploy-tools: building Helm $HELM_VERSION into .cache/bin"
mkdir -p .cache/bin
GOBIN="$(pwd)/.cache/bin" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
