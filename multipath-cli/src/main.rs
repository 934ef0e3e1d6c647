//! `multipath`: parse arguments, run, map the result to an exit code.

mod args;
mod run;

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(run::run(&argv));
}
