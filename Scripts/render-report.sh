#!/usr/bin/env bash
# Renders a Keel HTML report (keel demo / keel report) to a PNG with headless Chromium, to check
# that the plots are readable without opening a browser.
#
#   Scripts/render-report.sh [REPORT.html] [OUT.png] [WIDTH]
#
# Defaults: keel-demo-report.html, <report>.png, 1000 px wide. The page height is measured from
# the report's length so the whole page is captured. Needs Chromium (Debian: apt-get install -y chromium).
set -euo pipefail

report="${1:-keel-demo-report.html}"
output="${2:-${report%.html}.png}"
width="${3:-1000}"

if [[ ! -f "$report" ]]; then
    echo "render-report: $report: no such file (run 'swift run -c release keel demo' first)" >&2
    exit 1
fi
browser=""
for candidate in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$candidate" >/dev/null 2>&1; then browser="$candidate"; break; fi
done
if [[ -z "$browser" ]]; then
    echo "render-report: no Chromium found; install it (Debian/Ubuntu: apt-get install -y chromium)" >&2
    exit 1
fi

absolute="$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
# The report is static: estimate its height from the SVG heights and the text, generously; the
# extra white space at the bottom is harmless.
svg_height=$(grep -o 'height="[0-9.]*" role="img"' "$report" | grep -o '[0-9.]*' | awk '{s += $1} END {print int(s)}')
rows=$(grep -o '<tr>' "$report" | wc -l)
height=$(( ${svg_height:-0} + rows * 60 + 3000 ))

"$browser" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="${width},${height}" --screenshot="$output" "file://$absolute" >/dev/null 2>&1 || {
    # Older Chromium builds know only the old headless mode.
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --window-size="${width},${height}" --screenshot="$output" "file://$absolute" >/dev/null 2>&1
}
[[ -s "$output" ]] || { echo "render-report: Chromium wrote no screenshot" >&2; exit 1; }
echo "render-report: $output (${width}×${height})"
