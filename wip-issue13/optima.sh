#!/bin/bash
# the interior optima of issue 13 item 4: productivity over 150 steps in learning_organization
cd /tmp/wtL
PY=/work/main/.venv/bin/python
export PYTHONPATH=/tmp/wtL
$PY -m orgabm sweep learning_organization --vary leadership.training=0,0.02,0.05,0.1,0.2,0.5 --reps 30 --seed 13 --out /tmp/s3/sw_training --quiet
$PY -m orgabm sweep learning_organization --vary leadership.after_action_reviews=0,1,2,5,10,20 --reps 30 --seed 13 --out /tmp/s3/sw_reviews --quiet
$PY -m orgabm sweep learning_organization --vary leadership.experimentation=0,0.1,0.25,0.5,0.75,1 --reps 30 --seed 13 --out /tmp/s3/sw_exp --quiet
