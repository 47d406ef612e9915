#!/usr/bin/env bash
# The .deb from a built bundle: build-deb.sh BUNDLE VERSION OUTDIR (packaging/build.sh calls it;
# EARSHOT_BUILD_DIR moves its staging folder from build/package, as the tests do).
# The app goes under /opt/earshot, with /usr/bin/earshot, the menu entry, the icon and the
# autostart entry for every user's login.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
[ -x "${1:-}/earshot" ] || { echo "build-deb.sh: no bundle at '${1:-}' (make package builds it)" >&2; exit 1; }
bundle="$(cd "$1" && pwd)"
version="$2"
dist="$3"
work="${EARSHOT_BUILD_DIR:-$root/build/package}"
arch="$(dpkg --print-architecture)"
stage="$work/deb/earshot_${version}_${arch}"
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/icons/hicolor/scalable/apps" "$stage/etc/xdg/autostart"
cp -a "$bundle" "$stage/opt/earshot"
# The bundle finds its parts from its real path (/proc/self/exe), so a symlink is enough.
ln -s /opt/earshot/earshot "$stage/usr/bin/earshot"
install -m 644 packaging/linux/earshot.desktop "$stage/usr/share/applications/earshot.desktop"
install -m 644 packaging/linux/earshot-autostart.desktop "$stage/etc/xdg/autostart/earshot.desktop"
install -m 644 resources/icons/earshot.svg "$stage/usr/share/icons/hicolor/scalable/apps/earshot.svg"

# Depends: the system libraries the bundle loads and does not carry, as their packages on the
# build machine say (dpkg -S), plus what Qt's xcb platform needs that may not be installed
# here (https://doc.qt.io/qt-6/linux-requirements.html).
export LD_LIBRARY_PATH="$bundle/_internal:$bundle/_internal/PySide6/Qt/lib"
system_libs="$(find "$bundle" -name '*.so*' -type f -print0 \
  | { xargs -0 -r ldd 2>/dev/null || true; } \
  | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | { grep -v "^$bundle/" || true; } | sort -u)"
unset LD_LIBRARY_PATH
owners="$(for lib in $system_libs; do
    real="$(readlink -f "$lib")"
    dpkg -S "$lib" 2>/dev/null || dpkg -S "$real" 2>/dev/null || dpkg -S "/usr$lib" 2>/dev/null \
      || true
  done | cut -d: -f1 | sort -u)"
xcb_needs="libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libxkbcommon0 libegl1 libgl1
  libfontconfig1 libdbus-1-3"
glibc="$(dpkg-query -W -f='${Version}' libc6 | cut -d- -f1)"
depends="$(printf '%s\n' $owners $xcb_needs | grep -v '^libc6$' | sort -u | paste -sd, - \
  | sed 's/,/, /g')"
depends="libc6 (>= $glibc), $depends"
installed_kb="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
cat > "$stage/DEBIAN/control" <<EOF
Package: earshot
Version: $version
Architecture: $arch
Maintainer: Earshot maintainers <earshot@example.com>
Installed-Size: $installed_kb
Depends: $depends
Recommends: gnome-keyring | kwalletmanager, ca-certificates
Section: misc
Priority: optional
Homepage: https://example.com/earshot
Description: log what customers say at the frontline, offline first
 Earshot is a tray app for shared shop-floor PCs: staff log customer feedback
 in seconds, entries are kept on the PC first and sent to the company's
 collector when the network is there. Check an installation with
 earshot --self-test.
EOF
# Files under /etc are the admin's to edit (IT may switch the login entry off for a PC): as
# conffiles an upgrade keeps their edits and `dpkg -r` leaves them until `dpkg --purge`.
# (Debian policy 10.7.2.)
( cd "$stage" && find etc -type f -printf '/%p\n' | sort ) > "$stage/DEBIAN/conffiles"
chmod 644 "$stage/DEBIAN/conffiles"
deb="$dist/earshot_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build -Zxz "$stage" "$deb" >/dev/null
echo "Package: $deb, $(du -h "$deb" | cut -f1)."
