//! Arbitrary bytes, read as text, Markdown or HTML, through the extractor with the built-in
//! vocabulary: no panic, every practice's sentence, evidence and mention inside the text on
//! a char boundary.
#![no_main]

use libfuzzer_sys::fuzz_target;
use privacy_kg_fuzz::{check_extraction, check_segmented, extract, split_format, text, VOCAB};

fuzz_target!(|data: &[u8]| {
    let (format, bytes) = split_format(data);
    let source = String::from_utf8_lossy(bytes);
    let seg = text::segment(format, &source);
    check_segmented(&seg, &source);
    let ex = extract::extract(&seg, &VOCAB, &mut extract::Scratch::default());
    check_extraction(&seg, &ex);
});
