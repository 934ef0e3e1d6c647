# title: scsi_debug 2 paths x 2 LUNs: live maps whose paths or WWID the blacklist now hides: create, -d, -r, -ll, a device argument, -f
# timeout: 480
# An admin adds a blacklist entry while maps exist: what each mode says about the
# hidden paths ("error 2 in pathinfo, discarding path", "removing empty pathgroup N")
# and what it does to the live maps: left alone by create, reloaded without the hidden
# paths by -r (a map with none left is not touched), listed without them by -ll.
STEP_ERR=1
sd_topology 2 2
conf() { mp_conf_section blacklist "$@"; }
# modes TAG: every mode with the blacklist as it is now, the maps after each.
modes() {
    step "$1: -d" --rc any -- multipath -d
    step "$1: create" --rc any -- multipath
    step "$1: dm state after create" -- dm_state
    step "$1: -r" --rc any -- multipath -r
    step "$1: dm state after -r" -- dm_state
    step "$1: -ll" --rc any -- multipath -ll
}
conf
step "create" -- multipath
step "dm state" -- dm_state
mpb_wwid=$(multipath -ll mpathb | sed -nE '1s/^mpathb \(([^)]*)\).*/\1/p')
say "mpathb wwid: $mpb_wwid"

# Both paths of mpatha (sda, sdc: hosts 0 and 1, LUN 0) hidden by devnode, each alone
# in its path group (ALUA: prio 50 and 10).
conf 'devnode "^sd[ac]$"'
step "both paths hidden: -d -v2 mpatha" --rc any -- multipath -d -v2 mpatha
modes "both paths hidden"
conf
step "back: create" --rc any -- multipath
step "back: dm state" -- dm_state

# One path of mpatha hidden: -r reloads mpatha without it.
conf 'devnode "^sda$"'
modes "one path hidden"
conf
step "back again: -r" --rc any -- multipath -r
step "back again: dm state" -- dm_state

# Every path hidden by a udev property it lacks (blacklist_exceptions property).
mp_conf_section blacklist_exceptions 'property "NO_SUCH_PROPERTY"'
modes "property missing"

# mpathb's WWID blacklisted.
conf "wwid \"$mpb_wwid\""
modes "wwid hidden"
step "wwid hidden: -ll mpathb" --rc any -- multipath -ll mpathb
step "wwid hidden: -f mpathb" --rc any -- multipath -f mpathb
step "wwid hidden: dm state after -f" -- dm_state

# A table the kernel refuses (Debian's 6.1 kernel has no historical-service-time path
# selector, CONFIG_DM_MULTIPATH_HST): on a reload of live maps, then on creation.
conf
step "refused: maps back" --rc any -- multipath
hst() { mp_conf_section overrides 'path_selector "historical-service-time 0"'; }
hst
step "refused: -r" --rc any -- multipath -r
step "refused: dm state after -r" -- dm_state
step "refused: -F" --rc any -- multipath -F
step "refused: create" --rc any -- multipath
step "refused: dm state after create" -- dm_state
step "refused: create mpatha" --rc any -- multipath /dev/sda
conf
step "flush" --rc any -- multipath -F
