"""`genlib text-eval MODEL --file F`: bits per character of a UTF-8 text under a character model."""

from __future__ import annotations

import json
from pathlib import Path


def cmd_text_eval(args) -> int:
    from genlib import text
    from genlib.errors import GenLabError

    try:
        raw = Path(args.file).read_bytes()
    except OSError as e:
        raise GenLabError(f"Cannot read {args.file}: {e.strerror}.") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise GenLabError(f"{args.file} is not UTF-8 text (byte {e.start}).") from None
    r = text.score(args.model, content, split=args.split, prefix=args.prefix)
    info = {"model": args.model, "file": args.file, "bits_per_char": round(r.bits_per_char, 4),
            "examples": r.examples, "characters": r.characters, "unknown_characters": r.unknown_count,
            "unknown": r.unknown, "seconds": round(r.seconds, 3)}
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
        return 0
    print(f"{r.bits_per_char:.4f} bits per character over {r.characters:,} characters in {r.examples:,} example(s)")
    if r.unknown:
        print(f"{r.unknown_count:,} character(s) outside the model's alphabet were read as <unk> and not scored: "
              + " ".join(repr(c) for c in r.unknown[:20]))
    return 0


def add(sub) -> None:
    s = sub.add_parser("text-eval", help="bits per character of a UTF-8 text file under a character model")
    s.add_argument("model")
    s.add_argument("--file", required=True)
    s.add_argument("--split", choices=["line", "paragraph", "whole"],
                   help="how the file is cut into examples (default: as the model's corpus — names and dialogue one "
                        "per line, fortunes by paragraph)")
    s.add_argument("--prefix", default="", help="put before every example, e.g. '<female>' for a names model")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_text_eval)
