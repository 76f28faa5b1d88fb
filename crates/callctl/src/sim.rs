//! `callctl sim`: the local sandbox in the foreground.

use calls_sim::Sim;

use crate::exit::Exit;

pub(crate) async fn run(addr: std::net::SocketAddr) -> Exit {
    if !addr.ip().is_loopback() {
        return Exit::usage("the sandbox listens on loopback addresses only (127.0.0.1, ::1)");
    }
    let sim = match Sim::builder().addr(addr).start().await {
        Ok(sim) => sim,
        Err(error) => return Exit::usage(format!("cannot start the sandbox on {addr}: {error}")),
    };
    for line in sim.env_lines() {
        println!("export {line}");
    }
    eprintln!(
        "callctl: sandbox listening on {}; Ctrl-C to stop",
        sim.base_url()
    );
    let _ = tokio::signal::ctrl_c().await;
    sim.shutdown().await;
    Exit::Success
}
