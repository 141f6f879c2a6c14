#!/usr/bin/env bash
# A module touches another module's data only through that module's
# interface: no file in src/<module>/ includes another module's
# *_store.h. (The compiler cannot see this rule, since the modules share one
# library; this check can.) Prints each offending include and fails.
set -euo pipefail
src="${1:?usage: module_stores.sh <source dir>}/src"
bad=0
for dir in "$src"/*/; do
  module=$(basename "$dir")
  case "$module" in http | cli | ops | base) continue ;; esac
  while IFS= read -r line; do
    echo "src/$module/$line"
    bad=1
  done < <(grep -Hn '#include "[a-z_]*/[a-z_]*_store\.h"' "$dir"*.h "$dir"*.cpp 2>/dev/null |
           sed "s|^$dir||" | grep -v "#include \"$module/" || true)
done
if [ "$bad" -ne 0 ]; then
  echo "module_stores: the includes above reach into another module's store; use its interface" >&2
  exit 1
fi
echo "module_stores: every module keeps to its own store"
