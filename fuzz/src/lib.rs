//! The stages under fuzzing — corpus decoding, the HTML/Markdown/plain-text normaliser and
//! sentence splitter, and the extractor — compiled from the main crate's own source files,
//! and the invariants every fuzz target checks on their output.
//!
//! The modules are included by path rather than by depending on `privacy-kg`: that crate
//! links Oxigraph and RocksDB, a C++ build of a quarter of an hour that the fuzzing
//! instrumentation would redo for code the targets never call. `text`, `vocab` and
//! `extract` depend on nothing above them in the flow, so they compile here unchanged; of
//! `corpus`, only the decoder and `Format` are taken.

#![allow(dead_code, unused_imports)]

/// The parts of `src/corpus` the stages under fuzzing use: decoding and the markup
/// [`corpus::Format`]. The whole module is not compiled here: its git reader (for `build
/// --git-history`) needs `gix`, a large crate no target calls.
#[path = "../../src/corpus"]
pub mod corpus {
    mod decode;
    pub use decode::{decode, Decoded};

    /// `src/corpus`'s `Format`, repeated: a variant added there and matched in `src/text`
    /// fails to compile here, so the copy cannot drift silently.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Format {
        Text,
        Markdown,
        Html,
    }
}
#[path = "../../src/extract/mod.rs"]
pub mod extract;
#[path = "../../src/text/mod.rs"]
pub mod text;
#[path = "../../src/vocab/mod.rs"]
pub mod vocab;

use std::sync::LazyLock;

use corpus::Format;
use text::Segmented;

/// The built-in vocabulary, compiled once per fuzzing process.
pub static VOCAB: LazyLock<vocab::Vocabulary> =
    LazyLock::new(|| vocab::Vocabulary::embedded().expect("embedded ontology"));

/// The markup a fuzz input is read as, chosen by its first byte so one corpus covers all.
pub fn split_format(data: &[u8]) -> (Format, &[u8]) {
    match data.split_first() {
        Some((b, rest)) => (
            match b % 3 {
                0 => Format::Text,
                1 => Format::Markdown,
                _ => Format::Html,
            },
            rest,
        ),
        None => (Format::Text, data),
    }
}

/// Panics unless `start..end` is a non-empty-or-empty range inside `text` whose ends are
/// char boundaries.
pub fn check_range(text: &str, start: usize, end: usize, what: &str) {
    assert!(
        start <= end && end <= text.len(),
        "{what}: {start}..{end} outside the text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: {start}..{end} not on char boundaries"
    );
}

/// Every offset of a segmented document lies inside its text (or, for `source_start`,
/// inside the source) on a char boundary; sentences lie inside their block, in order;
/// block links point at earlier blocks.
pub fn check_segmented(seg: &Segmented, source: &str) {
    for (i, b) in seg.blocks.iter().enumerate() {
        check_range(&seg.text, b.start, b.end, "block");
        if let Some(s) = b.source_start {
            check_range(source, s, s, "block source_start");
        }
        if let Some(l) = b.lead_in {
            assert!(l < i, "lead-in {l} of block {i} is not before it");
        }
        if let Some(h) = b.section {
            assert!(h < i, "section heading {h} of block {i} is not before it");
        }
    }
    let mut last_end = 0;
    for s in &seg.sentences {
        check_range(&seg.text, s.start, s.end, "sentence");
        let b = &seg.blocks[s.block];
        assert!(
            b.start <= s.start && s.end <= b.end,
            "sentence {}..{} outside its block {}..{}",
            s.start,
            s.end,
            b.start,
            b.end
        );
        assert!(s.start >= last_end, "sentences overlap or go backwards");
        last_end = s.end;
        let tokens = text::tokens(&seg.text, s.start, s.end);
        for t in &tokens {
            check_range(&seg.text, t.start, t.end, "token");
            assert!(s.start <= t.start && t.end <= s.end, "token outside sentence");
        }
    }
    let cp = text::CodePoints::new(&seg.text);
    assert_eq!(cp.at(seg.text.len()), seg.text.chars().count());
}

/// Every practice of an extraction points at a sentence of the document, and its evidence
/// and mentions are ranges of the text on char boundaries.
pub fn check_extraction(seg: &Segmented, ex: &extract::Extraction) {
    for p in &ex.practices {
        assert!(p.sentence < seg.sentences.len(), "practice of a sentence that does not exist");
        check_range(&seg.text, p.evidence.0, p.evidence.1, "evidence");
        for m in p
            .data
            .iter()
            .chain(&p.recipients)
            .chain(&p.purposes)
            .chain(p.condition.iter())
        {
            check_range(&seg.text, m.start, m.end, "mention");
        }
    }
}
