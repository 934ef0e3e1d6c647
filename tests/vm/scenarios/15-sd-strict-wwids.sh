# title: default config (find_multipaths strict): -t, -d, -c, -a, -w, -W and the wwids file
# timeout: 240
# No /etc/multipath.conf at all: the built-in defaults decide.
sd_topology 2 1
step "config dump -t" -- multipath -t
step "dry run, unknown wwid" -- multipath -d
step "create: strict ignores unknown wwid" -- multipath
step "dm state: no map" -- dm_state
step "-c on a path with unknown wwid" --rc 1 -- multipath -c /dev/sda
step "-a adds the wwid" -- multipath -a /dev/sda
step "wwids file after -a" -- state_files
step "-c now says yes" -- multipath -c /dev/sdb
step "create" -- multipath
step "dm state" -- dm_state
step "multipath -ll" -- multipath -ll
step "config dump -T" -- multipath -T
step "-w removes the wwid" -- multipath -w /dev/sda
step "-w again: not in file" -- multipath -w /dev/sda
step "-W resets from maps" -- multipath -W
step "wwids file after -W" -- state_files
step "bad policy -p" --rc 1 -- multipath -p nosuchpolicy
step "not a device" --rc 1 -- multipath -ll /dev/nosuchdevice
step "flush all" -- multipath -F
step "dm state at end" -- dm_state
