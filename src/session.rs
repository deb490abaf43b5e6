//! The interactive session's order of questions.
