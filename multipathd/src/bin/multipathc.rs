//! `multipathc [timeout_ms]`: the interactive client of multipathd.

use mpathd::client;

fn main() {
    let timeout = match std::env::args().nth(1) {
        None => client::timeout_from_config(),
        Some(t) => match t.parse::<u64>() {
            Ok(ms) => ms,
            Err(_) => {
                eprintln!("multipathc: invalid timeout '{t}'");
                eprintln!("Usage: multipathc [timeout_ms]");
                std::process::exit(1);
            }
        },
    };
    std::process::exit(client::interactive(timeout));
}
