//! Bytes looked at eight at a time: finding separators in short runs of
//! ASCII-delimited text (CSV rows, form bodies), where a search call per
//! separator costs more than reading the whole run word by word.

/// The eight bytes of `bytes` from `at` as one little-endian word (byte
/// `at + i` in bits `8 * i..`), zeros past the end.
#[inline]
pub fn word_at(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0; 8];
    if let Some(block) = bytes.get(at..at + 8) {
        word.copy_from_slice(block);
    } else if let Some(tail) = bytes.get(at..) {
        word[..tail.len()].copy_from_slice(tail);
    }
    u64::from_le_bytes(word)
}

/// The high bit of each byte of `word` that equals `byte`, and no other
/// bit. (Exact, unlike the shorter test for whether any byte is zero,
/// which may also mark a byte after a zero one.)
#[inline]
pub fn bytes_equal(word: u64, byte: u8) -> u64 {
    const LOW_BITS: u64 = u64::from_le_bytes([0x7f; 8]);
    let zero_where_equal = word ^ (u64::from_le_bytes([1; 8]) * u64::from(byte));
    !(((zero_where_equal & LOW_BITS) + LOW_BITS) | zero_where_equal | LOW_BITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn marks_every_equal_byte_and_no_other(bytes in proptest::collection::vec(proptest::sample::select(vec![0u8, 1, b'&', b'=', 0x7f, 0x80, 0xff, b'a']), 0..20), at in 0..24usize, byte in proptest::sample::select(vec![0u8, b'&', b'=', 0x80, 0xff])) {
            let word = word_at(&bytes, at);
            let marks = bytes_equal(word, byte);
            for i in 0..8 {
                let present = bytes.get(at + i).copied().unwrap_or(0);
                proptest::prop_assert_eq!(marks >> (8 * i + 7) & 1 == 1, present == byte, "byte {}", i);
            }
            proptest::prop_assert_eq!(marks & !u64::from_le_bytes([0x80; 8]), 0);
        }
    }
}
