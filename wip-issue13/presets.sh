cd /tmp/wtL
for s in learning_organization command_and_control siloed_teams communities_of_practice high_turnover turbulent_market one_safe_team new_ceo march_1991; do
  echo "== $s"
  PYTHONPATH=/tmp/wtL /work/main/.venv/bin/python -m orgabm run $s --reps 20 2>&1 | grep -E "^knowledge |^safety |^productivity |by team"
done
