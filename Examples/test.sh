#!/usr/bin/env bash
# Builds and tests the third-party example package(s) against this checkout, warning-free, runs
# `swift package check-conformance` there, and checks that a package depending only on Keel's
# libraries (`traits: []`) neither fetches nor builds swift-argument-parser. CI runs this.
set -euo pipefail
cd "$(dirname "$0")"
scratch="${KEEL_EXAMPLES_SCRATCH:-$(mktemp -d "${TMPDIR:-/tmp}/keel-examples.XXXXXX")}"
start=$(date +%s)
for example in ClipAwareComponents; do
    build="$scratch/$example"
    if swift build --build-tests --package-path "$example" --scratch-path "$build" 2>&1 | grep -E "error|warning:"; then
        echo "✘ $example: the build reported errors or warnings"
        exit 1
    fi
    if [[ -e "$build/checkouts/swift-argument-parser" ]] || grep -rq "swift-argument-parser" "$build/workspace-state.json"; then
        echo "✘ $example: swift-argument-parser was resolved for a package that uses only Keel's libraries"
        exit 1
    fi
    if ls "$build"/debug/ArgumentParser* > /dev/null 2>&1; then
        echo "✘ $example: swift-argument-parser was built"
        exit 1
    fi
    swift test --skip-build --package-path "$example" --scratch-path "$build" > "$scratch/$example-test.log" 2>&1 \
        || { tail -30 "$scratch/$example-test.log"; echo "✘ $example: tests failed"; exit 1; }
    # The plugin from the consumer's side: the per-law summary first, every law verified or marked.
    (cd "$example" && swift package --scratch-path "$build" check-conformance) > "$scratch/$example-check.log" 2>&1 \
        || { head -60 "$scratch/$example-check.log"; echo "✘ $example: check-conformance failed"; exit 1; }
    # (SwiftPM's build of the plugin's tool prints first; the plugin prints the summary, then the raw log.)
    summary=$(grep -n "^Conformance summary" "$scratch/$example-check.log" | head -1 | cut -d: -f1)
    raw=$(grep -n "^Raw test log" "$scratch/$example-check.log" | head -1 | cut -d: -f1)
    [[ -n "$summary" && -n "$raw" && "$summary" -lt "$raw" ]] || { echo "✘ $example: the summary does not come before the raw log"; exit 1; }
    echo "✔ $example: built without swift-argument-parser, tests and check-conformance passed"
done
echo "examples: $(( $(date +%s) - start )) s in total"
