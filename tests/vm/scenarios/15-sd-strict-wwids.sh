# title: default config (find_multipaths strict): -t, -d, -c, -a, -w, -W and the wwids file
# timeout: 240
# No /etc/multipath.conf at all: the built-in defaults decide.
# Every step compares stderr too (N5 in lib.sh), but the -v3 ones and the
# daemon's: their debug output is each implementation's own.
STEP_ERR=1
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
# The other argument forms of -a/-w: a WWID, a bare kernel name, maj:min, a dm node, a map
# alias that does not exist, nonsense.
step "-w by WWID" --rc any -- multipath -w 1Linux_scsi_debug_2000
step "-a by WWID" --rc any -- multipath -a 1Linux_scsi_debug_2000
step "-a bare kernel name" --rc any -- multipath -a sda
step "-w bare kernel name" --rc any -- multipath -w sda
step "-a maj:min" --rc any -- multipath -a 8:0
step "-a dm node" --rc any -- multipath -a /dev/dm-0
step "-a mapper node" --rc any -- multipath -a /dev/mapper/1Linux_scsi_debug_2000
step "-a unknown name" --rc any -- multipath -a nosuchname
step "-w unknown name" --rc any -- multipath -w nosuchname
step "-w unknown again" --rc any -- multipath -w nosuchname
step "wwids file after the argument forms" -- state_files
step "-a path node again" -- multipath -a /dev/sda
step "-w removes the wwid" -- multipath -w /dev/sda
step "-w again: not in file" -- multipath -w /dev/sda
step "-W resets from maps" -- multipath -W
step "wwids file after -W" -- state_files
step "bad policy -p" --rc 1 --noerr -- multipath -p nosuchpolicy
step "not a device" --rc 1 -- multipath -ll /dev/nosuchdevice
step "flush all" -- multipath -F
step "dm state at end" -- dm_state
