#!/usr/bin/env bash
# The module-face rules of issue 11, as greps: no module names another's repo or model, services
# do not import the HTTP layer, no hand-written .rs file over 800 lines (the schema excepted).
# Exits 1 and lists what breaks a rule.
set -u
cd "$(dirname "$0")/.."
fail=0
# module directory => the paths that may name its repo/model
for m in business/billing business/collection municipal/water; do
  name=${m##*/}
  hits=$(grep -rnE "${name}::(repo|model)\b" src --include=*.rs | grep -v "^src/${m}/" || true)
  if [ -n "$hits" ]; then
    echo "outside ${m}: ${name}'s repo or model named"; echo "$hits"; fail=1
  fi
done
hits=$(grep -rnE "^use crate::http|crate::http::" src/platform src/business src/municipal --include=service.rs || true)
if [ -n "$hits" ]; then
  echo "a service imports the HTTP layer"; echo "$hits"; fail=1
fi
big=$(find src -name '*.rs' ! -path 'src/db/schema.rs' -exec wc -l {} + | awk '$2 != "total" && $1 > 800')
if [ -n "$big" ]; then
  echo "files over 800 lines:"; echo "$big"; fail=1
fi
exit $fail
