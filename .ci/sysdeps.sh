#!/usr/bin/env bash
# Install the system packages the app needs, only when missing: WeasyPrint's Pango, fonts for
# embedded PDF text, HarfBuzz's subsetter (WeasyPrint subsets fonts in C with it, in Python
# without it: 0.4 s of a nine-handout packet), poppler (pdfinfo/pdffonts in tests) and Debian's
# chromium (browser tests).
# Usage: .ci/sysdeps.sh [run|test]
set -euo pipefail
want=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2)
if [ "${1:-run}" = "test" ]; then
  want+=(poppler-utils chromium)
fi
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "Please install as root: apt-get install ${missing[*]}" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
