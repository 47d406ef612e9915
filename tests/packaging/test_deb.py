"""The .deb's layout and control file, built by the real build-deb.sh from a stand-in bundle.

Building the real bundle takes minutes, so ``make test`` does not (CI's ``.ci/run`` does, and
installs it); this checks what build-deb.sh makes of any bundle: where the files go, the
launcher, the desktop entries, and a Depends that names the system libraries the bundle's
own libraries load.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

from earshot import __version__
from tests.system import require

ROOT = Path(__file__).resolve().parents[2]
BUILD_DEB = ROOT / "packaging" / "linux" / "build-deb.sh"


def multiarch() -> str:
    """This machine's Debian multiarch triplet (x86_64-linux-gnu, aarch64-linux-gnu, ...)."""
    triplet = sysconfig.get_config_var("MULTIARCH")
    if isinstance(triplet, str) and triplet:
        return triplet
    done = subprocess.run(
        ["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


# A system library with dependencies that Qt's fixed list does not name (libXau, libXdmcp).
SAMPLE_LIBRARY = Path("/usr/lib") / multiarch() / "libxcb-shape.so.0"


def arch() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def deb(tmp_path: Path) -> Path:
    require("dpkg-deb", "dpkg")
    if not SAMPLE_LIBRARY.exists():
        pytest.skip(f"needs {SAMPLE_LIBRARY} from the Debian package 'libxcb-shape0'")
    bundle = tmp_path / "earshot"
    (bundle / "_internal").mkdir(parents=True)
    program = bundle / "earshot"
    program.write_text("#!/bin/sh\necho stand-in\n", encoding="utf-8")
    program.chmod(0o755)
    shutil.copy(SAMPLE_LIBRARY, bundle / "_internal" / "libsample.so.0")
    out = tmp_path / "dist"
    out.mkdir()
    env = dict(os.environ, EARSHOT_BUILD_DIR=str(tmp_path / "work"))
    done = subprocess.run(
        [str(BUILD_DEB), str(bundle), __version__, str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    built = out / f"earshot_{__version__}_{arch()}.deb"
    assert built.is_file(), done.stdout
    return built


def field(deb: Path, name: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "--field", str(deb), name], capture_output=True, text=True, check=True
    ).stdout.strip()


def contents(deb: Path) -> dict[str, str]:
    """``{path: the line dpkg-deb --contents prints for it}`` (paths without the leading ".")."""
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    found = {}
    for line in listing.splitlines():
        path = line.split(None, 5)[5].split(" -> ")[0]
        found[path.removeprefix(".").rstrip("/")] = line
    return found


def test_the_package_installs_the_app_under_opt_with_launcher_menu_icon_and_autostart(
    deb: Path,
) -> None:
    files = contents(deb)

    assert files["/opt/earshot/earshot"].startswith("-rwxr-xr-x root/root")
    assert "/opt/earshot/_internal/libsample.so.0" in files
    assert files["/usr/bin/earshot"].endswith("/usr/bin/earshot -> /opt/earshot/earshot")
    assert "/usr/share/applications/earshot.desktop" in files
    assert "/etc/xdg/autostart/earshot.desktop" in files
    assert "/usr/share/icons/hicolor/scalable/apps/earshot.svg" in files


def test_the_control_file_has_version_maintainer_and_the_libraries_qt_needs(deb: Path) -> None:
    assert field(deb, "Package") == "earshot"
    assert field(deb, "Version") == __version__
    assert field(deb, "Architecture") == arch()
    assert "<" in field(deb, "Maintainer")
    depends = [name.split(" ")[0] for name in field(deb, "Depends").split(", ")]
    # Qt's xcb platform, whether or not this machine has them installed:
    for package in ("libxcb-cursor0", "libxkbcommon-x11-0", "libxcb-icccm4", "libegl1"):
        assert package in depends
    # Found through the bundle's own library (ldd, then dpkg -S):
    assert "libxau6" in depends
    assert "libxdmcp6" in depends
    assert field(deb, "Depends").startswith("libc6 (>= ")


def test_the_desktop_entries_start_the_installed_launcher() -> None:
    for name in ("earshot.desktop", "earshot-autostart.desktop"):
        text = (ROOT / "packaging" / "linux" / name).read_text(encoding="utf-8")
        lines = text.splitlines()
        assert lines[0] == "[Desktop Entry]"
        assert "Exec=/usr/bin/earshot" in lines
        assert "Icon=earshot" in lines
        assert "Type=Application" in lines


def test_the_menu_and_login_entries_are_valid_desktop_entries() -> None:
    validate = require("desktop-file-validate", "desktop-file-utils")
    for name in ("earshot.desktop", "earshot-autostart.desktop"):
        done = subprocess.run(
            [validate, str(ROOT / "packaging" / "linux" / name)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "error" not in done.stdout.lower(), done.stdout


def test_the_login_entry_is_a_conffile_so_dpkg_keeps_its_edits_until_purge(
    deb: Path, tmp_path: Path
) -> None:
    control = tmp_path / "control"
    subprocess.run(["dpkg-deb", "--control", str(deb), str(control)], check=True)
    conffiles = (control / "conffiles").read_text(encoding="utf-8").splitlines()
    assert conffiles == ["/etc/xdg/autostart/earshot.desktop"]
    # Every file the package puts under /etc is listed, and nothing outside it.
    etc = sorted(path for path, line in contents(deb).items() if path.startswith("/etc/"))
    etc_files = [path for path in etc if not contents(deb)[path].startswith("d")]
    assert etc_files == conffiles


def test_a_bundle_folder_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    require("dpkg-deb", "dpkg")
    done = subprocess.run(
        [str(BUILD_DEB), str(tmp_path / "no-bundle"), __version__, str(tmp_path)],
        env=dict(os.environ, EARSHOT_BUILD_DIR=str(tmp_path / "work")),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "no bundle at" in done.stderr
    assert not list(tmp_path.glob("*.deb"))
