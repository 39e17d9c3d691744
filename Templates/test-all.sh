#!/usr/bin/env bash
# Builds and tests every template package against this checkout of Keel (each depends on it by
# relative path). CI runs this; it prints each template's time and the total.
#
# Each template is its own package with its own .build folder, so each compiles Keel's modules
# once; set KEEL_TEMPLATES_SCRATCH to a folder to keep those builds between runs.
set -euo pipefail
cd "$(dirname "$0")"
templates=(GradientClipper Optimizer Cell Initializer Monitor)
start=$(date +%s)
status=0
for template in "${templates[@]}"; do
    begin=$(date +%s)
    scratch=()
    if [[ -n "${KEEL_TEMPLATES_SCRATCH:-}" ]]; then scratch=(--scratch-path "$KEEL_TEMPLATES_SCRATCH/$template"); fi
    if swift build --build-tests --package-path "$template" "${scratch[@]}" 2>&1 | grep -E "error|warning:"; then
        echo "✘ $template: the build reported errors or warnings"
        status=1
    elif ! swift test --skip-build --package-path "$template" "${scratch[@]}" > "/tmp/keel-template-$template.log" 2>&1; then
        echo "✘ $template: tests failed (log: /tmp/keel-template-$template.log)"
        tail -20 "/tmp/keel-template-$template.log"
        status=1
    else
        echo "✔ $template: built and passed in $(( $(date +%s) - begin )) s"
    fi
done
echo "templates: $(( $(date +%s) - start )) s in total"
exit $status
