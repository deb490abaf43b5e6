//! The `selfcheck` command line. Everything it does is in the library; the
//! binary parses arguments, calls it, renders and maps errors to exit codes.
#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

/// A report, a page or a batch record is built from many small strings and
/// lists, freed soon after: mimalloc serves those markedly faster than the
/// system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A panic is a bug, and the exit code contract says bugs exit 1 (Rust's
    // default is 101). The panic message itself is already printed by the
    // default hook.
    match std::panic::catch_unwind(cli::run) {
        Ok(code) => code,
        Err(_) => {
            eprintln!("selfcheck: internal error: this is a bug, please report it");
            ExitCode::from(cli::EXIT_INTERNAL)
        }
    }
}
