"""List and fill the web catalogues' untranslated or fuzzy entries (a helper for `make translations`).

    python scripts/po_todo.py list [LANG] > todo.txt   # numbered msgids still to translate in LANG (fr)
    python scripts/po_todo.py fill LANG answers.txt    # answers: "N<TAB>translation" per line;
                                                       # plural forms separated by " || "

`fill` writes only the numbered entries it is given, clears their fuzzy flag and previous msgid,
and refuses a translation whose %(name)s placeholders differ from the msgid's. Run it after the
extract/update steps of `make translations` and before the compile step.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Message
from babel.messages.pofile import read_po, write_po

LOCALES = Path(__file__).resolve().parents[1] / "realist" / "web" / "locale"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}")


def _po(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / "messages.po"


def _todo(lang: str = "fr") -> list[Message]:
    with _po(lang).open("rb") as f:
        catalog = read_po(f)
    out = []
    for m in catalog:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy or not all(strings):
            out.append(m)
    return out


def _key(m: Message) -> str:
    return m.id if isinstance(m.id, str) else m.id[0]


def main(argv: list[str]) -> int:
    if argv[:1] == ["list"]:
        lang = argv[1] if len(argv) > 1 else "fr"
        for i, m in enumerate(_todo(lang)):
            print(i, repr(m.id))
        return 0
    if len(argv) != 3 or argv[0] != "fill":
        print(__doc__, file=sys.stderr)
        return 2
    lang, answers = argv[1], Path(argv[2])
    todo = _todo(lang)  # numbering follows `list LANG` (the same in every language after an update)
    with _po(lang).open("rb") as f:
        catalog = read_po(f)
    nplurals = catalog.num_plurals
    problems = []
    for line_no, line in enumerate(answers.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        number, _, text = line.partition("\t")
        source = todo[int(number)]
        msg = catalog.get(source.id)
        if msg is None:
            problems.append(f"{answers}:{line_no}: entry {number} not in {lang}")
            continue
        ids = source.id if isinstance(source.id, tuple) else (source.id,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        if isinstance(source.id, tuple):
            forms = tuple(part.strip() for part in text.split(" || "))
            if len(forms) != nplurals:
                problems.append(f"{answers}:{line_no}: {lang} needs {nplurals} plural forms, got {len(forms)}")
                continue
        else:
            forms = (text.strip(),)
        for form in forms:
            if set(PLACEHOLDER.findall(form)) != wanted and not (
                isinstance(source.id, tuple) and set(PLACEHOLDER.findall(form)) <= wanted
            ):
                problems.append(f"{answers}:{line_no}: placeholders differ from {_key(source)!r}")
        msg.string = forms if isinstance(source.id, tuple) else forms[0]
        msg.flags.discard("fuzzy")
        msg.previous_id = []
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    with _po(lang).open("wb") as f:
        write_po(f, catalog, width=None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
