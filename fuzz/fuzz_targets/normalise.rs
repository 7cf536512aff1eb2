//! Arbitrary bytes through decoding and the HTML, Markdown or plain-text normaliser: no
//! panic, and every block, sentence and token offset inside the text on a char boundary.
#![no_main]

use libfuzzer_sys::fuzz_target;
use privacy_kg_fuzz::{check_segmented, corpus, split_format, text};

fuzz_target!(|data: &[u8]| {
    let (format, bytes) = split_format(data);
    // Decoding refuses binary data; what it accepts goes on, as in the pipeline.
    let source = match corpus::decode(bytes) {
        Ok(d) => d.text,
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    };
    let seg = text::segment(format, &source);
    check_segmented(&seg, &source);
});
