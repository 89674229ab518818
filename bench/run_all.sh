#!/usr/bin/env bash
# Every figure in BENCHMARKS.md, in one go (on an otherwise idle machine): bash bench/run_all.sh > bench.log
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
for ds in mnist fashion; do
  echo "## genlib eval --dataset $ds"; .venv/bin/genlib eval --dataset "$ds" --n 2000 --json "bench-eval-$ds.json"
done
echo; echo "## augmentation experiment"
for ds in mnist fashion; do .venv/bin/genlib experiment augment --dataset "$ds"; done
echo; echo "## independent reader"; $PY bench/independent_reader.py
echo; echo "## compare latency"; $PY bench/compare_latency.py
echo; echo "## latent lab latency"; $PY bench/lab_latency.py
echo; echo "## diffusion latency and restoration"; $PY bench/diffusion_latency.py
echo; echo "## style transfer and hostile uploads"; $PY bench/style_latency.py
echo; echo "## voice"; $PY bench/voice_latency.py --processes 7
echo; echo "## sample latency"; $PY bench/sample_latency.py --repeats 30
echo; echo "## training throughput"; $PY bench/train_throughput.py --steps 40
echo; echo "## app start"; $PY bench/app_startup.py --repeats 3
echo; echo "## text"; $PY bench/text_quality.py --novelty 1000; $PY bench/text_speed.py
echo; echo "## live training"; $PY bench/live_training.py --seconds 60
echo; echo "## classroom load (about 16 minutes)"; $PY bench/load.py --students 60 --minutes 10
echo; echo "## streams under a mixed load (about 7 minutes)"
$PY bench/load.py --students 30 --minutes 5 --overload 1 --overload-seconds 0 --recovery-seconds 0 --processes 4 \
  --mix streams --bad-client
echo; echo "## memory per upload"; $PY bench/upload_memory.py
