#!/usr/bin/env bash
# Writes the shipped sample CRM export, data/crm_sample/: five weeks of scenarios/nurture_recycle.json
# after a three-week warm-up (about 3,900 contacts, recycled ones with their history) as a HubSpot
# export with --messy defects, as `funnelsim export-crm` makes it. A test runs this script into a temporary folder and compares every file with the committed
# sample byte for byte, so the sample is always what the current funnelsim writes.
# Usage: tools/make_crm_sample.sh [FUNNELSIM] [OUT_DIR]   (defaults: build/funnelsim, data/crm_sample)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
funnelsim="${1:-$root/build/funnelsim}"
out="${2:-$root/data/crm_sample}"
"$funnelsim" export-crm "$root/scenarios/nurture_recycle.json" --set /horizon_days=35 --set /warmup_days=21 \
  --format hubspot --messy \
  --replication 0 --quiet --out "$out"
