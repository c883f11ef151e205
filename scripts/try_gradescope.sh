#!/usr/bin/env bash
# Try an exported Gradescope bundle the way Gradescope runs it, on this machine:
# setup.sh, then run_autograder for a submission, in a temporary folder laid out like
# /autograder (AUTOGRADER_ROOT), with the Python interpreter you name standing in for the
# image's python3 (MLKATA_SETUP_PYTHON). setup.sh pip-installs requirements.txt from PyPI.
#
#   scripts/try_gradescope.sh autograder.zip SUBMISSION.py /path/to/python3.10
#
# Prints the results.json it wrote. Exit status: 0 when setup.sh and run_autograder ran.
set -euo pipefail
zip="$1" submission="$2" python="$3"
root="$(mktemp -d "${TMPDIR:-/tmp}/autograder.XXXXXX")"
mkdir -p "$root/submission"
"$python" -m zipfile -e "$zip" "$root/source"
chmod +x "$root/source/setup.sh" "$root/source/run_autograder"
echo "== $("$python" --version) · AUTOGRADER_ROOT=$root"
AUTOGRADER_ROOT="$root" MLKATA_SETUP_PYTHON="$python" bash "$root/source/setup.sh" \
  > "$root/setup.log" 2>&1 || { tail -n 30 "$root/setup.log"; exit 1; }
echo "== setup.sh: ok ($("$root/venv/bin/python" --version))"
cp "$submission" "$root/submission/"
(cd "$root" && AUTOGRADER_ROOT="$root" "$root/source/run_autograder")
echo "== results/results.json"
cat "$root/results/results.json"
