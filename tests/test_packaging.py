"""Packaging: --self-test, the resource paths of each kind of installation, the Linux desktop entry."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent


def test_self_test_passes_and_says_what_it_checked(qapp):
    code, out, _err = run_cli("--self-test")
    assert code == 0, out
    for check in ("resources", "store", "demo", "window", "search", "ics", "languages", "timezone"):
        assert f"ok   {check}:" in out
    assert "All 8 checks passed" in out


def test_self_test_fails_when_the_demo_bundle_is_missing(qapp, monkeypatch, tmp_path):
    import wtdc_desktop.resources as resources

    empty = tmp_path / "resources"
    empty.mkdir()
    monkeypatch.setattr(resources, "_root", lambda kind: empty if kind == "resources" else ROOT / kind)
    code, out, _err = run_cli("--self-test")
    assert code == 1
    assert "FAIL resources:" in out and "FAIL demo:" in out
    assert "ok   store:" in out  # the other checks still ran


def test_resources_are_found_in_a_frozen_build_first(monkeypatch, tmp_path):
    import wtdc_desktop.resources as resources

    (tmp_path / "resources").mkdir()
    (tmp_path / "i18n").mkdir()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resource_path("demo.wtdc.zip") == tmp_path / "resources" / "demo.wtdc.zip"
    assert resources.i18n_path("fr.po") == tmp_path / "i18n" / "fr.po"


def test_resources_of_a_checkout(monkeypatch):
    from wtdc_desktop.resources import resource_path

    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert resource_path("demo.wtdc.zip").is_file()
    assert resource_path("icons", "wtdc-desktop.svg").is_file()


def _load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(sys.platform != "linux", reason="Linux desktop entries")
def test_linux_desktop_entry_install_and_uninstall(tmp_path):
    script = _load_script("install_linux_desktop")
    build = tmp_path / "dist" / "wtdc-desktop"
    (build / "_internal" / "resources").mkdir(parents=True)
    exe = build / "wtdc-desktop"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    os.symlink(ROOT / "resources" / "icons", build / "_internal" / "resources" / "icons")
    prefix = tmp_path / "prefix"

    written = script.install(build, prefix)
    entry = prefix / "share" / "applications" / "wtdc-desktop.desktop"
    text = entry.read_text("utf-8")
    assert f'Exec="{exe.resolve()}"\n' in text
    assert "Icon=wtdc-desktop" in text and "Terminal=false" in text
    assert (prefix / "share" / "icons" / "hicolor" / "48x48" / "apps" / "wtdc-desktop.png").is_file()
    assert (prefix / "share" / "icons" / "hicolor" / "scalable" / "apps" / "wtdc-desktop.svg").is_file()

    removed = script.uninstall(prefix)
    assert sorted(removed) == sorted(written)
    assert not entry.exists()


def test_desktop_installer_refuses_a_folder_without_the_executable(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "install_linux_desktop.py"), str(tmp_path),
                             "--prefix", str(tmp_path / "p")], capture_output=True, text=True)
    if sys.platform == "linux":
        assert result.returncode != 0
        assert "is not an executable" in result.stderr
        assert not (tmp_path / "p").exists()


def test_icons_exist_in_every_format_the_builds_need():
    icons = ROOT / "resources" / "icons"
    for name in ("wtdc-desktop.svg", "wtdc-desktop.ico", "wtdc-desktop.icns", "wtdc-desktop-256.png"):
        assert (icons / name).stat().st_size > 100, name
    assert (icons / "wtdc-desktop.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert (icons / "wtdc-desktop.icns").read_bytes()[:4] == b"icns"
