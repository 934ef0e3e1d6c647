//! `multipathd`: the daemon, or a client of the running daemon when asked
//! for a command (`multipathd show paths`, `multipathd -k"show maps"`,
//! `multipathd -k`).

use mpathd::args::{self, Mode};
use mpathd::{client, daemon};

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let a = match args::parse(&argv) {
        Ok(a) => a,
        Err(e @ args::ArgError::CommandTooLarge) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("{e}");
            eprint!("{}", args::USAGE);
            std::process::exit(1);
        }
    };
    for n in &a.notices {
        eprintln!("{n}");
    }
    let code = match a.mode {
        Mode::Command(cmd) => client::one_shot(&cmd, client::timeout_from_config()),
        Mode::Interactive => client::interactive(client::timeout_from_config()),
        Mode::Daemon(opts) => {
            if !nix::unistd::getuid().is_root() {
                eprintln!("need to be root");
                1
            } else {
                daemon::run(opts)
            }
        }
    };
    std::process::exit(code);
}
