#!/usr/bin/env bash
# Builds and tests every template package the way a third party uses it: each is copied out of the
# repository and its one Keel dependency line (see Templates/README.md) is pointed at this checkout,
# so a template that only works in place fails here. CI runs this; it prints each template's time
# and the total.
#
# Each template is its own package with its own build folder, so each compiles Keel's modules
# once; set KEEL_TEMPLATES_SCRATCH to a folder to keep those builds between runs.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
templates=(GradientClipper Optimizer Cell Initializer Monitor Layer GradientTransform)
work=$(mktemp -d "${TMPDIR:-/tmp}/keel-templates.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
status=0
for template in "${templates[@]}"; do
    begin=$(date +%s)
    copy="$work/$template"
    cp -R "$template" "$copy"
    rm -rf "$copy/.build"
    # The documented edit: the one `.package(name: "Keel", path: …)` line.
    sed -i.orig "s|path: \"../..\"|path: \"$root\"|" "$copy/Package.swift" && rm -f "$copy/Package.swift.orig"
    if ! grep -q "path: \"$root\"" "$copy/Package.swift"; then
        echo "✘ $template: the Keel dependency line was not found in Package.swift"
        status=1
        continue
    fi
    scratch=(--scratch-path "${KEEL_TEMPLATES_SCRATCH:-$work/build}/$template")
    if swift build --build-tests --package-path "$copy" "${scratch[@]}" 2>&1 | grep -E "error|warning:"; then
        echo "✘ $template: the build reported errors or warnings"
        status=1
    elif ! swift test --skip-build --package-path "$copy" "${scratch[@]}" > "$work/$template.log" 2>&1; then
        echo "✘ $template: tests failed"
        tail -20 "$work/$template.log"
        status=1
    elif [[ -d "${KEEL_TEMPLATES_SCRATCH:-$work/build}/$template/checkouts/swift-argument-parser" ]]; then
        echo "✘ $template: swift-argument-parser was fetched (the dependency should say traits: [])"
        status=1
    else
        echo "✔ $template: copied out, built and passed in $(( $(date +%s) - begin )) s"
    fi
done
echo "templates: $(( $(date +%s) - start )) s in total"
exit $status
