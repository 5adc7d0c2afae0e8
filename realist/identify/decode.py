"""Turn the bytes of an export file into clean text.

Exports arrive in every encoding a database or reference manager ever used:
UTF-8 with or without a byte-order mark, UTF-16 (EndNote and some Windows
tools, with or without a BOM), cp1252 or latin-1 from old desktop software,
and classic-Mac CR-only, Windows CRLF or mixed line endings.  :func:`decode_bytes`
returns one ``str`` with ``\\n`` line endings and no leading BOM, whatever came in.

Order of attempts (cheap to expensive): BOM sniffing; BOM-less UTF-16 by the
pattern of NUL bytes; strict UTF-8; cp1252 when every byte is defined there
(with a sanity check that it does not look like another single-byte code page
chosen by charset-normalizer on a small sample); latin-1 as the last resort,
which never fails.  Binary input (many NULs that are not UTF-16) is refused.
Zip containers (XLSX) are binary and must be recognised before calling this.
"""

from __future__ import annotations

import codecs

from realist.errors import ImportFormatError

__all__ = ["decode_bytes", "decode_with_notes", "is_zip"]

_ZIP_MAGIC = b"PK\x03\x04"


def is_zip(data: bytes) -> bool:
    """True for a zip container (XLSX, DOCX ...), which is not text."""
    return data[:4] == _ZIP_MAGIC


def _normalise_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            text = text.replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """Detect BOM-less UTF-16 from where the NUL bytes sit in ASCII-heavy text."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        encoding = "utf-16-le"
    elif even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return data.decode(encoding, errors="replace")


def decode_with_notes(data: bytes, *, file: str | None = None) -> tuple[str, list[str]]:
    """Decode ``data`` and say how: returns ``(text, notes)``.

    ``notes`` lists anything a user may want to know (a BOM removed, a
    fallback encoding used, line endings converted).
    """
    notes: list[str] = []
    converted = False
    if is_zip(data):
        raise ImportFormatError("is a zip container (an XLSX workbook?), not a text export", file=file)
    if data.startswith(codecs.BOM_UTF8):
        # CR and LF bytes never occur inside a UTF-8 sequence and end any
        # broken one, so converting line endings on the bytes gives the same
        # text as converting them after decoding, without a second copy of
        # the (up to four times larger) decoded text.
        unix, converted = _unix_newlines(data)
        text = codecs.utf_8_decode(memoryview(unix)[3:], "replace", True)[0]
        del unix
        notes.append("UTF-8 byte-order mark removed")
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        text = data.decode("utf-16", errors="replace")
        notes.append("decoded as UTF-16 (byte-order mark)")
    else:
        maybe16 = _utf16_without_bom(data) if b"\x00" in data[:4000] else None
        if maybe16 is not None:
            text = maybe16
            notes.append("decoded as UTF-16 without byte-order mark")
        else:
            if data.count(b"\x00", 0, 65536) > 0:
                raise ImportFormatError("is not a text export (it contains binary data)", file=file)
            strict: str | None = None
            note: str | None = None
            if b"\r" in data:
                # Same reasoning as above for strict UTF-8; anything else is
                # decoded from the original bytes as before.
                unix, converted = _unix_newlines(data)
                try:
                    strict = unix.decode("utf-8")
                except UnicodeDecodeError:
                    converted = False
                del unix
            if strict is None:
                text, note = _decode_single(data)
            else:
                text = strict
            if note:
                notes.append(note)
    if converted:
        notes.append("line endings converted to \\n")
    elif "\r" in text:
        notes.append("line endings converted to \\n")
        text = _normalise_newlines(text)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, notes


def _unix_newlines(data: bytes) -> tuple[bytes, bool]:
    """``data`` with CRLF and lone CR as LF; and whether anything changed."""
    if b"\r" not in data:
        return data, False
    data = data.replace(b"\r\n", b"\n")
    if b"\r" in data:
        data = data.replace(b"\r", b"\n")
    return data, True


def _decode_single(data: bytes) -> tuple[str, str | None]:
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as err:
        # Mostly UTF-8 with a few broken bytes: keep UTF-8 and replace.
        bad = _count_utf8_errors(data, err.start)
        if bad <= 3 and len(data) > 1000:
            return data.decode("utf-8", errors="replace"), (
                f"{bad} undecodable byte(s) replaced (file is otherwise UTF-8)"
            )
    # charset-normalizer is unreliable on tiny samples (it picks cp1251 for
    # 'café'); western exports are overwhelmingly cp1252 then.
    guess = _charset_normalizer_guess(data) if len(data) >= 2000 else None
    if guess:
        try:
            return data.decode(guess), f"decoded as {guess} (not UTF-8)"
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("cp1252"), "decoded as cp1252 (not UTF-8)"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "decoded as latin-1 (not UTF-8)"


def _count_utf8_errors(data: bytes, first: int) -> int:
    decoded = data[first:].decode("utf-8", errors="replace")
    return decoded.count("\ufffd") + 1 if decoded else 1


def _charset_normalizer_guess(data: bytes) -> str | None:
    """Ask charset-normalizer about a bounded sample (it is slow on big files)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it is a declared dependency
        return None
    best = from_bytes(data[:200_000]).best()
    if best is None:
        return None
    encoding = best.encoding
    # For western text cp1252 is the safer superset of latin-1.
    return "cp1252" if encoding in ("latin_1", "iso8859_1", "ascii") else encoding


def decode_bytes(data: bytes, *, file: str | None = None) -> str:
    """Decode an export file's bytes to text with ``\\n`` line endings, no BOM.

    Raises :class:`ImportFormatError` only for binary input.
    """
    return decode_with_notes(data, file=file)[0]
