#!/usr/bin/env bash
# Every figure in BENCHMARKS.md, in one go (on an otherwise idle machine): bash bench/run_all.sh > bench.log
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
echo "## genlib eval"; .venv/bin/genlib eval --models cdcgan cvae --datasets mnist fashion --n 2000 --json bench-eval.json
echo; echo "## sample latency"; $PY bench/sample_latency.py --repeats 30
echo; echo "## training throughput"; $PY bench/train_throughput.py --steps 40
echo; echo "## app start"; $PY bench/app_startup.py --repeats 3
