#!/usr/bin/env bash
# Runs one fuzz target, seeded from the project's own test inputs.
#
#   fuzz/run.sh <load_questionnaire|parse_answers|assess|extreme_numbers> [seconds]
#
# New inputs go to fuzz/corpus/<target>/ (not committed); the seed folders
# are read-only extra corpora, so the committed test files are never
# touched. Crashes land in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
target="${1:?usage: fuzz/run.sh <target> [seconds]}"
seconds="${2:-600}"
# Inputs may grow to twice the shipped questionnaire, so that it is mutated
# whole rather than cut short.
case "$target" in
  load_questionnaire) seeds=(../questionnaires ../tests/fixtures ../tests/errors/questionnaires ../tests/hostile/questionnaires) max_len=163840 ;;
  parse_answers | assess) seeds=(../tests/cases ../tests/errors/answers ../examples ../tests/hostile/answers ../tests/hostile/accepted) max_len=65536 ;;
  # Structured: the bytes choose numbers, not text; no seeds needed.
  extreme_numbers) seeds=() max_len=4096 ;;
  *) echo "unknown target: $target" >&2; exit 2 ;;
esac
mkdir -p "corpus/$target"
dict=(-dict=json.dict)
[ "$target" = extreme_numbers ] && dict=()
exec cargo +nightly fuzz run --debug-assertions "$target" "corpus/$target" "${seeds[@]}" -- \
  "${dict[@]}" -max_len="$max_len" -max_total_time="$seconds" -print_final_stats=1
