//! The questionnaires built into the binary, so that it works from any
//! directory.

/// `(id, JSON text)` of every shipped questionnaire, in `selfcheck list`
/// order.
pub const SHIPPED: &[(&str, &str)] =
    &[("low-back-glutes", include_str!("../questionnaires/low-back-glutes.json"))];

/// The JSON text of a shipped questionnaire.
pub fn shipped(id: &str) -> Option<&'static str> {
    SHIPPED.iter().find(|(shipped_id, _)| *shipped_id == id).map(|(_, text)| *text)
}

/// The first shipped questionnaire, loaded once for all the unit tests
/// that read it (loading runs the whole linter).
#[cfg(test)]
pub(crate) fn low_back_glutes() -> &'static crate::Questionnaire {
    static QUESTIONNAIRE: std::sync::OnceLock<crate::Questionnaire> = std::sync::OnceLock::new();
    QUESTIONNAIRE.get_or_init(|| {
        crate::Questionnaire::from_json(shipped("low-back-glutes").expect("shipped"), "low-back-glutes")
            .expect("valid")
    })
}
