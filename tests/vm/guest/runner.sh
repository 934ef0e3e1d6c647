#!/bin/bash
# Runs one scenario inside the VM ($SCENARIO, $IMPL from job.env); writes status.
source /mnt/harness/guest/lib.sh
say "scenario $SCENARIO with $IMPL"
( source "/mnt/harness/scenarios/$SCENARIO.sh" )
rc=$?
if [ ! -s "$R/status" ]; then
    if [ $rc = 0 ]; then
        echo PASS >"$R/status"
    else
        printf 'FAIL\t%s\t%s\n' "scenario script" "exited $rc outside a step (last: $(tail -n1 "$R/steps.tsv" 2>/dev/null | cut -f1))" >"$R/status"
    fi
fi
say "result: $(cat "$R/status")"
