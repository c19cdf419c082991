#!/usr/bin/env bash
# Build the digest and publish it to a web server you can reach over SSH.
#
#     examples/rsync.sh user@host:/var/www/digest/
#
# Run it in the site's folder (where site.yaml is).
#
# digest rewrites only the files whose bytes changed and leaves the others as they
# were, bytes and modification time, and `rsync -a` gives the server's copies the
# same times. So rsync's default quick check (same size and same time: skip)
# finds every unchanged page unchanged and uploads only what the build changed;
# --checksum is not needed (it would read every file on both sides to learn the
# same thing). --delete removes from the server the pages the build removed.
set -euo pipefail

target=${1:-user@host:/var/www/digest/}

digest build
rsync -a --delete public/ "$target"
