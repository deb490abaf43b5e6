//! Renderers: the same report as text, Markdown or JSON.
