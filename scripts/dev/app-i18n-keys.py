#!/usr/bin/env python3
"""Writes tests/data/app-i18n-keys.json: every localization code the mGramSeva Flutter app asks
our server to translate, read from the app's source and from ours.

    python3 scripts/dev/app-i18n-keys.py /work/.mirror/egovernments+punjab-mgramseva/repo > tests/data/app-i18n-keys.json

The first argument is a git directory of egovernments/punjab-mgramseva (a bare mirror is fine);
the app is read at its HEAD under frontend/mgramseva/lib. Run from the root of this repository.

Groups (each a sorted list of codes):
- i18n_constants: every string of lib/utils/constants/i18_key_constants.dart.
- required_messages: `<label>_REQUIRED`, the message the app's text fields translate when a
  required field (isRequired: true, no requiredMessage) is left empty.
- app_literals: codes written out in the app's Dart code and passed to translate(): the home
  tiles, the search criteria, table labels, tab names, month names of DateFormat.
- mdms_codes: master-data codes the app translates: connection, property, category and expense
  types, `BL_<tax head>` on the payment screens, billing-slab attributes, the locality, the
  `DASHBOARD_<metric>` and `DASHBOARD_<feedback question>` labels built from our answers, and the
  state and demo tenants (the other village names are seeded from the tenant master, in English).
- error_codes: the `Errors[].code` values our server can answer (the app shows the translation of
  the first one): the `codes::` constants of src/error.rs and the string literals given as the code
  of AppError/ErrorDetail constructors under src/ (the OAuth lower-case codes are left out: the
  app shows their error_description).
"""

import json
import os
import re
import subprocess
import sys

APP = "frontend/mgramseva/lib"


def app_files(git_dir):
    names = subprocess.run(
        ["git", "-C", git_dir, "ls-tree", "-r", "--name-only", "HEAD", APP],
        check=True, capture_output=True, text=True).stdout.split()
    out = {}
    for n in names:
        if n.endswith(".dart") and not n.endswith(".g.dart"):
            out[n[len(APP) + 1:]] = subprocess.run(
                ["git", "-C", git_dir, "show", "HEAD:" + n],
                check=True, capture_output=True, text=True).stdout
    return out


def i18n_map(text):
    """`i18.<field>.<GETTER>` -> code."""
    fields = dict((f, c) for c, f in re.findall(r"static\s+(\w+)\s+(\w+)\s*=", text))
    classes = {}
    for m in re.finditer(r"class\s+(\w+)\s*\{(.*?)\n\}", text, re.S):
        classes[m.group(1)] = dict(
            re.findall(r"String\s+get\s+(\w+)\s*=>\s*'([^']*)'", m.group(2)))
    return {"i18.%s.%s" % (f, g): k
            for f, c in fields.items() for g, k in classes.get(c, {}).items()}


def calls(text, name):
    """The argument text of every `name(...)` call."""
    for m in re.finditer(r"\b%s\s*\(" % name, text):
        i = j = m.end()
        depth = 1
        while depth and j < len(text):
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            j += 1
        yield text[i:j - 1]


def required_messages(files, refs):
    out = set()
    for text in files.values():
        for widget in ["BuildTextField", "SearchSelectField", "BasicDateField", "AutoCompleteView"]:
            for args in calls(text, widget):
                if not re.search(r"isRequired\s*:\s*true", args) or "requiredMessage" in args:
                    continue
                named = re.search(r"labelText\s*:\s*(i18\.\w+\.\w+)", args)
                first = re.sub(r"\s+", "", args.split(",")[0]).strip("'${}")
                code = refs.get(named.group(1) if named else first)
                if code:
                    out.add(code + "_REQUIRED")
    return out


APP_LITERALS = [
    # home tiles (utils/constants.dart HOME_ITEMS) not in the i18n constants
    "CORE_HOUSEHOLD_REGISTER", "CORE_COLLECT_PAYMENTS", "DOWNLOAD_BILLS_AND_RECEIPTS",
    "CORE_UPDATE_EXPENSES", "CORE_GENERATE_DEMAND", "CORE_CONSUMER_CREATE",
    "CORE_UPDATE_CONSUMER_DETAILS", "CORE_GPWSC_DASHBOARD",
    # the gender values shown in the household register
    "MALE", "FEMALE", "TRANSGENDER",
    # household register tabs (Constants.ALL/PAID/PENDING) and dashboard tabs
    "ALL", "PAID", "PENDING", "all", "paid", "pending",
    # search criteria echoed on the results ("... name as Asha")
    "name", "connectionNumber", "oldConnectionNumber", " as ",
    # connection_details_card, bills_table
    "NA", "ledger_label",
    # DateFormat.MMM() and 'MMMM' month names
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    "January", "February", "March", "April", "June", "July", "August", "September",
    "October", "November", "December",
]


def mdms_codes(root):
    data = os.path.join(root, "data", "mdms")
    other = json.load(open(os.path.join(data, "other-masters.json")))
    out = set()
    wsm = other["ws-services-masters"]
    out |= {r["code"] for r in wsm["connectionType"]}
    out |= {r["code"] for r in wsm["Category"]}
    out |= {r["code"] for r in wsm["SubCategory"]}
    out |= {r["code"] for r in other["PropertyTax"]["PropertyType"]}
    out |= {r["code"] for r in json.load(open(os.path.join(data, "expense-types.json")))}
    # `BL_<tax head>` (payment screens) and `WS_<tax head>` (bill and demand lines)
    ws_heads = [t["code"] for t in json.load(open(os.path.join(data, "tax-heads.json")))
                if t["service"] == "WS"]
    out |= {p + c for c in ws_heads for p in ["BL_", "WS_"]}
    slabs = json.load(open(os.path.join(data, "billing-slabs.json")))
    for t in slabs["tariffs"]:
        for r in t["rows"]:
            out |= {r["buildingType"], r["calculationAttribute"]}
    with open(os.path.join(data, "boundaries.csv")) as f:
        head = f.readline().strip().split(",")
        col = head.index("locality_code")
        out |= {line.strip().split(",")[col] for line in f if line.strip()}
    # dashboard metrics: 'dashboard_<key>'.toUpperCase() of the RevenueDashboard and
    # ExpenseDashboard answers, and 'DASHBOARD_<code>' of the feedback questions (CheckList)
    out |= {"DASHBOARD_" + k.upper() for k in [
        "demand", "pendingCollection", "actualCollection", "residetialColllection",
        "comercialCollection", "othersCollection", "totalApplicationsCount",
        "residentialsCount", "comercialsCount", "advanceAdjusted", "pendingPenalty",
        "advanceCollection", "penaltyCollection", "totalExpenditure", "amountUnpaid",
        "amountPaid", "totalBills", "billsPaid", "pendingBills", "electricityBill",
        "OMMisc", "salary"]}
    out |= {"DASHBOARD_" + r["code"] for r in wsm["CheckList"]}
    out |= {"pb", "pb.lodhipur"}
    return out


ERROR_CALL = re.compile(
    r"(?:ErrorDetail::(?:field|new)|(?:AppError|Self)::(?:client|bad_request|invalid_field|"
    r"not_found|unauthorized|forbidden|conflict))\(")
# helpers that take the code first, like `fn bad(code: &str, message: &str, field: &str)`
HELPER = re.compile(r"fn (\w+)\((?:&mut self, )?code: &str, message")


def error_codes(root):
    src = os.path.join(root, "src")
    named = dict(re.findall(r'pub const (\w+): &str = "([^"]+)";',
                            open(os.path.join(src, "error.rs")).read()))
    texts = []
    for d, _, fs in os.walk(src):
        texts += [open(os.path.join(d, f)).read() for f in fs if f.endswith(".rs")]
    helpers = {h for t in texts for h in HELPER.findall(t)} - {"client", "bad_request",
                                                               "invalid_field", "not_found",
                                                               "unauthorized", "forbidden",
                                                               "conflict", "new", "field"}
    helper_call = re.compile(r"\b(?:%s)\(\s*\"([A-Z][A-Za-z0-9_.]*)\"\s*," % "|".join(sorted(helpers)))
    out = set(named.values())
    for text in texts:
        for m in ERROR_CALL.finditer(text):
            args = text[m.end():m.end() + 400]
            args = re.sub(r"^\s*[\w:]*StatusCode::\w+\s*,", "", args)
            first = first_arg(args)
            out |= {named[c] for c in re.findall(r"codes::(\w+)", first) if c in named}
            out |= set(re.findall(r'"([A-Za-z][A-Za-z0-9_.]*)"', first))
        out |= set(helper_call.findall(text))
    return {c for c in out if not c.islower()}


def first_arg(args):
    depth = 0
    for i, ch in enumerate(args):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return args[:i]
            depth -= 1
        elif ch == "," and depth == 0:
            return args[:i]
    return args


def main():
    git_dir = sys.argv[1]
    root = os.getcwd()
    files = app_files(git_dir)
    refs = i18n_map(files["utils/constants/i18_key_constants.dart"])
    constants = set(re.findall(r"'([^']*)'", files["utils/constants/i18_key_constants.dart"]))
    head = subprocess.run(["git", "-C", git_dir, "rev-parse", "HEAD"],
                          check=True, capture_output=True, text=True).stdout.strip()
    out = {
        "_comment": [
            "The localization codes the mGramSeva app translates; written by scripts/dev/app-i18n-keys.py",
            "from egovernments/punjab-mgramseva@%s (%s) and this repository's data/mdms and src."
            % (head, APP),
            "tests/api/app_i18n.rs asks for them as the app does and checks every one is answered.",
        ],
        "i18n_constants": sorted(constants),
        "required_messages": sorted(required_messages(files, refs)),
        "app_literals": sorted(set(APP_LITERALS)),
        "mdms_codes": sorted(mdms_codes(root)),
        "error_codes": sorted(error_codes(root)),
    }
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
