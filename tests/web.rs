//! `selfcheck serve`'s router, request by request: every page, every
//! error, every limit and the headers on every response. The router is
//! called directly (no socket); the server's own limits and stop are tested
//! on a loopback socket at the end.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use selfcheck::render;
use selfcheck::{evaluate, Answers, AnswersDocument, Questionnaire};
use tower::ServiceExt;

const ID: &str = "low-back-glutes";

fn questionnaire() -> Questionnaire {
    Questionnaire::from_json(selfcheck::shipped(ID).expect("shipped"), ID).expect("valid")
}

fn app() -> Router {
    selfcheck::web::router(vec![questionnaire()])
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn has(&self, needle: &str) -> bool {
        self.body.contains(needle)
    }

    #[track_caller]
    fn assert_has(&self, needle: &str) {
        assert!(self.has(needle), "missing {needle:?} in:\n{}", self.body);
    }

    /// Whether the page says `words`, once its character references are
    /// read.
    #[track_caller]
    fn assert_says(&self, words: &str) {
        assert!(unescape(&self.body).contains(words), "missing {words:?} in:\n{}", self.body);
    }

    fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

async fn send_to(app: Router, request: Request<Body>) -> Reply {
    let response = app.oneshot(request).await.expect("the router never fails");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("a body").to_bytes();
    let reply = Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() };
    assert_safe_headers(&reply);
    reply
}

async fn get(path: &str) -> Reply {
    send_to(app(), Request::get(path).body(Body::empty()).expect("request")).await
}

async fn post(path: &str, fields: &[(&str, &str)]) -> Reply {
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    post_raw(path, body.into_bytes()).await
}

async fn post_raw(path: &str, body: Vec<u8>) -> Reply {
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request");
    send_to(app(), request).await
}

/// The headers every response carries, whatever its status.
#[track_caller]
fn assert_safe_headers(reply: &Reply) {
    let csp = reply.header(header::CONTENT_SECURITY_POLICY);
    for part in ["default-src 'none'", "style-src 'self'", "form-action 'self'", "frame-ancestors 'none'"] {
        assert!(csp.contains(part), "CSP {csp:?} lacks {part:?}");
    }
    assert!(!csp.contains("script-src"), "no script is allowed: {csp}");
    assert_eq!(reply.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(reply.header(header::REFERRER_POLICY), "no-referrer");
    assert!(reply.headers.get(header::SET_COOKIE).is_none(), "a cookie");
    if reply.header(header::CONTENT_TYPE).starts_with("text/html") {
        assert_eq!(reply.header(header::CACHE_CONTROL), "no-store");
    }
}

/// The fields of the hidden inputs of a page's last form (a question
/// page's own, after the form of its warning), in order.
fn hidden(reply: &Reply) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let last_form = reply.body.rfind("<form").map_or("", |at| &reply.body[at..]);
    for piece in last_form.split("<input type=\"hidden\" name=\"").skip(1) {
        let (name, rest) = piece.split_once('"').expect("a name");
        let value = rest.split_once("value=\"").and_then(|(_, v)| v.split_once('"')).expect("a value").0;
        fields.push((unescape(name), unescape(value)));
    }
    fields
}

/// Reads the character references that askama and the report renderer
/// write.
fn unescape(text: &str) -> String {
    [
        ("&quot;", "\""),
        ("&#34;", "\""),
        ("&#39;", "'"),
        ("&lt;", "<"),
        ("&#60;", "<"),
        ("&gt;", ">"),
        ("&#62;", ">"),
    ]
    .iter()
    .fold(text.to_owned(), |text, (entity, c)| text.replace(entity, c))
    .replace("&#38;", "&")
    .replace("&amp;", "&")
}

/// The id of the question a page asks.
fn asked(reply: &Reply) -> Option<String> {
    let fields = hidden(reply);
    fields.into_iter().find(|(name, _)| name == "_question").map(|(_, value)| value)
}

/// Posts a page's hidden fields with an answer and a button, as a browser
/// would.
async fn answer(page: &Reply, value: Option<&str>, action: &str) -> Reply {
    let mut fields: Vec<(String, String)> = hidden(page);
    if let (Some(id), Some(value)) = (asked(page), value) {
        fields.push((id, value.to_owned()));
    }
    fields.push(("_action".to_owned(), action.to_owned()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    post(&format!("/{ID}/question"), &pairs).await
}

async fn first_question() -> Reply {
    post(&format!("/{ID}/question"), &[("_action", "continue")]).await
}

/// A harmless answer to the page's question: a number for a number
/// field, else "no".
async fn answer_no(page: &Reply) -> Reply {
    let numeric = page.has("inputmode=\"numeric\"") || page.has("inputmode=\"decimal\"");
    answer(page, Some(if numeric { "40" } else { "no" }), "continue").await
}

/// The first red flag's page, after the questions before it.
async fn first_red_flag() -> Reply {
    let mut page = first_question().await;
    while asked(&page).as_deref() != Some("rf_saddle_numbness") {
        page = answer_no(&page).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    }
    page
}

/// Answers every red flag `no`, then gives `age`, and skips the rest:
/// returns the check-your-answers page.
async fn answer_all(age: &str) -> Reply {
    let mut page = first_question().await;
    for _ in 0..100 {
        let Some(id) = asked(&page) else { return page };
        let q = questionnaire();
        let question = q.question(&id).expect("a question");
        page = if question.red_flag.is_some() {
            answer(&page, Some("no"), "continue").await
        } else if id == "age" {
            answer(&page, Some(age), "continue").await
        } else {
            answer(&page, None, "skip").await
        };
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    }
    panic!("the questions never ended");
}

#[tokio::test]
async fn the_index_lists_the_questionnaires() {
    let reply = get("/").await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_has("<a href=\"/low-back-glutes\">");
    reply.assert_has("<html lang=\"en\">");
}

#[tokio::test]
async fn health_and_style() {
    let reply = get("/healthz").await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "ok\n"));
    let reply = get("/style.css").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header(header::CONTENT_TYPE).starts_with("text/css"));
    assert!(reply.header(header::CACHE_CONTROL).starts_with("public"));
    assert_eq!(reply.body, render::HTML_STYLE);
}

#[tokio::test]
async fn the_start_page_says_what_it_is_and_how_long_it_takes() {
    let q = questionnaire();
    let reply = get(&format!("/{ID}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_has(&format!("<h1>{}</h1>", q.title));
    reply.assert_has("not a diagnosis");
    reply.assert_says("It takes about ");
    reply.assert_says(" questions, one to a page.");
    reply.assert_has("<form method=\"post\" action=\"/low-back-glutes/question\"");
    reply.assert_has(">Start</button>");
    reply.assert_has("Continue from saved answers");
    reply.assert_has("enctype=\"multipart/form-data\"");
}

#[tokio::test]
async fn unknown_pages_are_404_with_a_page() {
    let reply = get("/low-back-glute").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    reply.assert_says("Did you mean \"low-back-glutes\"?");
    for path in ["/nowhere/at/all", "/low-back-glutes/question/extra", "/%FF%FE"] {
        let reply = get(path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        reply.assert_has("Page not found");
    }
    let reply = post("/nothing-here/question", &[]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn wrong_methods_are_405_with_a_page() {
    let reply = get(&format!("/{ID}/question")).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    reply.assert_has("cannot be used that way");
    let request = Request::builder().method(Method::DELETE).uri("/").body(Body::empty()).expect("request");
    assert_eq!(send_to(app(), request).await.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_red_flag_cannot_be_skipped() {
    let reply = first_red_flag().await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_has("<form method=\"post\" action=\"/low-back-glutes/question\"");
    reply.assert_has("Question 2 of about ");
    reply.assert_has(" · Warning signs");
    reply.assert_has("<legend><h1>");
    // Values are the answers document's; "Yes" never comes first.
    let no = reply.body.find("value=\"no\"").expect("no");
    let not_sure = reply.body.find("value=\"not_sure\"").expect("not sure");
    let yes = reply.body.find("value=\"yes\"").expect("yes");
    assert!(no < not_sure && not_sure < yes);
    assert!(!reply.has(" checked"), "nothing is chosen in advance");
    assert!(!reply.has("Skip this question"));
    reply.assert_has("cannot be skipped");
}

#[tokio::test]
async fn a_red_flag_without_an_answer_is_an_error_in_the_gov_uk_pattern() {
    let page = first_red_flag().await;
    for action in ["continue", "skip"] {
        let reply = answer(&page, None, action).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(asked(&reply).as_deref(), Some("rf_saddle_numbness"));
        reply.assert_has("<title>Error: ");
        reply.assert_has("class=\"error-summary\" role=\"alert\" aria-labelledby=\"error-summary-title\" tabindex=\"-1\" autofocus");
        reply.assert_has("<a href=\"#rf_saddle_numbness-no\">");
        reply.assert_has("id=\"rf_saddle_numbness-error\"");
        reply.assert_has("aria-describedby=\"rf_saddle_numbness-progress rf_saddle_numbness-help rf_saddle_numbness-error\"");
        reply.assert_has("Not sure");
    }
}

#[tokio::test]
async fn a_typed_number_is_read_as_the_terminal_reads_it_and_kept_when_refused() {
    let page = first_question().await;
    assert_eq!(asked(&page).as_deref(), Some("age"));
    page.assert_has("inputmode=\"numeric\"");
    page.assert_has("Skip this question");
    let reply = answer(&page, Some("forty <b>"), "continue").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(asked(&reply).as_deref(), Some("age"));
    // What to type, in the terminal's words rather than in `assess`'s.
    reply.assert_says("\"forty <b>\" is not a number. Type a whole number from 0 to 120 (years).");
    assert!(!reply.has("integer"));
    reply.assert_has("<a href=\"#age\">");
    reply.assert_has("value=\"forty &#60;b&#62;\"");
    assert!(!reply.has("<b>"));
    let reply = answer(&page, Some("130"), "continue").await;
    reply.assert_says("130 is out of range. Type a whole number from 0 to 120 (years).");
    let reply = answer(&page, Some("4,5"), "continue").await;
    reply.assert_says("4.5 is not a whole number.");
    // A NUL is shown as U+FFFD, as HTML has no NUL; "1,000" is not guessed.
    let reply = answer(&page, Some("4\u{0}2"), "continue").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!reply.body.contains('\u{0}'));
    reply.assert_has("value=\"4\u{FFFD}2\"");
    let reply = answer(&page, Some("1,000"), "continue").await;
    reply.assert_says("\"1,000\" is unclear");
    let reply = answer(&page, Some(" 47 years"), "continue").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(asked(&reply).as_deref(), Some("rf_saddle_numbness"));
    assert!(hidden(&reply).contains(&("age".to_owned(), "47".to_owned())));
}

#[tokio::test]
async fn a_tampered_form_is_refused_with_the_messages_of_assess() {
    let reply = post(&format!("/{ID}/question"), &[("rf_saddle_numbness", "maybe"), ("age", "400")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply
        .assert_says("answer `rf_saddle_numbness`: expected one of `yes`, `no` or `not_sure`, got \"maybe\"");
    reply.assert_says("answer `age`: expected an integer from 0 to 120 (years), got 400");
    let reply = post(&format!("/{ID}/question"), &[("sitting_hour", "9")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_says("has no such question (did you mean `sitting_hours`?)");
    let reply = post(&format!("/{ID}/question"), &[("age", "40"), ("age", "41")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_says("answer `age` is given twice");
    for fields in [
        vec![("_evil", "1")],
        vec![("_action", "explode")],
        vec![("_question", "nothing")],
        vec![("_skipped", "nothing")],
        vec![("_change", "nothing")],
        vec![("_question", "age"), ("_question", "age")],
    ] {
        let reply = post(&format!("/{ID}/question"), &fields).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{fields:?}");
        reply.assert_has("The form could not be used");
    }
}

#[tokio::test]
async fn hostile_bodies_get_a_400_never_a_500() {
    for body in [
        b"%%%%".to_vec(),
        b"\xff\xfe=\x00".to_vec(),
        b"age=%FF".to_vec(),
        b"=&=&&=".to_vec(),
        "a".repeat(60_000).into_bytes(),
        b"_question=age&age=1e400".to_vec(),
    ] {
        let reply = post_raw(&format!("/{ID}/question"), body.clone()).await;
        assert!(
            reply.status.is_client_error(),
            "{:?}: {}",
            String::from_utf8_lossy(&body[..body.len().min(40)]),
            reply.status
        );
    }
    // A body of another type is refused as such, not read as a form.
    let json = Request::post(format!("/{ID}/question"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"age\": 42}"))
        .expect("request");
    let reply = send_to(app(), json).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    reply.assert_says("the request's body is \"application/json\"");
    let untyped =
        Request::post(format!("/{ID}/question")).body(Body::from("_action=continue")).expect("request");
    assert_eq!(send_to(app(), untyped).await.status, StatusCode::OK);
    let charset = Request::post(format!("/{ID}/question"))
        .header(header::CONTENT_TYPE, "Application/X-WWW-Form-Urlencoded; charset=UTF-8")
        .body(Body::from("_action=continue"))
        .expect("request");
    assert_eq!(send_to(app(), charset).await.status, StatusCode::OK);
    let many = "a=1&".repeat(2_000).into_bytes();
    assert_eq!(post_raw(&format!("/{ID}/question"), many).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_red_flag_left_out_is_asked_again() {
    let reply = post(
        &format!("/{ID}/question"),
        &[("age", "40"), ("_skipped", "rf_saddle_numbness"), ("_action", "continue")],
    )
    .await;
    assert_eq!(asked(&reply).as_deref(), Some("rf_saddle_numbness"));
    // Answers past a missing red flag wait for it.
    let reply = post(
        &format!("/{ID}/question"),
        &[("rf_bladder_bowel_change", "no"), ("age", "40"), ("first_episode", "no")],
    )
    .await;
    assert_eq!(asked(&reply).as_deref(), Some("rf_saddle_numbness"));
    assert!(hidden(&reply).contains(&("first_episode".to_owned(), "no".to_owned())));
}

#[tokio::test]
async fn an_emergency_stops_the_questions_and_shows_the_report() {
    let page = first_red_flag().await;
    let mut reply = answer(&page, Some("yes"), "continue").await;
    // The follow-ups asked before the stop, none of them skippable; while
    // the answers point to an emergency, every page says what to do.
    let mut follow_ups = 0;
    while asked(&reply).is_some() {
        follow_ups += 1;
        assert!(follow_ups < 5, "{}", reply.body);
        reply.assert_has("class=\"notice urgent\"");
        // Not before the follow-ups are answered: they decide the advice.
        assert!(!reply.has("See my report now"));
        reply.assert_has("Please answer a few more questions first.");
        assert!(!reply.has("Skip this question"));
        reply = answer(&reply, Some("yes"), "continue").await;
    }
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_has("data-triage-level=\"emergency\"");
    reply.assert_has("The remaining questions are not needed now.");
    assert!(asked(&reply).is_none());
    assert!(hidden(&reply).contains(&("rf_saddle_numbness".to_owned(), "yes".to_owned())));
}

#[tokio::test]
async fn urgent_answers_are_said_at_once_and_the_offer_to_stop_waits_for_what_may_raise_them() {
    let q = questionnaire();
    let mut page = first_red_flag().await;
    while asked(&page).as_deref() != Some("rf_cancer_history") {
        page = answer_no(&page).await;
    }
    page = answer(&page, Some("yes"), "continue").await;
    // Until no question to come may raise the level (the cancer follow-up,
    // the other warning signs, and the leg questions a cancer emergency
    // reads), every page says what to do, without the offer to stop.
    let mut asked_before = Vec::new();
    while let Some(id) = asked(&page) {
        assert!(asked_before.len() < 40, "{}", page.body);
        page.assert_has("class=\"notice urgent\"");
        page.assert_has("Contact a doctor today");
        assert!(!page.has("See my report now"), "{id}: {}", page.body);
        let question = q.question(&id).expect("a question");
        page = if question.needed_for_safety() {
            answer(&page, Some("no"), "continue").await
        } else {
            answer(&page, None, "skip").await
        };
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        asked_before.push(id);
    }
    for id in ["rf_cancer_spine_signs", "rf_immune_weak", "leg_pain", "leg_numbness"] {
        assert!(asked_before.iter().any(|asked| asked == id), "{id} before the offer: {asked_before:?}");
    }
    page.assert_has("Contact a doctor today");
    page.assert_has("formaction=\"/low-back-glutes/report\">See my report now</button>");
    page.assert_has("Go on with the questions");
    // Going on: the next question, with the warning and now the offer.
    let next = answer(&page, None, "continue").await;
    assert!(asked(&next).is_some(), "{}", next.body);
    next.assert_has("class=\"notice urgent\"");
    next.assert_has("See my report now");
}

#[tokio::test]
async fn back_shows_the_previous_question_with_its_answer() {
    let first = first_red_flag().await;
    let second = answer(&first, Some("no"), "continue").await;
    assert_eq!(asked(&second).as_deref(), Some("rf_bladder_bowel_change"));
    second.assert_has("Question 3 of about");
    let back = answer(&second, None, "back").await;
    assert_eq!(asked(&back).as_deref(), Some("rf_saddle_numbness"));
    back.assert_has("value=\"no\" checked");
    back.assert_has("Question 2 of about");
    let back = answer(&back, None, "back").await;
    assert_eq!(asked(&back).as_deref(), Some("age"));
    back.assert_has("value=\"40\"");
    let start = answer(&back, None, "back").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);
    assert_eq!(start.header(header::LOCATION), "/low-back-glutes");
    // An answer chosen on the page goes back with the rest.
    let back = answer(&second, Some("not_sure"), "back").await;
    assert_eq!(asked(&back).as_deref(), Some("rf_saddle_numbness"));
    assert!(hidden(&back).contains(&("rf_bladder_bowel_change".to_owned(), "not_sure".to_owned())));
}

#[tokio::test]
async fn check_your_answers_then_change_one() {
    let check = answer_all("47").await;
    check.assert_has("<h1>Check your answers</h1>");
    check.assert_has("<dd>47 years</dd>");
    check.assert_has("<dd>Skipped</dd>");
    check.assert_has("name=\"_change\" value=\"age\"");
    check.assert_has("Change<span class=\"visually-hidden\"> your answer to: How old are you?</span>");
    check.assert_has("formaction=\"/low-back-glutes/report\">See my report</button>");
    let mut fields = hidden(&check);
    fields.push(("_change".to_owned(), "age".to_owned()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let change = post(&format!("/{ID}/question"), &pairs).await;
    assert_eq!(asked(&change).as_deref(), Some("age"));
    change.assert_has("value=\"47\"");
    // A new answer leads straight back to the check page.
    let again = answer(&change, Some("52"), "continue").await;
    again.assert_has("<h1>Check your answers</h1>");
    again.assert_has("<dd>52 years</dd>");
}

#[tokio::test]
async fn skipped_questions_are_carried_by_the_report_page() {
    let check = answer_all("47").await;
    let rows = check.body.matches("<dt>").count();
    assert!(check.has("<dd>Skipped</dd>"));
    let fields = hidden(&check);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let report = post(&format!("/{ID}/report"), &pairs).await;
    assert_eq!(report.status, StatusCode::OK);
    // "Check or change my answers" on the report: every answer and skip again.
    let again = answer(&report, None, "check").await;
    again.assert_has("<h1>Check your answers</h1>");
    assert_eq!(again.body.matches("<dt>").count(), rows, "{}", again.body);
    assert_eq!(hidden(&again), fields);
    assert!(!again.has("Go on with the questions"));
}

#[tokio::test]
async fn the_page_question_given_twice_is_refused() {
    let page = first_red_flag().await;
    let mut fields = hidden(&page);
    fields.push(("rf_saddle_numbness".to_owned(), "no".to_owned()));
    fields.push(("rf_saddle_numbness".to_owned(), "yes".to_owned()));
    fields.push(("_action".to_owned(), "continue".to_owned()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let reply = post(&format!("/{ID}/question"), &pairs).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    reply.assert_says("answer `rf_saddle_numbness` is given twice");
}

#[tokio::test]
async fn a_typed_answer_too_long_is_shown_again_with_the_answers_kept() {
    let page = first_question().await;
    page.assert_has("maxlength=\"");
    // The warning signs answered "no", the questions after them skipped.
    let mut page = page;
    while asked(&page).as_deref() != Some("pain_intensity") {
        let red_flag = !page.has("Skip this question");
        page = if red_flag || asked(&page).as_deref() == Some("age") {
            answer_no(&page).await
        } else {
            answer(&page, None, "skip").await
        };
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    }
    let long = "5".repeat(201);
    let reply = answer(&page, Some(&long), "continue").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert_eq!(asked(&reply).as_deref(), Some("pain_intensity"));
    reply.assert_says("too long");
    reply.assert_has("<a href=\"#pain_intensity\">");
    assert_eq!(hidden(&reply), hidden(&page));
    // Sent for a question the answers do not lead to yet: the question they
    // lead to, without a message about another.
    let reply = post(
        &format!("/{ID}/question"),
        &[("age", "40"), ("_question", "pain_intensity"), ("pain_intensity", &long), ("_action", "continue")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(asked(&reply).as_deref(), Some("rf_saddle_numbness"));
    assert!(!reply.has("error-message"));
    // A hidden answer that long is still a tampered form.
    let mut fields = hidden(&page);
    fields.push(("sitting_hours".to_owned(), long.clone()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    assert_eq!(post(&format!("/{ID}/question"), &pairs).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(post(&format!("/{ID}/report"), &[("age", &long)]).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn back_from_the_first_question_keeps_the_answers() {
    let check = answer_all("47").await;
    let rows = check.body.matches("<dt>").count();
    let mut fields = hidden(&check);
    fields.push(("_change".to_owned(), "age".to_owned()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let change = post(&format!("/{ID}/question"), &pairs).await;
    assert_eq!(asked(&change).as_deref(), Some("age"));
    // Back, with the answer shown (as a browser sends it): the answers to check.
    let back = answer(&change, Some("47"), "back").await;
    assert_eq!(back.status, StatusCode::OK);
    back.assert_has("<h1>Check your answers</h1>");
    back.assert_has("<dd>47 years</dd>");
    assert_eq!(back.body.matches("<dt>").count(), rows);
    // Back with the field emptied: the question again, the rest carried.
    let back = answer(&change, None, "back").await;
    assert_eq!(back.status, StatusCode::OK);
    assert_eq!(asked(&back).as_deref(), Some("age"));
    assert_eq!(hidden(&back), hidden(&change));
}

#[tokio::test]
async fn the_report_page_and_the_downloads_match_assess() {
    let q = questionnaire();
    let check = answer_all("47").await;
    let fields = hidden(&check);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let reply = post(&format!("/{ID}/report"), &pairs).await;
    assert_eq!(reply.status, StatusCode::OK);

    let download = post(&format!("/{ID}/answers.json"), &pairs).await;
    assert_eq!(
        download.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"low-back-glutes-answers.json\""
    );
    assert!(download.header(header::CONTENT_TYPE).starts_with("application/json"));
    let document = AnswersDocument::parse(download.body.as_bytes()).expect("an answers document");
    assert_eq!(document.questionnaire.as_deref(), Some(ID));
    let answers = Answers::from_document(&q, &document.answers).expect("valid answers");
    let report = evaluate(&q, &answers);
    assert_eq!(report.triage.level.as_str(), "self_care");

    reply.assert_has("<html lang=\"en\" data-triage-level=\"self_care\">");
    reply.assert_has(&render::html_fragment(&report));
    reply.assert_has("Download my answers");
    reply.assert_has("Download the report");

    let markdown = post(&format!("/{ID}/report.md"), &pairs).await;
    assert_eq!(
        markdown.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"low-back-glutes-report.md\""
    );
    assert_eq!(markdown.body, render::markdown(&report));
}

#[tokio::test]
async fn the_report_page_takes_only_valid_answers() {
    let reply = post(&format!("/{ID}/report"), &[("age", "old")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_has("answer `age`: expected an integer");
    let reply = post(&format!("/{ID}/answers.json"), &[("nope", "1")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.headers.get(header::CONTENT_DISPOSITION).is_none());
}

fn multipart(fields: &[(&str, &[u8])]) -> Request<Body> {
    let boundary = "XyZzY0123";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        if *name == "answers_file" {
            body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"a.json\"\r\nContent-Type: application/json\r\n\r\n").as_bytes(),
            );
        } else {
            body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            );
        }
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::post(format!("/{ID}/resume"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .expect("request")
}

#[tokio::test]
async fn continue_from_saved_answers() {
    let document =
        br#"{"questionnaire": "low-back-glutes", "answers": {"rf_saddle_numbness": "no", "age": 33}}"#;
    let reply = send_to(app(), multipart(&[("answers_file", document), ("answers_text", b"")])).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(asked(&reply).as_deref(), Some("rf_bladder_bowel_change"));
    assert!(hidden(&reply).contains(&("age".to_owned(), "33".to_owned())));
    // Pasted text works too.
    let reply = send_to(app(), multipart(&[("answers_file", b""), ("answers_text", document)])).await;
    assert_eq!(asked(&reply).as_deref(), Some("rf_bladder_bowel_change"));
}

#[tokio::test]
async fn saved_answers_that_fail_are_shown_on_the_start_page() {
    let cases: [(&[u8], &str); 5] = [
        (
            br#"{"answers": {"age": "forty"}}"#,
            "Answer `age`: expected an integer from 0 to 120 (years), got \"forty\"",
        ),
        (br#"{"questionnaire": "other", "answers": {}}"#, "These answers are for the questionnaire `other`"),
        (b"{\"answers\": ", "the input ends before the JSON document is complete"),
        (b"\xff\xfe", "not UTF-8"),
        (b"  ", "Choose your answers file, or paste its text."),
    ];
    for (file, message) in cases {
        let reply = send_to(app(), multipart(&[("answers_file", file), ("answers_text", b"")])).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        reply.assert_says(message);
        reply.assert_has("<a href=\"#answers-file\">");
        reply.assert_has("autofocus");
    }
    let pasted = br#"{"answers": {"age": "<i>x</i>"}}"#;
    let reply = send_to(app(), multipart(&[("answers_text", pasted)])).await;
    reply.assert_says("<i>x</i>");
    assert!(!reply.has("<i>x"));
    // Not an upload at all.
    let reply = post(&format!("/{ID}/resume"), &[("answers_text", "{}")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = send_to(app(), multipart(&[("other", b"1")])).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bodies_over_the_limit_get_a_413_page() {
    let big = vec![b'a'; selfcheck::web::limits::MAX_BODY_BYTES + 1];
    let reply = post_raw(&format!("/{ID}/question"), big.clone()).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    reply.assert_has("at most 64 kilobytes");
    // Without a Content-Length, the limit holds while reading.
    let chunks = big.chunks(1000).map(|c| Ok::<_, std::io::Error>(c.to_vec())).collect::<Vec<_>>();
    let request = Request::post(format!("/{ID}/report"))
        .body(Body::from_stream(futures_stream(chunks)))
        .expect("request");
    let reply = send_to(app(), request).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    let request = Request::post(format!("/{ID}/resume"))
        .header(header::CONTENT_LENGTH, "999999999")
        .body(Body::empty())
        .expect("request");
    assert_eq!(send_to(app(), request).await.status, StatusCode::PAYLOAD_TOO_LARGE);
}

fn futures_stream(
    chunks: Vec<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    Chunks(chunks.into_iter())
}

/// A body that arrives in pieces.
struct Chunks(std::vec::IntoIter<Result<Vec<u8>, std::io::Error>>);

impl futures_core::Stream for Chunks {
    type Item = Result<Vec<u8>, std::io::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.0.next())
    }
}

/// A body that never finishes arriving.
struct Stalled;

impl futures_core::Stream for Stalled {
    type Item = Result<Vec<u8>, std::io::Error>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Pending
    }
}

#[tokio::test(start_paused = true)]
async fn a_slow_body_times_out_with_a_408_page() {
    let request = Request::post(format!("/{ID}/question")).body(Body::from_stream(Stalled)).expect("request");
    let reply = send_to(app(), request).await;
    assert_eq!(reply.status, StatusCode::REQUEST_TIMEOUT);
    reply.assert_has("This took too long");
}

#[tokio::test]
async fn every_string_is_escaped_questionnaire_texts_too() {
    let mut definition: serde_json::Value =
        serde_json::from_str(selfcheck::shipped(ID).expect("shipped")).expect("JSON");
    definition["title"] = "<script>alert(1)</script> & co".into();
    definition["questions"][0]["text"] = "Saddle <img src=x onerror=alert(1)>?".into();
    definition["questions"][0]["help"] = "\"quoted\" 'help'".into();
    let evil = Questionnaire::from_json(&definition.to_string(), "evil").expect("still valid");
    let app = selfcheck::web::router(vec![evil]);
    for request in [
        Request::get("/").body(Body::empty()),
        Request::get(format!("/{ID}")).body(Body::empty()),
        Request::post(format!("/{ID}/question")).body(Body::from("_action=continue")),
        Request::post(format!("/{ID}/report")).body(Body::from("rf_saddle_numbness=yes")),
    ] {
        let reply = send_to(app.clone(), request.expect("request")).await;
        assert!(!reply.has("<script"), "{}", reply.body);
        assert!(!reply.has("<img"), "{}", reply.body);
        assert!(reply.has("&#60;script&#62;") || reply.has("&#60;img"), "{}", reply.body);
    }
}

/// A server on a loopback port, with a short header timeout, and the
/// sender that stops it.
async fn server(
    header_timeout: Duration,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("an address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        selfcheck::web::server::serve(listener, app(), header_timeout, async {
            let _ = stopped.await;
        })
        .await
        .expect("serve");
    });
    (addr, stop, handle)
}

#[tokio::test]
async fn a_client_slow_to_send_headers_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (addr, stop, handle) = server(Duration::from_millis(300)).await;
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.expect("write");
    let mut buffer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buffer)).await;
    assert!(read.is_ok(), "the connection stayed open");
    let _ = stop.send(());
    handle.await.expect("stopped");
}

#[tokio::test]
async fn the_server_answers_and_stops_gracefully() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (addr, stop, handle) = server(Duration::from_secs(5)).await;
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.expect("write");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.expect("read");
    assert!(reply.starts_with("HTTP/1.1 200 OK"), "{reply}");
    assert!(reply.ends_with("ok\n"));
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(5), handle).await.expect("stops promptly").expect("cleanly");
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "still listening");
}

#[test]
fn assess_format_html_prints_the_report_page_without_its_buttons() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("examples/saddle-numbness.json");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_selfcheck"))
        .args(["assess", "--format", "html"])
        .arg(&path)
        .output()
        .expect("selfcheck runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let page = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        page.starts_with("<!DOCTYPE html>\n<html lang=\"en\" data-triage-level=\"emergency\">"),
        "{page}"
    );
    // The stylesheet inline, so that the file stands on its own.
    assert!(page.contains(&format!("<style>\n{}</style>", render::HTML_STYLE)));
    let q = questionnaire();
    let document = AnswersDocument::parse(&std::fs::read(&path).expect("read")).expect("parse");
    let report = evaluate(&q, &Answers::from_document(&q, &document.answers).expect("valid"));
    assert!(page.contains(&render::html_fragment(&report)));
    assert!(!page.contains("<form") && !page.contains("<button") && !page.contains("<script"));
}

/// While the server runs, each request's log line comes out within
/// moments (lines are written in batches, but never held back until the
/// server stops), whole, in order, and saying no more than method, path,
/// status and time.
#[test]
fn log_lines_come_out_while_serving() {
    use std::io::{BufRead, Read, Write};
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_selfcheck"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("selfcheck serve starts");
    let stderr = server.stderr.take().expect("stderr");
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let first = lines.recv_timeout(Duration::from_secs(20)).expect("the server says where it listens");
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    for (path, status) in [("/healthz", 200), ("/nowhere?rf_saddle_numbness=yes", 404), ("/healthz", 200)] {
        let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
        write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("write");
        stream.read_to_end(&mut Vec::new()).expect("read");
        let line = lines.recv_timeout(Duration::from_secs(2)).expect("a log line while serving");
        let shown = path.split('?').next().unwrap_or(path);
        let rest = line.strip_prefix(&format!("GET {shown} {status} ")).unwrap_or_else(|| panic!("{line}"));
        assert!(rest.ends_with("ms") && rest.trim_end_matches("ms").parse::<f64>().is_ok(), "{line}");
    }
    let _ = server.kill();
    let _ = server.wait();
}
