//! `calls-sim`: runs the call API simulator in the foreground.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;

/// Run a local simulator of the Cartesia and Mirai Minds call APIs.
///
/// Prints the environment lines that point the SDK at it, then serves until Ctrl-C.
#[derive(Debug, Parser)]
#[command(name = "calls-sim", version)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,

    /// Allow a non-loopback address (the simulator has fixed keys and an unauthenticated control API).
    #[arg(long)]
    allow_non_loopback: bool,

    /// Let Cartesia batches and Mirai v2 campaigns dial on their own, up to their concurrency,
    /// whenever one of their calls ends (never on a timer).
    #[arg(long)]
    auto_dial: bool,

    /// Answer every Mirai v2 campaign and do-not-call route with 503 `campaigns_unavailable`.
    #[arg(long)]
    no_campaigns: bool,

    /// When Mirai v2 campaigns may dial: `always-open`, `closed`, or `india` (09:00–21:00 IST by
    /// the wall clock). Changeable later with `PUT /_sim/mirai_v2/calling_window`.
    #[arg(long, value_enum, default_value_t = Window::AlwaysOpen)]
    calling_window: Window,

    /// Log each webhook failure and server warning to stderr.
    #[arg(short, long)]
    verbose: bool,
}

/// The `--calling-window` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Window {
    AlwaysOpen,
    Closed,
    India,
}

impl Window {
    fn to_window(self) -> calls_sim::CallingWindow {
        match self {
            Window::AlwaysOpen => calls_sim::CallingWindow::always_open(),
            Window::Closed => calls_sim::CallingWindow::closed(),
            Window::India => calls_sim::CallingWindow::india(),
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.verbose {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing::Level::DEBUG)
            .init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("calls-sim: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(args))
}

async fn run(args: Args) -> ExitCode {
    let started = calls_sim::Sim::builder()
        .addr(args.addr)
        .allow_non_loopback(args.allow_non_loopback)
        .auto_dial(args.auto_dial)
        .mirai_v2_campaigns(!args.no_campaigns)
        .calling_window(args.calling_window.to_window())
        .start()
        .await;
    let sim = match started {
        Ok(sim) => sim,
        Err(error) => {
            eprintln!("calls-sim: cannot listen on {}: {error}", args.addr);
            if !args.addr.ip().is_loopback() && !args.allow_non_loopback {
                eprintln!(
                    "calls-sim: pass --allow-non-loopback to listen on a non-loopback address"
                );
            }
            return ExitCode::FAILURE;
        }
    };
    print_env(&sim);
    eprintln!(
        "calls-sim: serving on {} (control API under /_sim); Ctrl-C to stop",
        sim.base_url()
    );
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("calls-sim: cannot wait for Ctrl-C: {error}");
    }
    sim.shutdown().await;
    ExitCode::SUCCESS
}

/// The environment lines go to stdout, so scripts can read them; everything else goes to stderr.
fn print_env(sim: &calls_sim::Sim) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for line in sim.env_lines() {
        if writeln!(out, "{line}").is_err() {
            // Stdout is closed: the reader is gone, and the server is still useful without it.
            return;
        }
    }
    let _ = out.flush();
}
