//! How much a request may send, and for how long.
//!
//! A stranger can reach a web server, so every request is bounded: its
//! body in bytes (a larger one gets a 413 page that says the limit), the
//! time to send its headers (the connection is closed) and the time to be
//! answered, body included (a 408 page), so that a slow client cannot hold
//! the server's memory or connections for long.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::response::Response;
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::pages;

/// The largest request body accepted: a form of answers is a few
/// kilobytes, and so is a saved answers file.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// How long a client has to send a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a request may take from its headers to its answer, reading
/// the body included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// The whole body of a request, at most [`MAX_BODY_BYTES`].
pub(crate) async fn body(request: Request) -> Result<Bytes, Response> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    match Limited::new(request.into_body(), MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<LengthLimitError>() => Err(too_large()),
        Err(_) => Err(pages::problem(
            StatusCode::BAD_REQUEST,
            "The form could not be read",
            vec!["The page's form did not arrive whole. Please send it again.".to_owned()],
            Vec::new(),
        )),
    }
}

/// The request with its body read in full (at most [`MAX_BODY_BYTES`]),
/// for extractors that read it in parts.
pub(crate) async fn buffered(request: Request) -> Result<Request, Response> {
    let (parts, body) = request.into_parts();
    let bytes = self::body(Request::from_parts(parts.clone(), body)).await?;
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn too_large() -> Response {
    pages::problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        "What was sent is too large",
        vec![format!(
            "This site accepts at most {} kilobytes at a time, which is far more than any answers need. \
             If you chose a file of saved answers, check it is the right one.",
            MAX_BODY_BYTES / 1024
        )],
        Vec::new(),
    )
}

/// The page for a request that took longer than [`REQUEST_TIMEOUT`].
pub(crate) fn timed_out() -> Response {
    pages::problem(
        StatusCode::REQUEST_TIMEOUT,
        "This took too long",
        vec!["The page's form did not arrive in time. Please send it again.".to_owned()],
        Vec::new(),
    )
}
