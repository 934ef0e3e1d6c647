//! Discovery + assembly benchmark (issue 4, simulated): a generated sysfs and
//! udev tree of 4,096 and 16,384 paths (4 paths per LUN, ALUA states in
//! sysfs), then discovery, blacklist, grouping by WWID, path facts (checker
//! and prioritizer selected, sysfs priorities), assembly and the dm table line
//! of every map, on one thread. The SCSI transport is the scripted fake (no
//! device answers), so this measures our code, not I/O.
//!
//! There is no reference measurement: the C tools cannot run on a fake tree.
//! Each size prints its time against the target (0.5 s at 4,096 paths,
//! 2 s at 16,384) and the process's peak RSS against 64 MB.
//!
//! The tree is generated in `/dev/shm` (memory, like sysfs) unless
//! `MPATH_BENCH_TREE` names another directory.
//!
//! Run: `cargo bench --bench assemble`.

use mpath::assemble::{self, AssembleOpts, Gather, Probe};
use mpath::configure;
use mpath::filter::{Candidate, Filter};
use mpath::scsi::FakeScsi;
use mpath::{Config, SysRoot};
use std::time::Instant;

#[path = "support/gen.rs"]
mod gen;
use gen::{generate, peak_rss_mb};

/// Where the generated tree goes: `MPATH_BENCH_TREE` if set, else in memory
/// (`/dev/shm`) as sysfs is. On a disk filesystem the host may evict the
/// freshly written tree from the page cache, and the timed part then
/// measures disk reads that a sysfs read never does.
fn tree_dir() -> tempfile::TempDir {
    let base = std::env::var_os("MPATH_BENCH_TREE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "/dev/shm".into());
    tempfile::tempdir_in(&base).unwrap_or_else(|_| tempfile::tempdir().unwrap())
}

fn run(paths: u32, target_s: f64) {
    let t = tree_dir();
    generate(t.path(), 4, paths / 4);
    let root = SysRoot::new(t.path());
    let cfg = Config::from_str_with(
        "/etc/multipath.conf",
        "defaults {\n\tfind_multipaths off\n}\n",
    );
    let scsi = FakeScsi::new();
    let probe = Probe {
        root: &root,
        scsi: &scsi,
    };
    let start = Instant::now();
    let scan = configure::discover(&cfg, &root);
    let filter = Filter::new(&cfg);
    let kept: Vec<_> = scan
        .paths
        .into_iter()
        .filter(|p| {
            !filter
                .path(&Candidate::new(p, &p.udev, "ID_SERIAL"))
                .is_blacklisted()
        })
        .collect();
    let npaths = kept.len();
    let t_scan = start.elapsed().as_secs_f64();
    let mut bytes = 0usize;
    let mut maps = 0usize;
    for (wwid, group) in configure::coalesce(kept) {
        let mut log = Vec::new();
        let facts = group
            .into_iter()
            .map(|p| {
                let mut f = assemble::gather(&cfg, p, &probe, Gather::Select, &mut log);
                // The fake transport answers nothing: take the sysfs priority
                // as the prioritizer would on a live path.
                f.state = mpath::checker::PathState::Up;
                f.prio = mpath::prio::get_prio(
                    "sysfs",
                    "",
                    &f.dev,
                    &mpath::prio::PrioEnv {
                        root: &root,
                        scsi: &scsi,
                        timeout_ms: 1000,
                    },
                )
                .value;
                f
            })
            .collect();
        let plan = assemble::assemble(&cfg, &wwid, facts, &AssembleOpts::default());
        bytes += plan.table.to_string().len();
        maps += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let rss = peak_rss_mb();
    println!(
        "{npaths:>6} paths, {maps:>5} maps: {secs:.3} s (discovery+blacklist {t_scan:.3} s; target {target_s} s, ratio {:.2}), table bytes {bytes}, peak RSS {rss:.1} MB (target 64 MB, ratio {:.2}); tree in {}",
        secs / target_s,
        rss / 64.0,
        t.path().parent().unwrap_or(t.path()).display()
    );
}

fn main() {
    run(4096, 0.5);
    run(16384, 2.0);
}
