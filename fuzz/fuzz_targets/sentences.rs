//! Arbitrary UTF-8 text through the plain-text block finder and the sentence splitter
//! (including the cut of over-long sentences): no panic, every offset on a char boundary.
#![no_main]

use libfuzzer_sys::fuzz_target;
use privacy_kg_fuzz::{check_segmented, corpus::Format, text};

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    let seg = text::segment(Format::Text, &source);
    check_segmented(&seg, &source);
    // Plain text is its own normalised text: the offsets are offsets of the source.
    assert_eq!(seg.text, source);
});
