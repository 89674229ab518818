#!/usr/bin/env bash
# Train every shipped checkpoint with the project's own CLI, in two queues (one CPU thread each on a 2-core laptop;
# on a GPU machine run them one after another). Each run writes checkpoints/<model>-<dataset>/ (inference files are
# tracked; train_state/ and samples/ are ignored), then `genlib eval` rebuilds the classifiers' reference features and
# stores every model's quality figures in its meta.json, and the augmentation experiment is rerun.
#   bash scripts/train_shipped.sh            # everything
#   QUEUE=a bash scripts/train_shipped.sh    # one queue
#   QUEUE=gan bash scripts/train_shipped.sh  # the four GANs of issue 19 on both datasets, two at a time
#   QUEUE=text bash scripts/train_shipped.sh # the six text models, one after another (two threads; the chatbot
#                                            # models fine-tune the fortunes models, so they come last)
set -euo pipefail
cd "$(dirname "$0")/.."
GENLIB=${GENLIB:-.venv/bin/genlib}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
run() { $GENLIB train "$1" --dataset "$2" --out "checkpoints/$1-$2" --resume --no-progress "${@:3}"; }
gan() { run "$1" "$2" --sample-every 1000; }
queue_a() { run classifier mnist; run classifier fashion; gan cdcgan mnist; gan cdcgan fashion; gan dcgan mnist
            gan stylegan mnist; run ddpm mnist; }
queue_b() { run cvae mnist; run cvae fashion; run vae mnist; run vae fashion; run vae2d mnist; run vae2d fashion
            gan gan mnist; gan gan fashion; gan dcgan fashion; run ddpm fashion; }
queue_gan_a() { gan dcgan mnist; gan cdcgan mnist; gan dcgan fashion; gan cdcgan fashion; }
queue_gan_b() { gan stylegan mnist; gan gan mnist; gan stylegan fashion; gan gan fashion; }
queue_text() {
  for job in gpt:names lstm:names gpt:fortunes lstm:fortunes gpt:chatbot lstm:chatbot; do
    $GENLIB text-train "${job%%:*}" --corpus "${job#*:}" --out "checkpoints/text-${job%%:*}-${job#*:}" --resume
  done
}
case "${QUEUE:-both}" in
  text) OMP_NUM_THREADS=2 queue_text ;;
  gan) queue_gan_a > runs-queue-gan-a.log 2>&1 & queue_gan_b > runs-queue-gan-b.log 2>&1 & wait ;;
  a) queue_a ;;
  b) queue_b ;;
  *) queue_a > runs-queue-a.log 2>&1 & queue_b > runs-queue-b.log 2>&1 & wait
     for ds in mnist fashion; do
       $GENLIB eval --dataset "$ds" --n 2000 --build-reference
       $GENLIB experiment augment --dataset "$ds"
     done ;;
esac
