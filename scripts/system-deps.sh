#!/usr/bin/env bash
# Installs the Debian packages the tests need (an X server, a window manager, a tray host,
# xdotool, the Secret Service keyring, PostgreSQL, Chromium, Pango, poppler), when run as root
# on Debian.
# Elsewhere it only says what is missing; the tests that need it then skip, naming the package
# (and fail instead under EARSHOT_NO_SKIP=1, as CI runs them).
set -euo pipefail

packages=(
  # Qt's xcb and offscreen platforms
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0
  libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0
  libxcb-image0 fonts-dejavu-core
  # a real X desktop for focus, hotkey and tray tests
  xvfb xdotool openbox trayer x11-utils
  # the Secret Service keyring
  dbus dbus-x11 gnome-keyring
  # the collector's scale-out store
  postgresql
  sqlite3
  # a company CA and a server certificate for the sender's TLS tests
  openssl ca-certificates
  # the collector's pages in a real headless browser (Playwright drives Debian's Chromium)
  chromium
  # the huddle digest's PDF (WeasyPrint draws text with Pango) and its check as an image
  libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
  # PyInstaller reads shared-library dependencies with objdump; the .deb is built with dpkg-deb
  binutils dpkg
  # the menu and login entries the .deb installs are checked against the Desktop Entry spec
  desktop-file-utils
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages for the tests: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Not root on Debian: the tests that need these packages will skip: ${missing[*]}" >&2
fi
