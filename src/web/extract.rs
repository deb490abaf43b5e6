//! What every questionnaire route reads before it does anything: the
//! questionnaire its path names, and the form its body carries.
//!
//! As extractors, so that a handler starts from a questionnaire that exists
//! and a form that parsed, and every route refuses a wrong path or a bad
//! body with the same page.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::Response;
use serde_json::Value as Json;

use super::form::Form;
use super::{limits, pages, Served, Site};
use crate::suggest::{did_you_mean, shown};

/// The questionnaire the path's `{id}` names; a 404 page when there is
/// none, with the id it may have meant.
pub(crate) struct Chosen(pub Arc<Served>);

impl FromRequestParts<Arc<Site>> for Chosen {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, site: &Arc<Site>) -> Result<Self, Response> {
        let Ok(Path(id)) = Path::<String>::from_request_parts(parts, site).await else {
            return Err(not_found(Vec::new()));
        };
        match site.questionnaires.iter().find(|q| q.id == id) {
            Some(q) => Ok(Chosen(Arc::clone(q))),
            None => {
                let hint = match did_you_mean(&id, site.questionnaires.iter().map(|q| q.id.as_str())) {
                    Some(close) => format!(" Did you mean \"{close}\"?"),
                    None => String::new(),
                };
                let named = shown(&Json::String(id));
                Err(not_found(vec![format!("There is no questionnaire called {named} here.{hint}")]))
            }
        }
    }
}

/// The 404 page, saying why when there is more to say than "no page".
pub(crate) fn not_found(why: Vec<String>) -> Response {
    let why = if why.is_empty() {
        vec!["There is no page at this address. If you typed it, check it is correct.".to_owned()]
    } else {
        why
    };
    pages::problem(StatusCode::NOT_FOUND, "Page not found", why, Vec::new())
}

/// The body a page posted, within the limits; a handler reads its
/// [`Form`] from it in place.
pub(crate) struct Posted(Bytes);

impl FromRequest<Arc<Site>> for Posted {
    type Rejection = Response;

    async fn from_request(request: Request, _: &Arc<Site>) -> Result<Self, Response> {
        // A body of another type (JSON, a file upload) is not read as a
        // form, where it would give a baffling error about its answers. A
        // client that names no type is read as the pages are.
        let kind = request.headers().get(header::CONTENT_TYPE).map(|value| {
            let text = String::from_utf8_lossy(value.as_bytes());
            text.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
        });
        if let Some(kind) = kind.filter(|kind| kind != FORM) {
            return Err(pages::problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "The form could not be used",
                vec![format!("The pages send their answers as `{FORM}`, the way a browser sends a form.")],
                vec![format!("the request's body is {}", shown(&Json::String(kind)))],
            ));
        }
        limits::body(request).await.map(Posted)
    }
}

/// The type of the bodies the pages post.
const FORM: &str = "application/x-www-form-urlencoded";

impl Posted {
    /// The form the body holds; a 400 page when it cannot be read.
    pub(crate) fn form(&self) -> Result<Form<'_>, Response> {
        Form::parse(&self.0).map_err(|problem| bad_form(vec![problem]))
    }
}

/// A form that fails its checks: the page says what is wrong with it.
pub(crate) fn bad_form(details: Vec<String>) -> Response {
    pages::problem(
        StatusCode::BAD_REQUEST,
        "The form could not be used",
        vec!["The answers this page was sent do not fit the questionnaire, so nothing was done with them. \
             This happens when a page is changed before it is sent. Start again from the questionnaire's \
             page."
            .to_owned()],
        details,
    )
}
