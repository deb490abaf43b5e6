//! The HTTP server: one HTTP/1.1 connection per task, headers read within
//! a time limit, and a graceful stop:
//! on SIGTERM or Ctrl-C it takes no new connection, lets the requests under
//! way finish (for a few seconds at most), then returns.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

use super::{limits, log};

/// How long requests under way may take to finish once asked to stop.
const DRAIN: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `stop` completes, closing connections
/// that take longer than `header_timeout` to send a request's headers.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    stop: impl Future<Output = ()>,
) -> io::Result<()> {
    let graceful = GracefulShutdown::new();
    // Log lines are written in batches while serving (see `log`).
    let batching = log::Batching::start();
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Too many open files and the like: wait, then go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .max_buf_size(64 * 1024)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A connection that fails (a client that goes away, a malformed
            // request) concerns that connection alone.
            let _ = connection.await;
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => {}
    }
    drop(batching);
    Ok(())
}

/// Completes on SIGTERM (as sent by service managers and container
/// runtimes) or Ctrl-C.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// Binds `addr`, says where it listens on stderr, and serves until a stop
/// signal.
pub fn run(addr: SocketAddr, app: Router) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        eprintln!("selfcheck: listening on http://{local}/ (Ctrl-C or SIGTERM stops)");
        serve(listener, app, limits::HEADER_TIMEOUT, shutdown_signal()).await?;
        eprintln!("selfcheck: stopped");
        Ok(())
    })
}
