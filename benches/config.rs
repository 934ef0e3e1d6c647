//! Config benchmark (issue 2): parse and merge the built-in table plus a
//! configuration with 10,000 `multipath` and 500 `device` entries, and dump it
//! as `multipath -t` does. Prints our time and, when the reference
//! multipath-tools root is available (`MPATH_REF_ROOT`, default
//! /var/cache/mpath-vm/rootfs, needs root for chroot), the reference's
//! `multipath -t` wall time on the same file in the same run, and the ratio.
//!
//! Run: `cargo bench --bench config` (build `--release --bins` first to also
//! time our `multipath` binary end to end).

use mpath::config::dump::dump;
use mpath::{Config, SysRoot};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn generate() -> String {
    let mut s = String::from("defaults {\n\tuser_friendly_names yes\n\tfind_multipaths on\n}\n");
    s.push_str("blacklist {\n\tdevnode \"^loop\"\n}\ndevices {\n");
    for i in 0..500 {
        let _ = write!(
            s,
            "\tdevice {{\n\t\tvendor \"VEND{i}\"\n\t\tproduct \"PROD.*{i}\"\n\t\tpath_grouping_policy group_by_prio\n\t\tprio alua\n\t\tno_path_retry {}\n\t\tfailback immediate\n\t}}\n",
            i % 60 + 1
        );
    }
    s.push_str("}\nmultipaths {\n");
    for i in 0..10_000 {
        let _ = write!(
            s,
            "\tmultipath {{\n\t\twwid \"36001405{i:024x}\"\n\t\talias \"lun{i}\"\n\t\tno_path_retry queue\n\t}}\n"
        );
    }
    s.push_str("}\n");
    s
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time_runs(n: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..n)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn make_root(conf: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mpath-bench-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("etc/multipath/conf.d")).unwrap();
    std::fs::create_dir_all(dir.join("proc/sys/fs")).unwrap();
    std::fs::write(dir.join("proc/sys/fs/nr_open"), "1048576\n").unwrap();
    std::fs::write(dir.join("etc/multipath.conf"), conf).unwrap();
    dir
}

fn reference(root: &Path, conf: &Path, runs: usize) -> Option<(Duration, String)> {
    if !root.join("usr/sbin/multipath").exists() {
        return None;
    }
    // Private mount namespace: bind the generated file over the root's config.
    let script = format!(
        "mount -t proc proc '{r}/proc' && touch '{r}/etc/multipath.conf' && mount --bind '{c}' '{r}/etc/multipath.conf' && \
         for i in $(seq {runs}); do s=$(date +%s%N); chroot '{r}' multipath -t >/tmp/mpath-bench-ref.out 2>/dev/null; e=$(date +%s%N); echo $((e-s)); done",
        r = root.display(),
        c = conf.display()
    );
    let out = Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &script])
        .output()
        .ok()?;
    let times: Vec<Duration> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse::<u64>().ok())
        .map(Duration::from_nanos)
        .collect();
    if times.is_empty() {
        return None;
    }
    let text = std::fs::read_to_string("/tmp/mpath-bench-ref.out").unwrap_or_default();
    Some((median(times), text))
}

fn main() {
    let conf = generate();
    let root = make_root(&conf);
    let sysroot = SysRoot::new(&root);
    let runs = 9;

    let lib = time_runs(runs, || {
        let c = Config::load(&sysroot);
        std::hint::black_box(dump(&c));
    });
    println!("config bench: 10,000 multipath + 500 device entries + built-in table");
    println!(
        "  ours (library load+merge+dump), median of {runs}: {:.1} ms",
        lib.as_secs_f64() * 1e3
    );

    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/multipath");
    let ours_bin = bin.exists().then(|| {
        time_runs(runs, || {
            let o = Command::new(&bin)
                .arg("-t")
                .env("MPATH_SYSROOT", &root)
                .output()
                .unwrap();
            std::hint::black_box(o.stdout.len());
        })
    });
    if let Some(d) = ours_bin {
        println!(
            "  ours (`multipath -t` process), median of {runs}: {:.1} ms",
            d.as_secs_f64() * 1e3
        );
    } else {
        println!("  ours (process): target/release/multipath not built; skipped");
    }

    let ref_root = PathBuf::from(
        std::env::var("MPATH_REF_ROOT").unwrap_or_else(|_| "/var/cache/mpath-vm/rootfs".into()),
    );
    match reference(&ref_root, &root.join("etc/multipath.conf"), runs) {
        Some((r, text)) => {
            println!(
                "  reference 0.15.1 (`multipath -t` in chroot), median of {runs}: {:.1} ms",
                r.as_secs_f64() * 1e3
            );
            let ours = ours_bin.unwrap_or(lib);
            println!(
                "  ratio ours/reference: {:.3} (target <= 0.5, and ours < 50 ms)",
                ours.as_secs_f64() / r.as_secs_f64()
            );
            let same = text == dump(&Config::load(&sysroot));
            println!("  outputs identical: {same}");
        }
        None => println!(
            "  reference: not available (needs root and {}); no ratio",
            ref_root.display()
        ),
    }
    let _ = std::fs::remove_dir_all(&root);
}
