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
