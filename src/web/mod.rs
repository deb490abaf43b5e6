//! `selfcheck serve`: the questionnaires as web pages, one question to a
//! page, that work without JavaScript, store nothing and log no answer.
//!
//! The module is thin over the library, in the shape of axum's own
//! examples: a [`router`] of [`handlers`] (which start from what
//! [`extract`] reads: the questionnaire named and the form posted), the
//! [`pages`] they answer with (askama templates in `templates/`, escaped by
//! default and checked when the binary is built), the [`limits`] every
//! request keeps, the
//! [`headers`] every response carries, and the [`server`] that runs them.
//! Where a person is in a questionnaire is worked out again on every
//! request by [`flow`], from the answers their [`form`] carries.

// A refused request is answered with the page that says why: handlers pass
// that `Response` back as their error, on the rare path, as axum's own
// examples do.
#![allow(clippy::result_large_err)]

mod extract;
mod flow;
mod form;
mod handlers;
pub mod headers;
pub mod limits;
mod log;
mod pages;
pub mod server;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use crate::questionnaire::Questionnaire;
use crate::render::Prepared;

/// What the server serves: the questionnaires, loaded and checked once.
pub struct Site {
    questionnaires: Vec<Arc<Served>>,
}

/// A questionnaire served, with its texts made ready for report pages
/// once (see [`Prepared`]): they do not change while it is served.
pub(crate) struct Served {
    /// The questionnaire, with its texts.
    pub prepared: Prepared,
    /// Each answer to a choice as the hidden input that carries it.
    hidden: form::HiddenChoices,
}

impl Served {
    fn new(questionnaire: Questionnaire) -> Served {
        let hidden = form::HiddenChoices::new(&questionnaire);
        Served { prepared: Prepared::new(questionnaire), hidden }
    }
}

impl std::ops::Deref for Served {
    type Target = Questionnaire;

    fn deref(&self) -> &Questionnaire {
        self.prepared.questionnaire()
    }
}

/// The application: every route, with the headers, limits and log line of
/// [`headers::guard`]. `questionnaires` are served in the order given, by
/// id.
pub fn router(questionnaires: Vec<Questionnaire>) -> Router {
    let site = Arc::new(Site {
        questionnaires: questionnaires.into_iter().map(|q| Arc::new(Served::new(q))).collect(),
    });
    Router::new()
        .route("/", get(handlers::index))
        .route("/healthz", get(handlers::healthz))
        .route("/style.css", get(handlers::style))
        .route("/{id}", get(handlers::start))
        .route("/{id}/question", post(handlers::question))
        .route("/{id}/report", post(handlers::report))
        .route("/{id}/answers.json", post(handlers::answers_file))
        .route("/{id}/report.md", post(handlers::report_file))
        .route("/{id}/resume", post(handlers::resume))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .with_state(site)
        .layer(axum::middleware::from_fn(headers::guard))
}
