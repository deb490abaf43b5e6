//! The shipped questionnaire, loaded once for every fuzz input.

use std::sync::OnceLock;

use selfcheck::Questionnaire;

pub fn questionnaire() -> &'static Questionnaire {
    static Q: OnceLock<Questionnaire> = OnceLock::new();
    Q.get_or_init(|| {
        let text = selfcheck::shipped("low-back-glutes").expect("shipped");
        Questionnaire::from_json(text, "low-back-glutes").expect("the shipped questionnaire loads")
    })
}
