#!/usr/bin/env python3
"""Describe the wire contract of the mGramSeva app's answer models.

Reads the app's generated `lib/**/*.g.dart` files (json_serializable output) and the few
hand-written `fromJson` constructors the replay needs, and writes, for each model class, the JSON
type each field must have for the app's `fromJson` not to throw (tests/data/app-models.json, read
by tests/api/app_models.rs).

    scripts/dev/app-models.py /work/.mirror/egovernments+punjab-mgramseva/repo > tests/data/app-models.json

The argument is the app's repository: a bare git directory (read at HEAD, or at the commit given
as a second argument) or a checkout. Python 3 standard library only.

Types (a field's value; a list of them means every one applies, as when the app reads one key into
several models):
  string   `as String?`                   int   `as int?` (an integer literal)
  num      `as num?`, `.toInt()`, `.toDouble()`
  bool     `as bool?`                     map   `as Map<String, dynamic>?`
  list     `as List<dynamic>?`            any   `json['x']` used as dynamic
  model:N  `N.fromJson(json['x'] as Map<String, dynamic>)`
  list:T   a list whose items are T (T a type above, or a model name for list:model:N)
  mapof:T  a map whose values are T
A trailing `!` marks a field the app reads without `?`: null or absent throws too.
Class names used in several files are written Name@file-stem (AuditDetails@billing).
"""

import json
import os
import posixpath
import re
import subprocess
import sys

LIB = "frontend/mgramseva/lib"
HAND_WRITTEN = ["model/localization/language.dart", "model/mdms/payment_type.dart"]


class Source:
    """The app's files, from a bare git directory or a checkout."""

    def __init__(self, path, commit):
        self.path = path
        self.git = not os.path.isdir(os.path.join(path, LIB))
        self.commit = commit or "HEAD"
        if self.git:
            self.commit = self._git("rev-parse", self.commit).strip()

    def _git(self, *args):
        return subprocess.run(
            ["git", "-C", self.path, *args], check=True, capture_output=True, text=True
        ).stdout

    def files(self):
        if self.git:
            names = self._git("ls-tree", "-r", "--name-only", self.commit, LIB).splitlines()
            return [n[len(LIB) + 1 :] for n in names]
        out = []
        root = os.path.join(self.path, LIB)
        for d, _, fs in os.walk(root):
            for f in fs:
                out.append(os.path.relpath(os.path.join(d, f), root).replace(os.sep, "/"))
        return out

    def read(self, rel):
        if self.git:
            return self._git("show", f"{self.commit}:{LIB}/{rel}")
        with open(os.path.join(self.path, LIB, rel), encoding="utf-8") as f:
            return f.read()


def stem(rel):
    return posixpath.basename(rel).split(".")[0]


# --- generated code ------------------------------------------------------------------------

FROM_JSON = re.compile(r"^(\w+) _\$(\w+)FromJson\(\s*Map<String, dynamic> json\)", re.M)
KEY = re.compile(r"json\['([^']+)'\]")
SCALARS = {"String": "string", "int": "int", "num": "num", "bool": "bool", "double": "num"}


def generated_functions(text):
    """(class name, body) of every `_$XFromJson` function of a .g.dart file."""
    starts = list(FROM_JSON.finditer(text))
    out = []
    for m in starts:
        end = text.find("\nMap<String, dynamic> _$", m.end())
        nxt = [s.start() for s in starts if s.start() > m.start()]
        stop = min([e for e in [end] + nxt[:1] if e != -1] or [len(text)])
        out.append((m.group(1), text[m.end() : stop]))
    return out


def item_type(after):
    """The type of a list's items from the `?.map((e) => ...)` after `as List<dynamic>?)`."""
    m = re.match(r"\s*\??\.map\(\s*\(e\)\s*=>\s*(\w+)\.fromJson\(\s*e as Map<String, dynamic>\)", after)
    if m:
        return "model:" + m.group(1)
    m = re.match(r"\s*\??\.map\(\s*\(e\)\s*=>\s*e as (\w+)\??\)", after)
    if m:
        return SCALARS[m.group(1)]
    m = re.match(
        r"\s*\??\.map\(\s*\(e\)\s*=>\s*\(e as Map<String, dynamic>\)\.map\(\s*\(k, e\)\s*=>\s*MapEntry\(\s*k,\s*"
        r"\(e as List<dynamic>\)\s*\.map\(\(e\)\s*=>\s*(\w+)\.fromJson\(e as Map<String, dynamic>\)\)",
        after,
    )
    if m:
        return "mapof:list:model:" + m.group(1)
    if re.match(r"\s*[;,)]|\s*\n\s*(\.\.|\w+:)", after) or after.strip() == "":
        return None
    raise ValueError("unknown list form: " + after[:120])


def classify(before, after):
    """The type of one `json['k']` use, from the text around it; None for a null test."""
    if re.match(r"\s*[=!]= null", after):
        return None
    m = re.match(r"\s*as\s+List<dynamic>(\??)\)", after)
    if m and before.rstrip().endswith("("):
        item = item_type(after[m.end() :])
        t = "list" if item is None else "list:" + item
        return t + ("" if m.group(1) else "!")
    m = re.match(r"\s*as\s+List<dynamic>(\??)", after)
    if m:
        return "list" + ("" if m.group(1) else "!")
    m = re.search(r"(\w+)\.fromJson\(\s*$", before)
    if m and re.match(r"\s*as\s+Map<String, dynamic>\)", after):
        nullable = re.search(r"==\s*null\s*\?\s*null\s*:\s*\w+\.fromJson\(\s*$", before)
        return "model:" + m.group(1) + ("" if nullable else "!")
    m = re.match(r"\s*as\s+Map<String, dynamic>(\??)", after)
    if m:
        return "map" + ("" if m.group(1) else "!")
    m = re.match(r"\s*as\s+num(\??)\)\s*\??\.to(Int|Double)\(\)", after)
    if m and before.rstrip().endswith("("):
        return "num" + ("" if m.group(1) else "!")
    m = re.match(r"\s*as\s+(String|int|num|bool|double)(\?)?(\s*\?\?)?", after)
    if m:
        nullable = m.group(2) or m.group(3)
        return SCALARS[m.group(1)] + ("" if nullable else "!")
    if re.match(r"\s*([,;)]|as\s+dynamic\??|\n\s*(\.\.|\w+\s*:))", after) or after.strip() == "":
        return "any"
    raise ValueError("unknown form: " + before[-60:] + " <json> " + after[:80])


def generated_fields(body):
    # A hand-edited form that takes an int or a double: the same as `as num?` then toInt.
    body = re.sub(
        r"json\['([^']+)'\]\s*is double\s*\?\s*json\['\1'\]\.toInt\(\)\s*:\s*json\['\1'\] as int\?",
        r"(json['\1'] as num?)?.toInt()",
        body,
    )
    fields = {}
    for m in KEY.finditer(body):
        t = classify(body[max(0, m.start() - 200) : m.start()], body[m.end() : m.end() + 600])
        if t is None:
            continue
        key = m.group(1)
        if key in fields and fields[key] != t:
            raise ValueError(f"two types for {key}: {fields[key]} and {t}")
        fields[key] = t
    return fields


# --- hand-written code ---------------------------------------------------------------------

CLASS = re.compile(r"^class (\w+)\s*\{", re.M)
DECL = re.compile(r"^\s*(?:final\s+|late\s+)?([\w<>, ?]+?)\s+(\w+)(?:\s*=\s*[^;]+)?;", re.M)


def dart_type(decl):
    decl = decl.replace(" ", "").rstrip("?")
    if decl in SCALARS:
        return SCALARS[decl]
    if decl in ("dynamic", "Object"):
        return "any"
    if decl.startswith("Map"):
        return "map"
    if decl.startswith("List"):
        return "list"
    return "model:" + decl


def hand_written_classes(text):
    """(class name, fields) of every class with a hand-written `X.fromJson(Map json) {...}`."""
    out = []
    text = re.sub(r"^\s*//[^\n]*", "", text, flags=re.M)
    for m in CLASS.finditer(text):
        name = m.group(1)
        nxt = CLASS.search(text, m.end())
        cls = text[m.end() : nxt.start() if nxt else len(text)]
        ctor = re.search(name + r"\.fromJson\(Map<String, dynamic> json\)\s*\{", cls)
        if not ctor:
            continue
        decls = {d.group(2): d.group(1) for d in DECL.finditer(cls[: ctor.start()])}
        body = cls[ctor.end() : cls.find("\n  }", ctor.end())]
        fields = {}

        def put(key, t):
            prev = fields.get(key)
            if prev is None:
                fields[key] = t
            elif t not in (prev if isinstance(prev, list) else [prev]):
                fields[key] = (prev if isinstance(prev, list) else [prev]) + [t]

        for s in re.finditer(r"json\['([^']+)'\]\.forEach\(\(v\)\s*\{\s*\w+[!?]?\.add\(new (\w+)\.fromJson\(v\)\)", body):
            put(s.group(1), "list:model:" + s.group(2))
        for s in re.finditer(r"(\w+)\s*=\s*json\['([^']+)'\]\s*!= null\s*\?\s*new (\w+)\.fromJson\(json\['\2'\]\)", body):
            put(s.group(2), "model:" + s.group(3))
        for s in re.finditer(r"(\w+)\s*=\s*json\['([^']+)'\]\s*(\?\?[^;]*)?;", body):
            put(s.group(2), dart_type(decls[s.group(1)]))
        seen = set(KEY.findall(body))
        if seen - set(fields):
            raise ValueError(f"{name}: keys not understood: {sorted(seen - set(fields))}")
        out.append((name, fields))
    return out


# --- naming --------------------------------------------------------------------------------

def imports(text, rel):
    out = []
    for m in re.finditer(r"^import '([^']+)'", text, re.M):
        p = m.group(1)
        if p.startswith("package:mgramseva/"):
            out.append(p[len("package:mgramseva/") :])
        elif not p.startswith(("package:", "dart:")):
            out.append(posixpath.normpath(posixpath.join(posixpath.dirname(rel), p)))
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    src = Source(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
    files = sorted(f for f in src.files() if f.endswith(".g.dart"))
    classes = []  # (name, library .dart path, fields)
    for g in files:
        lib = g[: -len(".g.dart")] + ".dart"
        for name, body in generated_functions(src.read(g)):
            classes.append((name, lib, generated_fields(body)))
    for lib in HAND_WRITTEN:
        for name, fields in hand_written_classes(src.read(lib)):
            classes.append((name, lib, fields))

    where = {}
    for name, lib, _ in classes:
        where.setdefault(name, set()).add(lib)
    libs_imports = {lib: imports(src.read(lib), lib) for lib in {c[1] for c in classes}}

    def qualified(name, lib):
        return name if len(where[name]) == 1 else f"{name}@{stem(lib)}"

    def resolve(name, lib):
        found = where.get(name)
        if not found:
            raise ValueError(f"{lib}: {name} is not a model")
        if len(found) == 1:
            return name
        if lib in found:
            return qualified(name, lib)
        hits = [i for i in libs_imports[lib] if i in found]
        if len(hits) != 1:
            raise ValueError(f"{lib}: cannot tell which {name} ({sorted(found)})")
        return qualified(name, hits[0])

    def resolve_type(t, lib):
        bang = "!" if t.endswith("!") else ""
        t = re.sub(r"model:(\w+)", lambda m: "model:" + resolve(m.group(1), lib), t.rstrip("!"))
        return t.replace("list:model:", "list:") + bang

    models = {}
    for name, lib, fields in classes:
        out = {}
        for key, t in fields.items():
            out[key] = [resolve_type(x, lib) for x in t] if isinstance(t, list) else resolve_type(t, lib)
        models[qualified(name, lib)] = {"file": lib, "fields": out}

    doc = {
        "about": "The JSON type each field of the mGramSeva app's answer models must have for the "
        "app's fromJson not to throw. Generated by scripts/dev/app-models.py; see its header for "
        "the type names.",
        "source": {
            "repository": "egovernments/punjab-mgramseva",
            "path": LIB,
            "commit": src.commit if src.git else None,
            "generated_files": len(files),
            "hand_written_files": HAND_WRITTEN,
        },
        "models": dict(sorted(models.items())),
    }
    json.dump(doc, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
