"""Font family names -> whether fontconfig can find them, and where it looked.

WeasyPrint asks fontconfig (through Pango) for each family the stylesheet
names and quietly takes another when it is missing; the DOCX names the
family regardless. This module asks fontconfig the same question first, so a
missing family becomes a warning that names it (and --strict fails on it).
It reads libfontconfig through ctypes: no WeasyPrint import, so a DOCX-only
build stays light. Where the library cannot be loaded, nothing is reported.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache

from pipeline.config.model import Layout

_FC_RESULT_MATCH = 0


@lru_cache(maxsize=1)
def _library() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("fontconfig") or "libfontconfig.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
    lib.FcPatternCreate.restype = ctypes.c_void_p
    lib.FcObjectSetBuild.restype = ctypes.c_void_p
    lib.FcObjectSetBuild.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    lib.FcFontList.restype = ctypes.c_void_p
    lib.FcFontList.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.FcPatternGetString.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_char_p),
    ]
    lib.FcFontSetDestroy.argtypes = [ctypes.c_void_p]
    lib.FcPatternDestroy.argtypes = [ctypes.c_void_p]
    lib.FcObjectSetDestroy.argtypes = [ctypes.c_void_p]
    lib.FcConfigGetFontDirs.restype = ctypes.c_void_p
    lib.FcConfigGetFontDirs.argtypes = [ctypes.c_void_p]
    lib.FcStrListNext.restype = ctypes.c_char_p
    lib.FcStrListNext.argtypes = [ctypes.c_void_p]
    lib.FcStrListDone.argtypes = [ctypes.c_void_p]
    lib.FcConfigDestroy.argtypes = [ctypes.c_void_p]
    return lib


class _FontSet(ctypes.Structure):
    _fields_ = [
        ("nfont", ctypes.c_int),
        ("sfont", ctypes.c_int),
        ("fonts", ctypes.POINTER(ctypes.c_void_p)),
    ]


@lru_cache(maxsize=1)
def _scan() -> tuple[frozenset[str], tuple[str, ...]] | None:
    """(every installed family, lower-cased; the font folders), or None without fontconfig."""
    lib = _library()
    if lib is None:
        return None
    config = lib.FcInitLoadConfigAndFonts()
    if not config:
        return None
    families: set[str] = set()
    pattern = lib.FcPatternCreate()
    objects = lib.FcObjectSetBuild(b"family", None)
    found = lib.FcFontList(config, pattern, objects)
    try:
        if found:
            fontset = ctypes.cast(found, ctypes.POINTER(_FontSet)).contents
            value = ctypes.c_char_p()
            for index in range(fontset.nfont):
                font = fontset.fonts[index]
                n = 0
                while lib.FcPatternGetString(font, b"family", n, ctypes.byref(value)) == 0:
                    if value.value:
                        families.add(value.value.decode("utf-8", "replace").casefold())
                    n += 1
    finally:
        if found:
            lib.FcFontSetDestroy(found)
        lib.FcObjectSetDestroy(objects)
        lib.FcPatternDestroy(pattern)
    folders: list[str] = []
    dirs = lib.FcConfigGetFontDirs(config)
    if dirs:
        while (folder := lib.FcStrListNext(dirs)) is not None:
            folders.append(folder.decode("utf-8", "replace"))
        lib.FcStrListDone(dirs)
    lib.FcConfigDestroy(config)
    # fontconfig lists every subfolder it scanned; the roots say where it looked.
    roots = [f for f in folders if not any(f.startswith(o.rstrip("/") + "/") for o in folders)]
    return frozenset(families), tuple(roots)


# Generic CSS families fontconfig always resolves to something.
GENERIC = frozenset({"serif", "sans-serif", "sans", "monospace", "mono", "cursive", "fantasy"})


def missing_font_warnings(layout: Layout) -> list[str]:
    """One warning per configured family that is neither installed nor a font file."""
    scanned = _scan()
    if scanned is None:
        return []
    installed, folders = scanned
    given = {font.family.casefold() for font in layout.fonts.files}
    fonts = layout.fonts
    wanted = dict.fromkeys(
        font.family for font in (fonts.body, fonts.heading, fonts.title, fonts.monospace)
    )
    shown = ", ".join(folders[:4]) + (f" and {len(folders) - 4} more" if len(folders) > 4 else "")
    return [
        f"font family '{family}' is not installed, so the PDF uses another one while the "
        f"DOCX names it (fontconfig looked in {shown or 'no folder'}); install it, "
        "list its file under layout.fonts.files, or choose an installed family "
        "(fc-list : family)"
        for family in wanted
        if family.casefold() not in installed
        and family.casefold() not in given
        and family.casefold() not in GENERIC
    ]


def is_installed(family: str) -> bool | None:
    """Whether fontconfig knows `family` (None: fontconfig cannot be asked)."""
    scanned = _scan()
    return None if scanned is None else family.casefold() in scanned[0]
