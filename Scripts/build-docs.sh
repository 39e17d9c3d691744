#!/usr/bin/env bash
# Builds a DocC archive for every library module with the toolchain's `docc` (no package
# dependency): symbol graphs from `swift package dump-symbol-graph`, then `docc convert` of each
# module's catalog (Sources/<Module>/<Module>.docc) with warnings as errors. CI runs this.
#
#     Scripts/build-docs.sh [output directory]    (default .build/docs)
set -euo pipefail
cd "$(dirname "$0")/.."
modules=(KeelCore KeelLayers KeelOptimizers KeelMonitors KeelData KeelTrainer Keel KeelConformance KeelReport KeelDistributed KeelDoctor)
output="${1:-.build/docs}"
start=$(date +%s)
swift package dump-symbol-graph --minimum-access-level public > /dev/null
graphs="$(dirname "$(swift build --show-bin-path)")/symbolgraph"
work=$(mktemp -d "${TMPDIR:-/tmp}/keel-docs.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$output"
for module in "${modules[@]}"; do
    catalog="Sources/$module/$module.docc"
    [[ -d "$catalog" ]] || { echo "✘ $module: no DocC catalog at $catalog"; exit 1; }
    mkdir -p "$work/$module"
    # The module's own graph and its extensions of other modules' types.
    cp "$graphs/$module.symbols.json" "$work/$module/"
    cp "$graphs/$module"@*.symbols.json "$work/$module/" 2>/dev/null || true
    if ! docc convert "$catalog" --additional-symbol-graph-dir "$work/$module" --output-path "$output/$module.doccarchive" \
        --fallback-display-name "$module" --fallback-bundle-identifier "org.keel.$module" --warnings-as-errors \
        > "$work/$module.log" 2>&1; then
        grep -E "warning|error" "$work/$module.log" | head -40
        echo "✘ $module: docc reported warnings or errors"
        exit 1
    fi
    echo "✔ $module: $output/$module.doccarchive"
done
echo "docs: $(( $(date +%s) - start )) s in total"
