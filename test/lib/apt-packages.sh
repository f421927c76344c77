#!/usr/bin/env bash
# Sourced by the set-up scripts: installs the Debian packages that are missing, or, when not root,
# says the one command that would and fails.
# ensure_apt_packages LABEL PACKAGE… — sets APT_INSTALLED to the packages it installed.
ensure_apt_packages() {
  local label=$1
  shift
  local missing=() pkg
  APT_INSTALLED=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "$label: missing Debian packages. Run as root:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "$label: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # shellcheck disable=SC2034 # read by the script that sources this one
  APT_INSTALLED=("${missing[@]}")
}
