//! `callctl`: stop, read and manage voice-agent calls from the shell.
//!
//! The command-line contract (commands, flags, JSON lines, exit statuses) is documented in the workspace README.

// A command-line tool prints its results.
#![allow(clippy::print_stdout)]

mod batch;
mod bulk;
mod call_commands;
mod campaign;
mod cartesia;
mod cli;
mod config;
mod demo;
mod exit;
mod ids;
mod interrupt;
mod lines;
mod mirai;
mod mirai_v2;
mod sim;
mod single;
mod stop_number;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{BatchCommand, CartesiaCommand, Cli, Command, MiraiCommand, MiraiV2Command};
use crate::config::Api;
use crate::exit::Exit;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout with status 0, usage errors to stderr with status 2.
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    // Bulk work uses both cores; a single request needs no extra threads (start-up stays lean).
    let runtime = match &cli.command {
        Command::Cartesia(CartesiaCommand::Cancel(_))
        | Command::Mirai(MiraiCommand::Abort(_))
        | Command::MiraiV2(MiraiV2Command::Abort(_))
        | Command::Cartesia(CartesiaCommand::Batch(BatchCommand::Stop { .. }))
        | Command::StopNumber(_)
        | Command::Sim { .. }
        | Command::Demo { .. } => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build(),
        _ => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
    };
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(error) => {
            return Exit::usage(format!("cannot start the async runtime: {error}")).code();
        }
    };
    // The work runs on a runtime worker, not on the `block_on` thread: reading reports there cost a thread wake-up
    // per report, 0.86 of a bare reqwest loop's throughput instead of 0.99 (`cargo xtask bench`).
    let work = runtime.spawn(run(cli));
    match runtime.block_on(work) {
        Ok(exit) => exit.code(),
        Err(error) => Exit::Failures.code_after(&format!("callctl: internal error: {error}")),
    }
}

async fn run(cli: Cli) -> Exit {
    let common = cli.common;
    let output = common.output;
    let common = &common;
    let bulk = |api, args| async move {
        match config::terminator(common, api) {
            Ok(client) => bulk::run(client, args, output).await,
            Err(error) => Exit::usage(error.to_string()),
        }
    };
    match cli.command {
        Command::Cartesia(CartesiaCommand::Cancel(args)) => bulk(Api::Cartesia, args).await,
        Command::Mirai(MiraiCommand::Abort(args)) => bulk(Api::Mirai, args).await,
        Command::MiraiV2(MiraiV2Command::Abort(args)) => bulk(Api::MiraiV2, args).await,
        Command::Cartesia(command) => match config::cartesia(common) {
            Ok(client) => cartesia::run(client, command, output).await,
            Err(error) => Exit::usage(error.to_string()),
        },
        Command::Mirai(command) => match config::mirai(common) {
            Ok(client) => mirai::run(client, command, output).await,
            Err(error) => Exit::usage(error.to_string()),
        },
        Command::MiraiV2(command) => match config::mirai_v2(common) {
            Ok(client) => mirai_v2::run(client, command, output).await,
            Err(error) => Exit::usage(error.to_string()),
        },
        Command::StopNumber(args) => stop_number::run(common, args).await,
        Command::Sim { addr } => sim::run(addr).await,
        Command::Demo { bulk } => demo::run(bulk).await,
    }
}
