#!/usr/bin/env bash
# Times export-crm and observe on scenarios/million_leads.json (about a million contacts) and
# measures observe's peak memory on the same export with 20 more columns it does not read, so the
# memory proportional to the columns used (not to the file) shows. A benchmark, not a test: it
# prints measurements and asserts nothing. Usage: tools/bench_crm.sh [FUNNELSIM] [WORK_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
funnelsim="${1:-$root/build/funnelsim}"
work="${2:-$(mktemp -d)}"
mkdir -p "$work"
measure() {  # label, command...
  local label="$1"
  shift
  /usr/bin/time -f "$label: %e s wall, %U s user, %S s system, peak RSS %M KiB" "$@" >/dev/null
}
for format in hubspot salesforce; do
  rm -rf "$work/$format" "$work/$format.observed"
  measure "export-crm million_leads ($format)" "$funnelsim" export-crm "$root/scenarios/million_leads.json" \
    --format "$format" --quiet --out "$work/$format"
  leads=$(ls "$work/$format"/*.csv | grep -E 'contacts.csv|leads.csv')
  echo "  $(($(wc -l <"$leads") - 1)) rows, $(du -m "$leads" | cut -f1) MB"
  measure "observe ($format)" "$funnelsim" observe "$work/$format" --mapping "$work/$format/mapping.json" --quiet \
    --out "$work/$format.observed"
done
# The same contacts with 20 unused columns of 12 characters each appended: a wider file, the same
# columns read.
mkdir -p "$work/wide"
awk -v OFS=, 'NR == 1 { h = $0; for (i = 1; i <= 20; i++) h = h ",Custom " i; print h; next }
              { r = $0; for (i = 1; i <= 20; i++) r = r ",custom-value"; print r }' \
  "$work/hubspot/contacts.csv" >"$work/wide/contacts.csv"
echo "  wide copy: $(du -m "$work/wide/contacts.csv" | cut -f1) MB"
measure "observe (hubspot, 20 more columns)" "$funnelsim" observe "$work/wide" --mapping "$work/hubspot/mapping.json" \
  --quiet
echo "work folder: $work"
