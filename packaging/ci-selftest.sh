#!/usr/bin/env bash
# CI after `make package`: the bundle's --self-test, then the .deb installed, its self-test run
# and the package removed again. Run as root on Debian (dpkg -i), from the repository.
#
# Everything runs in a throwaway world: a fresh HOME, a private D-Bus session with an unlocked
# gnome-keyring (the Secret Service), an Xvfb display (so Qt's xcb platform really loads, not
# only offscreen), and a collector on loopback with a device token made for this run, handed
# to the self-test in EARSHOT_TOKEN and never printed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if [ "${1:-}" != --inside-session ]; then
  bundle="$root/dist/earshot"
  [ -x "$bundle/earshot" ] || { echo "ci-selftest: no bundle in $bundle (make package)" >&2; exit 1; }
  debs=("$root"/dist/earshot_*.deb)
  [ -f "${debs[0]}" ] || { echo "ci-selftest: no .deb in dist/ (make package)" >&2; exit 1; }
  scratch="$(mktemp -d /tmp/earshot-ci-selftest.XXXXXX)"  # removed by the inner cleanup
  mkdir -p "$scratch/home" "$scratch/runtime"
  chmod 700 "$scratch/runtime"
  # A fresh HOME and runtime dir: the login keyring made here is this run's only.
  # No CA bundle from the environment either: the bundle must find the OS trust store itself.
  # No EARSHOT_RESOURCES: the bundle must find its icons and catalogues inside itself.
  exec env -u EARSHOT_TOKEN -u EARSHOT_HOME -u EARSHOT_RESOURCES -u QT_QPA_PLATFORM \
    -u WAYLAND_DISPLAY \
    -u SSL_CERT_FILE -u SSL_CERT_DIR -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE \
    HOME="$scratch/home" XDG_RUNTIME_DIR="$scratch/runtime" SCRATCH="$scratch" \
    BUNDLE="$bundle" DEB="${debs[0]}" \
    dbus-run-session -- "$0" --inside-session
fi

pids=()
installed=""
cleanup() {
  if [ -n "$installed" ]; then dpkg --purge earshot >/dev/null 2>&1 || true; fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

step() { echo; echo "== $*"; }

step "Secret Service: gnome-keyring in this D-Bus session"
printf 'throwaway-login-password' \
  | gnome-keyring-daemon --unlock --components=secrets >/dev/null

step "An X display (Xvfb) for Qt's xcb platform"
mkfifo "$SCRATCH/display"
# Xvfb writes its display number to the pipe once it listens.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$SCRATCH/display" >/dev/null 2>&1 &
pids+=($!)
read -r -t 30 number <"$SCRATCH/display" || { echo "Xvfb did not start" >&2; exit 1; }
export DISPLAY=":$number"
echo "DISPLAY=$DISPLAY"

step "A collector on loopback with a device token for this run"
collector=(.venv/bin/earshot-collector --data-dir "$SCRATCH/collector")
EARSHOT_TOKEN="$("${collector[@]}" add-device ci-selftest)"
export EARSHOT_TOKEN
"${collector[@]}" serve --host 127.0.0.1 --port 0 --no-access-log --log-level warning \
  >"$SCRATCH/collector.log" 2>&1 &
pids+=($!)
url=""
for _ in $(seq 300); do
  url="$(grep -o 'listening on http://[^ ]*' "$SCRATCH/collector.log" | head -1 | cut -d' ' -f3 || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "The collector did not start:" >&2; cat "$SCRATCH/collector.log" >&2; exit 1; }
echo "collector at $url"

step "The bundle's self-test ($BUNDLE)"
EARSHOT_HOME="$SCRATCH/bundle-profile" "$BUNDLE/earshot" --self-test --collector "$url"

step "Install $(basename "$DEB")"
dpkg -i "$DEB"
installed=yes
for file in /opt/earshot/earshot /usr/bin/earshot /usr/share/applications/earshot.desktop \
  /etc/xdg/autostart/earshot.desktop /usr/share/icons/hicolor/scalable/apps/earshot.svg; do
  [ -e "$file" ] || { echo "The package did not install $file" >&2; exit 1; }
done
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate /usr/share/applications/earshot.desktop /etc/xdg/autostart/earshot.desktop
fi

step "The installed app's self-test (/usr/bin/earshot)"
EARSHOT_HOME="$SCRATCH/installed-profile" /usr/bin/earshot --self-test --collector "$url"

step "Remove the package, then purge it"
[ "$(dpkg-query -W -f='${Conffiles}' earshot | awk '{print $1}')" = /etc/xdg/autostart/earshot.desktop ] \
  || { echo "The login entry is not the package's conffile" >&2; exit 1; }
dpkg -r earshot
if [ -e /opt/earshot ] || [ -e /usr/bin/earshot ] || [ -e /usr/share/applications/earshot.desktop ]; then
  echo "dpkg -r left files behind in /opt/earshot, /usr/bin or /usr/share/applications" >&2
  exit 1
fi
# A removed package keeps its conffiles (the admin's edits) until it is purged.
dpkg --purge earshot
installed=""
if [ -e /etc/xdg/autostart/earshot.desktop ] || dpkg-query -W earshot >/dev/null 2>&1; then
  echo "dpkg --purge left the login entry or the package's record behind" >&2
  exit 1
fi
echo
echo "Bundle and .deb self-tests passed."
