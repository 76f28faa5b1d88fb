//! Measures how many Cartesia cancels per second the simulator answers on loopback.
//!
//! ```text
//! cargo run --release -p calls-sim --example load -- [REQUESTS] [CONNECTIONS]
//! cargo run --release -p calls-sim --example load -- serve [CALLS]
//! ```
//!
//! The first form seeds REQUESTS (default 200,000) started calls and cancels each once over
//! CONNECTIONS (default 32) keep-alive connections, with a minimal HTTP/1.1 client in the same
//! process, then prints the rate. The second seeds CALLS (default 500,000) started calls
//! `ac_0`, `ac_1`, … and serves them until Ctrl-C, for an external load generator such as `wrk`
//! with this script (two threads, each cancelling its own distinct calls):
//!
//! ```text
//! local next_id, made = 0, 0
//! function setup(thread) thread:set("first_id", made); made = made + 1 end
//! function init(args) next_id = first_id end
//! request = function()
//!   local path = "/agents/calls/ac_" .. next_id .. "/cancel"
//!   next_id = next_id + 2
//!   return wrk.format("POST", path, { ["Authorization"] = "Bearer sk_car_sim",
//!                                     ["Cartesia-Version"] = "2026-03-01" })
//! end
//! ```
//!
//! `wrk -t2 -c32 -d8s -s cancel.lua http://127.0.0.1:PORT`

// A benchmark reports on stdout.
#![allow(clippy::print_stdout)]

use std::future::poll_fn;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use calls_sim::{CartesiaCallSeed, Route, Sim};
use hyper::body::Body;
use hyper_util::rt::TokioIo;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("serve") {
        let calls = parse(args.get(1), 500_000)?;
        return serve(calls).await;
    }
    let requests = parse(args.first(), 200_000)?;
    let connections = parse(args.get(1), 32)?.max(1);
    run(requests, connections).await
}

fn parse(arg: Option<&String>, default: usize) -> Result<usize, AnyError> {
    Ok(match arg {
        Some(text) => text.parse()?,
        None => default,
    })
}

fn seed(sim: &Sim, calls: usize) {
    let cartesia = sim.cartesia();
    for i in 0..calls {
        cartesia
            .seed_call(CartesiaCallSeed::new(format!("ac_{i}"), "agent_load").status("started"));
    }
}

async fn serve(calls: usize) -> Result<(), AnyError> {
    let sim = Sim::start().await?;
    seed(&sim, calls);
    for line in sim.env_lines() {
        println!("{line}");
    }
    println!(
        "seeded {calls} started calls ac_0..ac_{}; Ctrl-C to stop",
        calls.saturating_sub(1)
    );
    tokio::signal::ctrl_c().await?;
    println!("served {} requests", sim.journal().total());
    sim.shutdown().await;
    Ok(())
}

async fn run(requests: usize, connections: usize) -> Result<(), AnyError> {
    let sim = Sim::start().await?;
    seed(&sim, requests);
    let next = Arc::new(AtomicUsize::new(0));
    let key = sim.credentials().cartesia_api_key().to_owned();
    let started = Instant::now();
    let mut workers = Vec::with_capacity(connections);
    for _ in 0..connections {
        let addr = sim.addr();
        let next = Arc::clone(&next);
        let key = key.clone();
        workers.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            let mut ok = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    return Ok::<usize, AnyError>(ok);
                }
                let request = hyper::Request::post(format!("/agents/calls/ac_{i}/cancel"))
                    .header("host", "127.0.0.1")
                    .header("authorization", format!("Bearer {key}"))
                    .header("cartesia-version", "2026-03-01")
                    .body(String::new())?;
                sender.ready().await?;
                let mut response = sender.send_request(request).await?;
                let body = response.body_mut();
                while let Some(frame) = poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await {
                    frame?;
                }
                if response.status() == 200 {
                    ok += 1;
                }
            }
        }));
    }
    let mut ok = 0;
    for worker in workers {
        ok += worker.await??;
    }
    let elapsed = started.elapsed();
    let rate = requests as f64 / elapsed.as_secs_f64();
    println!(
        "{requests} cancels of distinct calls over {connections} connections in {:.2} s: {rate:.0} requests/s ({ok} answered 200)",
        elapsed.as_secs_f64()
    );
    println!(
        "journal: {} cancels counted",
        sim.journal().route_count(Route::CartesiaCancel)
    );
    sim.shutdown().await;
    Ok(())
}
