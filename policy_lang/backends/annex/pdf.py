"""PDF writer: the annex HTML through WeasyPrint, fonts embedded, metadata fixed for byte-identical output.

WeasyPrint needs system libraries (GLib, Pango, HarfBuzz, fontconfig) and the fonts the annex CSS
names. `problems()` says, in the user's terms and naming the Debian package, what is missing before
anything is rendered: without Pango, WeasyPrint prints its own banner to stdout and raises; without
any font, Pango crashes the process. Nothing of WeasyPrint's reaches our stdout or stderr: its
import and every rendering run with both redirected (Python objects and file descriptors 1 and 2).

No compiler runs (probe item m10): cffi resolves a library name it cannot open directly through
`ctypes.util.find_library`, which on Linux falls back to running `gcc` and `ld` with outputs named
in the shared temporary directory (WeasyPrint asks for ~12 names that are not sonames). While
WeasyPrint loads, `find_library` is replaced by a resolver that reads only the dynamic linker's
cache (`ldconfig -p`, run once): the same answer the stdlib gets from its first step, never a
compiler. (WEASYPRINT_DLL_DIRECTORIES only matters on Windows, so it cannot help here.)
"""
from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import io
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType

from policy_lang.semantics import model

CSS = Path(__file__).resolve().parents[2] / "templates" / "annex" / "html" / "annex.css"

# The shared libraries WeasyPrint opens (by soname, Linux), each with the Debian package holding it.
LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libgobject-2.0.so.0", "libglib2.0-0"),
    ("libpango-1.0.so.0", "libpango-1.0-0"),
    ("libpangoft2-1.0.so.0", "libpangoft2-1.0-0"),
    ("libharfbuzz.so.0", "libharfbuzz0b"),
    ("libharfbuzz-subset.so.0", "libharfbuzz-subset0"),
    ("libfontconfig.so.1", "libfontconfig1"),
)
# Font families the annex CSS names that a Debian package provides (generic families aside).
FONT_PACKAGES = {"Liberation Serif": "fonts-liberation2", "DejaVu Serif": "fonts-dejavu-core"}
FALLBACK = "--only python,md,html,docx"


class PdfError(Exception):
    """WeasyPrint cannot run or failed, said in our words."""


# -- prerequisites -----------------------------------------------------------------------------

def missing_libraries(libraries: Sequence[tuple[str, str]] = LIBRARIES) -> list[tuple[str, str]]:
    """The (soname, package) pairs the dynamic linker cannot load here."""
    missing = []
    for soname, package in libraries:
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append((soname, package))
    return missing


def css_fonts(css: Path = CSS) -> list[str]:
    """The families the annex CSS names, in order, that a package we know provides."""
    families: list[str] = []
    for decl in re.findall(r"font-family\s*:\s*([^;}]+)", css.read_text(encoding="utf-8")):
        for fam in re.findall(r'"([^"]+)"|\'([^\']+)\'', decl):
            name = fam[0] or fam[1]
            if name in FONT_PACKAGES and name not in families:
                families.append(name)
    return families


def missing_fonts(families: Sequence[str]) -> list[str]:
    """The families fontconfig does not know (all of them when fontconfig cannot load)."""
    try:
        fc = ctypes.CDLL("libfontconfig.so.1")
    except OSError:
        return list(families)

    class FontSet(ctypes.Structure):
        _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.c_void_p)]

    fc.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
    fc.FcNameParse.restype = ctypes.c_void_p
    fc.FcNameParse.argtypes = [ctypes.c_char_p]
    fc.FcObjectSetBuild.restype = ctypes.c_void_p
    fc.FcFontList.restype = ctypes.POINTER(FontSet)
    fc.FcFontList.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    for name in ("FcFontSetDestroy", "FcPatternDestroy", "FcObjectSetDestroy", "FcConfigDestroy"):
        getattr(fc, name).argtypes = [ctypes.c_void_p]
    config = fc.FcInitLoadConfigAndFonts()
    if not config:
        return list(families)
    missing = []
    try:
        for family in families:
            pattern = fc.FcNameParse(family.replace("-", "\\-").encode())
            objects = fc.FcObjectSetBuild(b"family", None)
            found = fc.FcFontList(config, pattern, objects)
            if not found or found.contents.nfont == 0:
                missing.append(family)
            if found:
                fc.FcFontSetDestroy(found)
            fc.FcObjectSetDestroy(objects)
            fc.FcPatternDestroy(pattern)
    finally:
        fc.FcConfigDestroy(config)
    return missing


_STYLES = (("", "Regular"), (":bold", "Bold"), (":italic", "Italic"), (":bold:italic", "Bold Italic"))


def fonts_in_use(families: Sequence[str] | None = None) -> list[dict[str, str]]:
    """The font files the PDFs embed, as fontconfig resolves each family the annex CSS names in the
    styles the stylesheet uses (regular, bold, italic, bold italic): for each, the family and style
    fontconfig answers with, the file's name, its version (fontconfig's `fontversion`) and the
    sha256 of the file. Sorted, each file once. Empty when fontconfig cannot load."""
    try:
        fc = ctypes.CDLL("libfontconfig.so.1")
    except OSError:
        return []
    fc.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
    fc.FcNameParse.restype = ctypes.c_void_p
    fc.FcNameParse.argtypes = [ctypes.c_char_p]
    fc.FcConfigSubstitute.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    fc.FcDefaultSubstitute.argtypes = [ctypes.c_void_p]
    fc.FcFontMatch.restype = ctypes.c_void_p
    fc.FcFontMatch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    fc.FcPatternGetString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                      ctypes.POINTER(ctypes.c_char_p)]
    fc.FcPatternGetInteger.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                       ctypes.POINTER(ctypes.c_int)]
    for name in ("FcPatternDestroy", "FcConfigDestroy"):
        getattr(fc, name).argtypes = [ctypes.c_void_p]
    config = fc.FcInitLoadConfigAndFonts()
    if not config:
        return []

    def text(pattern: int, key: bytes) -> str:
        value = ctypes.c_char_p()
        if fc.FcPatternGetString(pattern, key, 0, ctypes.byref(value)) != 0 or value.value is None:
            return ""
        return value.value.decode("utf-8", errors="replace")

    found: dict[str, dict[str, str]] = {}
    try:
        for family in css_fonts() if families is None else families:
            for suffix, _ in _STYLES:
                pattern = fc.FcNameParse((family.replace("-", "\\-") + suffix).encode())
                fc.FcConfigSubstitute(config, pattern, 0)  # FcMatchPattern
                fc.FcDefaultSubstitute(pattern)
                result = ctypes.c_int()
                match = fc.FcFontMatch(config, pattern, ctypes.byref(result))
                fc.FcPatternDestroy(pattern)
                if not match:
                    continue
                path = text(match, b"file")
                version = ctypes.c_int()
                has_version = fc.FcPatternGetInteger(match, b"fontversion", 0, ctypes.byref(version)) == 0
                entry = {"family": text(match, b"family"), "style": text(match, b"style"),
                         "file": os.path.basename(path),
                         "version": str(version.value) if has_version else "", "sha256": _file_hash(path)}
                fc.FcPatternDestroy(match)
                if path and path not in found:
                    found[path] = entry
    finally:
        fc.FcConfigDestroy(config)
    return sorted(found.values(), key=lambda e: (e["family"], e["style"], e["file"]))


def _file_hash(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return ""


def describe_font(entry: dict[str, str]) -> str:
    """`Liberation Serif Bold (LiberationSerif-Bold.ttf, version 137625, sha256 1a2b3c4d5e6f)`."""
    version = f", version {entry.get('version')}" if entry.get("version") else ""
    return (f"{entry.get('family', '?')} {entry.get('style', '')}".rstrip()
            + f" ({entry.get('file', '?')}{version}, sha256 {entry.get('sha256', '')[:12] or '?'})")


def problems(libraries: Sequence[tuple[str, str]] = LIBRARIES) -> list[str]:
    """What keeps WeasyPrint from rendering the annexes here, one sentence each (empty: nothing)."""
    from policy_lang.extras import missing_extra

    extra = missing_extra("pdf")
    if extra:
        return [f"{extra}; or build without PDF: {FALLBACK}"]
    if not sys.platform.startswith("linux"):
        return []  # other systems name their libraries differently: loading WeasyPrint tells
    out = []
    libs = missing_libraries(libraries)
    if libs:
        out.append(f"PDF needs the system libraries {', '.join(s for s, _ in libs)}, which cannot be loaded: "
                   f"install the Debian package(s) {' '.join(dict.fromkeys(p for _, p in libs))} "
                   f"(`bash .ci/system-deps` installs all), or build without PDF: {FALLBACK}")
        return out
    fonts = missing_fonts(css_fonts())
    if fonts:
        out.append(f"PDF needs the font(s) {', '.join(fonts)} named by the annex stylesheet, which fontconfig "
                   f"does not find: install the Debian package(s) {' '.join(FONT_PACKAGES[f] for f in fonts)}, "
                   f"or build without PDF: {FALLBACK}")
    return out


# -- loading WeasyPrint: no compiler, no third-party text ----------------------------------------

@functools.cache
def _linker_cache() -> dict[str, str]:
    """soname -> path from `ldconfig -p` for this machine's ABI (empty when there is no ldconfig)."""
    abi = {"x86_64": "libc6,x86-64", "aarch64": "libc6,AArch64", "ppc64le": "libc6,64bit",
           "s390x": "libc6,64bit", "riscv64": "libc6,64bit"}.get(os.uname().machine, "")
    for exe in ("/sbin/ldconfig", "/usr/sbin/ldconfig"):
        if os.path.exists(exe):
            try:
                text = subprocess.run([exe, "-p"], capture_output=True, text=True, errors="replace", check=False,
                                      env={"LC_ALL": "C", "LANG": "C"}, timeout=30).stdout
            except (OSError, subprocess.SubprocessError):
                return {}
            found: dict[str, str] = {}
            for m in re.finditer(r"^\s+(\S+)\s+\(([^)]*)\)\s+=>\s+(\S+)$", text, re.MULTILINE):
                if not abi or m.group(2).startswith(abi):
                    found.setdefault(m.group(1), m.group(3))
            return found
    return {}


def _find_library(name: str) -> str | None:
    """`ctypes.util.find_library` from the linker cache alone (its first step), never gcc or ld."""
    prefix = f"lib{name}."
    for soname in sorted(_linker_cache()):
        if soname.startswith(prefix) and ".so" in soname[len(prefix) - 1:]:
            return soname
    return None


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Whatever WeasyPrint, cffi, Pango or GLib print goes nowhere: Python's streams and fds 1, 2."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved: list[tuple[int, int]] = []
    devnull = os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)
    try:
        for fd in (1, 2):
            with contextlib.suppress(OSError):
                saved.append((fd, os.dup(fd)))
                os.dup2(devnull, fd)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for fd, copy in saved:
            os.dup2(copy, fd)
            os.close(copy)
        os.close(devnull)


def load() -> ModuleType:
    """Import WeasyPrint quietly and without running a compiler; PdfError if it cannot load."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    import ctypes.util

    saved = ctypes.util.find_library
    ctypes.util.find_library = _find_library
    try:
        with quiet():
            import weasyprint
    except Exception as e:  # noqa: BLE001 -- OSError from cffi, ImportError: whatever a broken install raises
        sys.modules.pop("weasyprint", None)
        raise PdfError(f"WeasyPrint cannot load ({type(e).__name__}); "
                       f"install its libraries (`bash .ci/system-deps`) or build without PDF: {FALLBACK}") from None
    finally:
        ctypes.util.find_library = saved
    module: ModuleType = weasyprint
    return module


def render_pdf(html: str, program: model.Program) -> bytes:
    weasyprint = load()
    identifier = hashlib.sha256(f"{program.sha256}:{program.id}:annex".encode()).hexdigest()[:32].encode()
    try:
        with quiet():
            doc = weasyprint.HTML(string=html, base_url=None).render()
            # No creation/modification dates in the HTML meta, so none in the PDF; the identifier is
            # derived from the source, so two builds of the same policy give the same bytes.
            pdf = doc.write_pdf(pdf_identifier=identifier, uncompressed_pdf=False)
    except Exception as e:  # noqa: BLE001 -- a third-party failure, reported in our words
        raise PdfError(f"WeasyPrint failed on the annex of {program.output_id} ({type(e).__name__}: {e})") from None
    if not isinstance(pdf, bytes):
        raise PdfError(f"WeasyPrint returned no PDF for the annex of {program.output_id}")
    return pdf
