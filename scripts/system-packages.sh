#!/usr/bin/env bash
# Install the Debian packages the portal needs, when they are missing and we may install them.
# Fast when everything is present (one dpkg query); otherwise names what to install.
set -euo pipefail

packages=(fonts-noto-cjk libharfbuzz-subset0 poppler-utils gettext chromium)
command -v npm >/dev/null || packages+=(nodejs npm)
python3 -c "import ensurepip, venv" 2>/dev/null || packages+=(python3-venv)

if ! command -v dpkg >/dev/null; then
    echo "Not a Debian/Ubuntu system: make sure these are installed: ${packages[*]}"
    exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "Missing Debian packages: ${missing[*]}"
    echo "Install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    echo "(PDFs need the CJK font, PDF tests need poppler-utils, browser tests need chromium.)"
    exit 0
fi

echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! { "${sudo[@]}" apt-get update -q && \
        "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; }; then
    echo "Could not install the Debian packages: ${missing[*]}. Install them by hand." >&2
    exit 1
fi
