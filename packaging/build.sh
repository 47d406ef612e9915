#!/usr/bin/env bash
# The desktop bundle (dist/earshot/, PyInstaller one-folder) and, on Debian, its .deb
# (dist/earshot_<version>_<arch>.deb). Called by `make package`.
#
# The bundle is built in a throwaway venv under build/package/ that holds only the app with its
# `desktop` extra and PyInstaller (`pip install '.[desktop]' pyinstaller`): a developer's venv
# has the collector, pytest and Playwright in it, and PyInstaller takes whatever an import can
# reach. A clean venv makes "what is in the bundle" the app's own dependencies and nothing else.
#
# Environment: PYTHON (default python3; it needs its shared libpython, as pyenv's and Debian's
# have), EARSHOT_KEEP_VENV=1 reuses the build venv (faster when trying spec changes).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
work="$root/build/package"
venv="$work/venv"
dist="$root/dist"

compgen -G "resources/translations/*.qm" >/dev/null \
  || { echo "build.sh: no compiled translations; run 'make translations' first" >&2; exit 1; }

if [ "${EARSHOT_KEEP_VENV:-}" != 1 ] || [ ! -x "$venv/bin/pyinstaller" ]; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  # setuptools builds the wheel through build/lib here and never empties it: a module moved or
  # deleted since the last build would still go into the wheel, and so into the bundle
  # (https://github.com/pypa/setuptools/issues/1871).
  rm -rf build/lib build/bdist.*
  "$venv/bin/pip" install --quiet '.[desktop]' 'pyinstaller>=6.10'
fi
version="$("$venv/bin/python" -c 'import earshot; print(earshot.__version__)')"

rm -rf "$dist/earshot"
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath "$dist" --workpath "$work/pyinstaller" packaging/earshot.spec

bundle="$dist/earshot"
[ "$(uname -s)" = Linux ] || { echo "Built $bundle (Earshot $version)."; exit 0; }

# A pruned library that a kept plugin still needs would only show when that plugin loads on a
# user's PC: check every library in the bundle for a Qt or ICU dependency that is not there.
missing="$(find "$bundle" -name '*.so*' -type f -print0 \
  | LD_LIBRARY_PATH="$bundle/_internal:$bundle/_internal/PySide6/Qt/lib" xargs -0 ldd 2>/dev/null \
  | grep -E '(libQt6|libicu|libpyside|libshiboken)[^ ]* => not found' | sort -u || true)"
if [ -n "$missing" ]; then
  echo "build.sh: the bundle lacks libraries its own parts need (pruned too much?):" >&2
  echo "$missing" >&2
  exit 1
fi
echo "Bundle: $bundle, $(du -sh "$bundle" | cut -f1) on disk (Earshot $version)."

command -v dpkg-deb >/dev/null || { echo "No dpkg-deb: the .deb is not built."; exit 0; }
"$root/packaging/linux/build-deb.sh" "$bundle" "$version" "$dist"
