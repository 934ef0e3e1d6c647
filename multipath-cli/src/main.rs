//! `multipath`: parse arguments, run, map the result to an exit code.

mod args;
mod check;
mod create;
mod ctx;
mod delegate;
mod dumplocal;
mod flush;
mod gate;
mod list;
mod pathlist;
mod run;
mod wwids;

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(run::run(&argv));
}
