#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# ui/vendor.sh - refresh ui/vendor/ from the npm packages pinned by
# ui/package-lock.json (npm ci: exact versions and integrity hashes), and
# record their SHA-256 in ui/vendor/SHA256SUMS, which the build checks.
# The console needs no build step: these files are served as they are.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts
mkdir -p vendor
cp node_modules/htm/preact/standalone.module.js vendor/preact-htm.mjs
# uPlot's minified build is an IIFE assigning `var uPlot`: as a module that
# binding is module-scoped, and exporting it makes it an ES module.
{ cat node_modules/uplot/dist/uPlot.iife.min.js; printf '\nexport default uPlot;\n'; } \
	> vendor/uplot.mjs
cp node_modules/uplot/dist/uPlot.min.css vendor/uplot.css
cp node_modules/htm/LICENSE vendor/LICENSE.htm 2>/dev/null || true
cp node_modules/uplot/LICENSE vendor/LICENSE.uplot 2>/dev/null || true
(cd vendor && sha256sum preact-htm.mjs uplot.mjs uplot.css > SHA256SUMS)
echo "ui/vendor: $(cd vendor && cat SHA256SUMS | wc -l) files"
