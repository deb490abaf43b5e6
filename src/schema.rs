//! JSON Schema for answers documents.
