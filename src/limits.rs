//! How much selfcheck reads: the size limits on its inputs, and reading
//! that stops at them.
//!
//! Every input is bounded before it is parsed, so that no input (a huge
//! file, `/dev/zero`, a stream that never ends) can make selfcheck use
//! memory or time out of proportion to what a real questionnaire or answers
//! document needs. Going over a limit is bad input: an error of kind
//! [`ErrorKind::TooLarge`] that names the limit and how to raise it where
//! it can be raised.

use std::io::Read;

use crate::error::{Error, ErrorKind};

/// The default largest answers document (and JSON Lines line), in bytes:
/// 1 MiB. A document answering every question of the shipped questionnaire
/// takes about 1.5 kB.
pub const DEFAULT_MAX_DOCUMENT_BYTES: u64 = 1 << 20;

/// The largest questionnaire file, in bytes: 32 MiB. The shipped
/// questionnaire takes about 80 kB; a generated one of 100,000 questions
/// with rules about 16 MB.
pub const MAX_QUESTIONNAIRE_BYTES: u64 = 32 << 20;

/// The longest id in a questionnaire, and the longest key in an answers
/// document, in characters. The shipped ids are at most 30.
pub const MAX_ID_CHARS: usize = 64;

/// The most options a question can have: answers hold an option's position
/// in 16 bits.
pub const MAX_OPTIONS: usize = u16::MAX as usize;

/// The size limits of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest answers document, or JSON Lines line, in bytes.
    pub max_document_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES }
    }
}

/// Reads all of `reader` if it holds at most `limit` bytes; reads one byte
/// past the limit at most, so that an endless input fails at once. `what`
/// names the input in the error ("an answers document") and `raise` says
/// how to allow more, if anything can.
pub fn read(reader: impl Read, limit: u64, what: &str, raise: &str) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(what, limit, raise));
    }
    Ok(bytes)
}

/// The error for an input over its limit.
pub fn too_large(what: &str, limit: u64, raise: &str) -> Error {
    Error::new(ErrorKind::TooLarge, format!("{what} is larger than the limit of {}{raise}", bytes(limit)))
}

/// A byte count as people read it: `1 MiB (1048576 bytes)`.
fn bytes(n: u64) -> String {
    const MIB: u64 = 1 << 20;
    const KIB: u64 = 1 << 10;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB ({n} bytes)", n / MIB)
    } else if n >= KIB && n.is_multiple_of(KIB) {
        format!("{} KiB ({n} bytes)", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_limit_and_refuses_one_byte_more() {
        assert_eq!(read(&b"abcd"[..], 4, "the input", "").map(|b| b.len()), Ok(4));
        let error = read(&b"abcde"[..], 4, "the input", "").expect_err("over the limit");
        assert_eq!(error.kind(), ErrorKind::TooLarge);
        assert_eq!(error.message(), "the input is larger than the limit of 4 bytes");
    }

    #[test]
    fn an_endless_input_stops_at_the_limit() {
        let error = read(std::io::repeat(0), 1 << 20, "an answers document", "; raise it with --max")
            .expect_err("endless");
        assert_eq!(
            error.message(),
            "an answers document is larger than the limit of 1 MiB (1048576 bytes); raise it with --max"
        );
    }
}
