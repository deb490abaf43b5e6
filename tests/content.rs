use selfcheck::Questionnaire;

#[test]
fn shipped_questionnaire_loads() {
    let text = selfcheck::shipped("low-back-glutes").expect("shipped");
    if let Err(e) = Questionnaire::from_json(text, "low-back-glutes.json") {
        panic!("{e}");
    }
}
