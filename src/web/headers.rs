//! What every response carries, and the one log line of every request.
//!
//! The headers make the pages hard to misuse: a strict Content Security
//! Policy (no scripts at all, styles and images from this site only, forms
//! posted to this site only, no framing), no MIME sniffing, no referrer
//! sent to other sites, and no caching of pages, which may hold answers.
//!
//! The log line is written by the `log` module.

use std::time::Instant;

use axum::extract::Request;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use super::{limits, log};

pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the headers, bounds the request's time and logs it.
pub(crate) async fn guard(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    // A URI's parts are shared, not copied, when it is cloned.
    let uri = request.uri().clone();
    let mut response = match tokio::time::timeout(limits::REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => limits::timed_out(),
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    log::request(&method, uri.path(), response.status().as_u16(), started.elapsed());
    response
}
