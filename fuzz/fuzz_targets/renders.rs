//! What every report a fuzz target reaches must do: render in every format,
//! and read back from its JSON line unchanged.

use selfcheck::render::{self, Format};
use selfcheck::Report;

pub fn renders_and_reads_back(report: &Report<'_>) {
    for format in Format::ALL {
        assert!(!render::render(report, format).is_empty());
    }
    let mut line = Vec::new();
    render::write_json_line(report, &mut line).expect("write to memory");
    let back: Report<'_> = serde_json::from_slice(&line).expect("the JSON report reads back");
    assert_eq!(&back, report);
}
