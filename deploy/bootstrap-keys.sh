#!/bin/sh
# Creates, once, the keys the compose stack's consumers use: a read key for Grafana and a write
# key for k6, of project "default" (which Sluice creates on its first start on an empty
# database). They go into the directory given (default /var/lib/sluice, the `keys` volume);
# a key already there is kept, so a restart of the stack makes no new keys.
set -eu
dir="${1:-/var/lib/sluice}"
# The sluice command (the image's by default).
cli="${KEYS_CLI:-node /app/bin/sluice.js}"
umask 022

for kind in read write; do
  file="$dir/$kind-key"
  if [ -s "$file" ]; then
    echo "keys: $kind key exists ($file)"
    continue
  fi
  # `sluice keys create` prints {"id", "key", "project", "kind"} as one JSON line.
  $cli keys create --project default --kind "$kind" --name "compose-$kind" \
    | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => process.stdout.write(JSON.parse(s).key));' \
    > "$file.tmp"
  mv "$file.tmp" "$file"
  echo "keys: created a $kind key for project default ($file)"
done
