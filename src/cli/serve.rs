//! `selfcheck serve`: loads the questionnaires, then hands them to the web
//! front end.

use std::net::SocketAddr;

use clap::Args;
use selfcheck::shipped::SHIPPED;

use super::{catalog, Failure};

#[derive(Debug, Args)]
#[command(after_help = "Pages work without JavaScript; nothing is stored and no answer is logged \
                        (one line per request: method, path, status, time). Serve plain HTTP on \
                        a loopback address and put a TLS proxy in front (see the README).")]
pub struct ServeArgs {
    /// Questionnaires to serve: shipped ids or paths [default: every shipped questionnaire]
    #[arg(value_name = "ID|PATH")]
    questionnaires: Vec<String>,
    /// The address and port to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
}

pub fn run(args: ServeArgs) -> Result<(), Failure> {
    let names: Vec<String> = if args.questionnaires.is_empty() {
        SHIPPED.iter().map(|(id, _)| (*id).to_owned()).collect()
    } else {
        args.questionnaires
    };
    let mut questionnaires = Vec::with_capacity(names.len());
    for name in &names {
        let questionnaire = catalog::load(name)?;
        if questionnaires.iter().any(|q: &selfcheck::Questionnaire| q.id == questionnaire.id) {
            return Err(Failure::Input(format!(
                "{name}: another questionnaire given has the id `{}`; each page needs its own",
                questionnaire.id
            )));
        }
        questionnaires.push(questionnaire);
    }
    let app = selfcheck::web::router(questionnaires);
    selfcheck::web::server::run(args.addr, app)
        .map_err(|error| Failure::Input(format!("cannot serve on {}: {error}", args.addr)))
}
