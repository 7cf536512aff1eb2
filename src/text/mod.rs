//! Plain text from a document: the normalised text with an offset map back to the source,
//! its blocks (headings, paragraphs, list items carrying their lead-in), sentences and
//! tokens. Offsets are byte offsets into the normalised text; [`CodePoints`] converts them
//! to the Unicode code point offsets that the graph and the JSONL records use.

mod html;
mod html_limit;
mod markdown;
mod plain;

use crate::corpus::Format;

/// What a block of text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Heading,
    Paragraph,
    ListItem,
}

/// A heading, paragraph or list item of the normalised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// Byte range in the normalised text.
    pub start: usize,
    pub end: usize,
    /// Byte offset in the source text where the block starts, where the markup allows
    /// knowing it (plain text and Markdown; not HTML).
    pub source_start: Option<usize>,
    /// For a list item: the block that introduces the list ("We collect the following:").
    pub lead_in: Option<usize>,
    /// The heading whose section the block is in.
    pub section: Option<usize>,
}

/// A sentence: a byte range of the normalised text inside one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    pub block: usize,
}

/// A document as text: the hand-off from `text` to `extract`.
#[derive(Debug, Clone, Default)]
pub struct Segmented {
    /// The normalised text. For plain text it is the source itself.
    pub text: String,
    pub blocks: Vec<Block>,
    pub sentences: Vec<Sentence>,
}

impl Segmented {
    /// The text of a sentence.
    pub fn sentence_text(&self, i: usize) -> &str {
        let s = &self.sentences[i];
        &self.text[s.start..s.end]
    }

    /// Index of the first sentence of a block, if it has any.
    pub fn first_sentence_of(&self, block: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.block < block);
        (i < self.sentences.len() && self.sentences[i].block == block).then_some(i)
    }
}

/// Segments a document's decoded source text according to its markup.
pub fn segment(format: Format, source: &str) -> Segmented {
    segment_until(format, source, None).0
}

/// [`segment`], giving up splitting sentences once `deadline` has passed: the sentences
/// found until then are kept, and the second value is the byte offset of the normalised
/// text where splitting stopped.
pub fn segment_until(
    format: Format,
    source: &str,
    deadline: Option<std::time::Instant>,
) -> (Segmented, Option<usize>) {
    let (text, blocks) = match format {
        Format::Text => (source.to_string(), plain::blocks(source)),
        Format::Markdown => markdown::blocks(source),
        Format::Html => html::blocks(source),
    };
    finish(text, blocks, deadline)
}

/// A block under construction, before lead-ins and sections are known.
pub(crate) struct RawBlock {
    pub kind: BlockKind,
    pub start: usize,
    pub end: usize,
    pub source_start: Option<usize>,
}

/// Collects blocks given as owned strings into one normalised text, blocks separated by
/// a newline.
#[derive(Default)]
pub(crate) struct TextBuilder {
    pub text: String,
    pub blocks: Vec<RawBlock>,
}

impl TextBuilder {
    pub fn push(&mut self, kind: BlockKind, content: &str, source_start: Option<usize>) {
        let content = content.trim();
        if content.is_empty() {
            return;
        }
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        let start = self.text.len();
        self.text.push_str(content);
        self.blocks.push(RawBlock {
            kind,
            start,
            end: self.text.len(),
            source_start,
        });
    }
}

/// Links list items to their lead-in and blocks to their section, and splits sentences.
fn finish(
    text: String,
    raw: Vec<RawBlock>,
    deadline: Option<std::time::Instant>,
) -> (Segmented, Option<usize>) {
    let mut blocks: Vec<Block> = Vec::with_capacity(raw.len());
    let mut section = None;
    let mut lead_in = None;
    for (i, b) in raw.iter().enumerate() {
        let block_lead_in = match b.kind {
            BlockKind::ListItem => lead_in,
            BlockKind::Heading => {
                section = Some(i);
                lead_in = None;
                None
            }
            BlockKind::Paragraph => {
                let t = text[b.start..b.end].trim_end();
                lead_in = (t.ends_with(':')
                    || t.ends_with('-')
                    || t.ends_with('—')
                    || mentions_following(t))
                .then_some(i);
                None
            }
        };
        blocks.push(Block {
            kind: b.kind,
            start: b.start,
            end: b.end,
            source_start: b.source_start,
            lead_in: block_lead_in,
            section: if b.kind == BlockKind::Heading {
                None
            } else {
                section
            },
        });
    }
    let mut sentences = Vec::new();
    let mut stopped = None;
    let past = |d: Option<std::time::Instant>| d.is_some_and(|d| std::time::Instant::now() > d);
    'blocks: for (i, b) in blocks.iter().enumerate() {
        let mut chunk = b.start;
        while chunk < b.end {
            if past(deadline) {
                stopped = Some(chunk);
                break 'blocks;
            }
            let end = chunk_end(&text, chunk, b.end);
            split_sentences(&text, chunk, end, i, &mut sentences);
            chunk = end;
        }
    }
    (
        Segmented {
            text,
            blocks,
            sentences,
        },
        stopped,
    )
}

/// `t.to_lowercase().contains("following")`, without lowercasing a copy of the paragraph
/// (profiled: about 1% of extraction). The same answer: ASCII letters lowercase as
/// `eq_ignore_ascii_case` compares them, and no other character lowercases to a letter of
/// "following" that could join the ASCII around it (the Kelvin sign gives `k`; `İ` gives
/// `i` and a combining dot, which no letter of the word may follow).
fn mentions_following(t: &str) -> bool {
    const WORD: &[u8] = b"following";
    let bytes = t.as_bytes();
    memchr::memchr2_iter(b'f', b'F', bytes).any(|i| {
        bytes
            .get(i..i + WORD.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(WORD))
    })
}

/// Longest run of text handed to the sentence splitter at once. A block longer than this
/// (a page flattened into one line) is split in pieces ending at a sentence end (". ") or
/// at least at white space, so the splitter's time and memory stay bounded per piece and
/// the deadline is looked at between pieces. Real paragraphs are far shorter.
const SPLIT_CHUNK: usize = 64 * 1024;

fn chunk_end(text: &str, start: usize, end: usize) -> usize {
    if end - start <= SPLIT_CHUNK {
        return end;
    }
    let limit = floor_char_boundary(text, start + SPLIT_CHUNK);
    let piece = &text[start..limit];
    let cut = piece
        .rfind(". ")
        .map(|p| p + 2)
        .or_else(|| piece.rfind(char::is_whitespace).map(|p| p + 1))
        .filter(|&p| p > 0)
        .unwrap_or(piece.len());
    // `limit` may be 0 bytes past `start` only if one character is longer than the chunk.
    (start + cut).max(ceil_char_boundary(text, start + 1))
}

fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i.min(text.len())
}

/// Longest sentence kept whole; longer runs (tables flattened into one line, lists without
/// punctuation) are cut at the last clause break before it so the extractor's work per
/// sentence stays bounded.
const MAX_SENTENCE_BYTES: usize = 2000;

fn split_sentences(text: &str, start: usize, end: usize, block: usize, out: &mut Vec<Sentence>) {
    let slice = &text[start..end];
    if splitter_keeps_whole(slice) {
        push_sentence(text, start, end, block, out);
        return;
    }
    for b in sentencex::get_sentence_boundaries("en", slice) {
        push_sentence(text, start + b.start_byte, start + b.end_byte, block, out);
    }
}

/// Whether sentencex would return `slice` as one sentence, so it need not run: one line of
/// ASCII (no paragraph break) without `)`, the only ASCII character that can start an
/// inline list marker ("a) … b) …"; a marker at the start of the line makes no break),
/// whose only sentence terminators (`.`, `!`, `?`; the others are not ASCII) are one run
/// at its very end, before at most a few spaces or tabs: "We collect your email address."
/// Up to 10 KiB, which sentencex splits in chunks. Most blocks (headings, list items,
/// one-sentence paragraphs); profiled: sentencex costs thousands of instructions per call
/// however short the text.
///
/// Why sentencex keeps such a line whole (sentencex 0.1.33): a line is one paragraph; its
/// one terminator match ends at `t`, where only blanks follow, so the boundary it proposes
/// is `t` plus those blanks, the end of the line (or none, after an abbreviation); no
/// skippable range contains the end (`SkippableRange::contains` is strict), and no quote
/// closer follows it; without `)`, a newline or a 0xE2 byte the only list marker can be at
/// byte 0. So the boundaries are [0, len]. `splitter_keeps_whole_agrees_with_sentencex`
/// checks the claim against sentencex itself.
fn splitter_keeps_whole(slice: &str) -> bool {
    let bytes = slice.as_bytes();
    if bytes.is_empty()
        || bytes.len() > 10 * 1024
        || !bytes.is_ascii()
        || memchr::memchr2(b')', b'\n', bytes).is_some()
    {
        return false;
    }
    let body = slice.trim_end_matches([' ', '\t']);
    // sentencex looks 30 bytes past a terminator for the blanks it swallows.
    if slice.len() - body.len() >= 16 {
        return false;
    }
    let body = body.trim_end_matches(['.', '!', '?']);
    memchr::memchr3(b'.', b'!', b'?', body.as_bytes()).is_none()
}

/// Pushes the sentence sentencex found at `text[s..e]`, cut at blank lines and to at most
/// [`MAX_SENTENCE_BYTES`].
fn push_sentence(text: &str, mut s: usize, e: usize, block: usize, out: &mut Vec<Sentence>) {
    // Sentences never span a blank line: those are paragraph breaks the markup missed.
    let mut cursor = s;
    loop {
        let (ps, pe, next) = match blank_line(&text.as_bytes()[cursor..e]) {
            Some(pos) => (cursor, cursor + pos, Some(cursor + pos + 2)),
            None => (cursor, e, None),
        };
        s = ps;
        while pe - s > MAX_SENTENCE_BYTES {
            let mut cut = floor_char_boundary(text, s + MAX_SENTENCE_BYTES);
            if let Some(p) = text[s..cut].rfind([';', ',', '\n']) {
                if p > 0 {
                    cut = s + p + 1;
                }
            }
            push_trimmed(text, s, cut, block, out);
            s = cut;
        }
        push_trimmed(text, s, pe, block, out);
        match next {
            Some(n) => cursor = n,
            None => break,
        }
    }
}

/// Where `"\n\n"` first occurs in `bytes`: `str::find` with a two-byte pattern, by memchr
/// (profiled: the substring searcher's set-up per sentence cost more than the search).
fn blank_line(bytes: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'\n', bytes).find(|&i| bytes.get(i + 1) == Some(&b'\n'))
}

fn push_trimmed(text: &str, s: usize, e: usize, block: usize, out: &mut Vec<Sentence>) {
    let piece = &text[s..e];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead + trail < piece.len() {
        out.push(Sentence {
            start: s + lead,
            end: e - trail,
            block,
        });
    }
}

pub(crate) fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A word or punctuation mark: a byte range of the normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
}

/// Tokens of `text[start..end]`: runs of letters and digits (keeping inner hyphens,
/// apostrophes and dots, as in "e-mail", "don't", "U.S"), and single punctuation marks.
pub fn tokens(text: &str, start: usize, end: usize) -> Vec<Token> {
    let mut out = Vec::with_capacity((end - start) / 5 + 1);
    tokens_into(text, start, end, &mut out);
    out
}

/// As [`tokens`], reusing a buffer.
pub fn tokens_into(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    out.clear();
    push_tokens(text, start, end, out);
}

/// As [`tokens_into`], appending to what `out` holds.
pub fn push_tokens(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    let slice = &text[start..end];
    let bytes = slice.as_bytes();
    // The character at byte `i` and its length; ASCII without decoding (profiled: the
    // tokeniser runs over every sentence, and policies are nearly all ASCII).
    let char_at = |i: usize| -> (char, usize) {
        let b = bytes[i];
        if b < 0x80 {
            (char::from(b), 1)
        } else {
            let c = slice[i..].chars().next().expect("at a character boundary");
            (c, c.len_utf8())
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let (c, len) = char_at(i);
        if c.is_alphanumeric() {
            let mut j = i + len;
            while j < bytes.len() {
                let (d, dlen) = char_at(j);
                if d.is_alphanumeric() {
                    j += dlen;
                } else if matches!(d, '-' | '\'' | '’' | '.' | '_' | '‐')
                    && j + dlen < bytes.len()
                    && char_at(j + dlen).0.is_alphanumeric()
                {
                    // Inner joiner: kept only if a letter or digit follows.
                    j += dlen;
                } else {
                    break;
                }
            }
            out.push(Token {
                start: start + i,
                end: start + j,
            });
            i = j;
        } else {
            if !c.is_whitespace() {
                out.push(Token {
                    start: start + i,
                    end: start + i + len,
                });
            }
            i += len;
        }
    }
}

/// Converts byte offsets of one text into Unicode code point offsets.
pub struct CodePoints {
    /// For each character longer than one byte, in text order: its byte offset and the
    /// bytes beyond the first of it and of every such character before it. Empty for ASCII
    /// text, where the two offsets are equal. (A table per character rather than per byte:
    /// most policies are nearly ASCII, and a table of the whole text's size was a visible
    /// cost of writing each document.)
    wide: Vec<(usize, usize)>,
}

impl CodePoints {
    pub fn new(text: &str) -> Self {
        let mut wide = Vec::new();
        let mut extra = 0;
        for (i, &b) in text.as_bytes().iter().enumerate() {
            // A UTF-8 lead byte of a two- to four-byte character.
            if b >= 0xC0 {
                extra += match b {
                    0xC0..=0xDF => 1,
                    0xE0..=0xEF => 2,
                    _ => 3,
                };
                wide.push((i, extra));
            }
        }
        CodePoints { wide }
    }

    /// The code point offset of a byte offset (which must be a char boundary).
    pub fn at(&self, byte: usize) -> usize {
        let before = self.wide.partition_point(|&(start, _)| start < byte);
        match before {
            0 => byte,
            n => byte - self.wide[n - 1].1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_line_finds_what_str_find_finds() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..5_000 {
            let mut text = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut bits = state;
            for _ in 0..(bits % 24) {
                bits = bits.rotate_right(3);
                text.push(['\n', '\n', 'a', ' ', '\r', 'é'][(bits % 6) as usize]);
            }
            assert_eq!(blank_line(text.as_bytes()), text.find("\n\n"), "{text:?}");
        }
    }

    /// `splitter_keeps_whole` never skips a split sentencex would make: on every string it
    /// accepts, sentencex returns the whole string as one sentence. The strings mix words,
    /// capitals and Roman numerals, digits, list-marker shapes at the start and inside
    /// ("1 ", "(a", "iv:", "- ", "* "), quotes, brackets and tabs, and most end in a
    /// terminator run (abbreviations, initials, numbers, quotes and brackets around it)
    /// before blanks.
    #[test]
    fn splitter_keeps_whole_agrees_with_sentencex() {
        const PIECES: &[&str] = &[
            "we", "We", "share", "Data", "I", "i", "ii", "iv", "IV", "x", "a", "b", "A", "B", "1",
            "2", "10", "(a", "(1", "(i", "[1]", "1:", "a:", "iv:", "-", "- ", "* ", "*", "#", "\"",
            "'", "“", "”", ";", ",", ":", "/", "&", "%", "$", "@", "_", "e-mail", "U S", "etc",
            "Inc", "Mr", "No", "vs", "e g", "i e", "(", "[", "]", "{", "}", "<", ">", "=", "+",
            "~", "`", "^", "|", "\\", "\r", "\t", " ", "  ", "\u{a0}", ")", ".", "!", "?", "\n",
            "\n\n", "…", "•",
        ];
        let mut next = crate::testing::xorshift(0x2545_f491_4f6c_dd1du64);
        const ENDINGS: &[&str] = &[
            ".", "!", "?", "...", "?!", "!!", ". . .", ". .", "! !", "!.", ".\"", ".'", ".”", ".)",
            ".]", "\".", "etc.", "Inc.", "Mr.", "U.S.", "e.g.", "No.", "vs.", "J.", "1.", "iv.",
            "St.", "A.", "I.", " .",
        ];
        let mut accepted = 0;
        let mut ended = 0;
        for _ in 0..60_000 {
            let mut text = String::new();
            for k in 0..1 + next(14) {
                if k > 0 && next(3) > 0 {
                    text.push(' ');
                }
                text.push_str(PIECES[next(PIECES.len())]);
            }
            // Most real blocks end in a terminator run, often before blanks.
            if next(4) > 0 {
                text.push_str(ENDINGS[next(ENDINGS.len())]);
                text.push_str(["", "", " ", "  ", "\t", " \t ", "\r"][next(7)]);
            }
            if !splitter_keeps_whole(&text) {
                continue;
            }
            accepted += 1;
            ended += usize::from(text.trim_end().ends_with(['.', '!', '?']));
            let got: Vec<(usize, usize)> = sentencex::get_sentence_boundaries("en", &text)
                .iter()
                .map(|b| (b.start_byte, b.end_byte))
                .collect();
            assert_eq!(got, vec![(0, text.len())], "{text:?}");
        }
        assert!(accepted > 8_000 && ended > 4_000, "{accepted} {ended}");
        let long = "we share data with partners ".repeat(10 * 1024 / 28 + 1);
        let long = &long[..10 * 1024];
        assert!(splitter_keeps_whole(long));
        let got: Vec<(usize, usize)> = sentencex::get_sentence_boundaries("en", long)
            .iter()
            .map(|b| (b.start_byte, b.end_byte))
            .collect();
        assert_eq!(got, vec![(0, long.len())]);
        for rejected in [
            "",
            "a) b",
            "a\nb",
            "é",
            "a…",
            "a. b",
            "a. b.",
            "U.S. data.",
            "a. . .",
            "a.\"",
            "a.\r",
            "a.                ",
        ] {
            assert!(!splitter_keeps_whole(rejected), "{rejected:?}");
        }
        for kept in [
            "a",
            "a.",
            "a!",
            "a?",
            "a...",
            "We share data.  ",
            "See Inc.\t",
        ] {
            assert!(splitter_keeps_whole(kept), "{kept:?}");
        }
    }

    fn sentences(text: &str) -> Vec<String> {
        let s = segment(Format::Text, text);
        (0..s.sentences.len())
            .map(|i| s.sentence_text(i).to_string())
            .collect()
    }

    #[test]
    fn does_not_split_at_abbreviations() {
        let got = sentences(
            "We share data with affiliates, i.e. companies we control, e.g. Acme Inc. and others in the U.S. We never sell it.",
        );
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[1].starts_with("We never sell"));
    }

    #[test]
    fn list_items_carry_their_lead_in_and_section() {
        let s = segment(
            Format::Text,
            "Information We Collect\nWe collect the following information:\n- your name\n- your email address\nOther text here.",
        );
        assert_eq!(s.blocks[0].kind, BlockKind::Heading);
        let item = s
            .blocks
            .iter()
            .position(|b| b.kind == BlockKind::ListItem)
            .unwrap();
        assert_eq!(
            &s.text[s.blocks[item].start..s.blocks[item].end],
            "your name"
        );
        let lead = s.blocks[item].lead_in.unwrap();
        assert!(s.text[s.blocks[lead].start..s.blocks[lead].end].ends_with("information:"));
        assert_eq!(s.blocks[item].section, Some(0));
    }

    #[test]
    fn a_block_longer_than_a_chunk_is_split_between_sentences() {
        let text = "We collect your email address. ".repeat(10_000);
        let s = segment(Format::Text, &text);
        assert_eq!(s.blocks.len(), 1);
        assert_eq!(s.sentences.len(), 10_000);
        assert!(
            (0..s.sentences.len()).all(|i| s.sentence_text(i) == "We collect your email address.")
        );
        let past = std::time::Instant::now() - std::time::Duration::from_secs(1);
        let (cut, stopped) = segment_until(Format::Text, &text, Some(past));
        assert!(cut.sentences.is_empty());
        assert_eq!(stopped, Some(0));
    }

    #[test]
    fn code_points_count_characters_not_bytes() {
        let cp = CodePoints::new("visitors’ data");
        assert_eq!(cp.at("visitors’".len()), 9);
        assert_eq!(cp.at("visitors’ data".len()), 14);
        // Every boundary of a text mixing one- to four-byte characters.
        let text = "aé€😀 b\u{10FFFF}ü.";
        let cp = CodePoints::new(text);
        for (n, (i, _)) in text.char_indices().enumerate() {
            assert_eq!(cp.at(i), n, "at byte {i}");
        }
        assert_eq!(cp.at(text.len()), text.chars().count());
        assert_eq!(CodePoints::new("plain").at(3), 3);
    }

    /// `mentions_following` agrees with lowercasing then searching, on generated strings
    /// with capitals, the Kelvin sign, dotted capital I, final sigma and other characters
    /// whose lowercase changes length.
    #[test]
    fn mentions_following_agrees_with_lowercase_contains() {
        const PIECES: &[&str] = &[
            "following",
            "FOLLOWING",
            "Following",
            "fOlLoWiNg",
            "follow",
            "ing",
            "FOLLOW",
            "ING",
            "f",
            "F",
            "o",
            "l",
            "w",
            "i",
            "n",
            "g",
            "İ",
            "I",
            "\u{212A}",
            "Σ",
            "ς",
            "ẞ",
            "é",
            "’",
            " ",
            "-",
            "Ⅰ",
            "ﬀ",
            "ﬁ",
            "K",
            "x",
        ];
        let mut next = crate::testing::xorshift(0xfeed_beef_cafe_f00du64);
        let mut found = 0;
        for _ in 0..50_000 {
            let mut t = String::new();
            for _ in 0..next(10) {
                t.push_str(PIECES[next(PIECES.len())]);
            }
            let want = t.to_lowercase().contains("following");
            found += usize::from(want);
            assert_eq!(mentions_following(&t), want, "{t:?}");
        }
        assert!(found > 1_000, "{found}");
        assert!(mentions_following("the FOLLOWİNG: following"));
        assert!(!mentions_following("FOLLOWİNG"));
    }

    #[test]
    fn tokens_of_mixed_scripts_and_joiners() {
        let text = "E-mail’s naïve‐café, x.-y 3.5GB _a_ – «ß» end- -start 😀x ÉTÉ’";
        let t: Vec<&str> = tokens(text, 0, text.len())
            .iter()
            .map(|t| &text[t.start..t.end])
            .collect();
        assert_eq!(
            t,
            [
                "E-mail’s",
                "naïve‐café",
                ",",
                "x",
                ".",
                "-",
                "y",
                "3.5GB",
                "_",
                "a",
                "_",
                "–",
                "«",
                "ß",
                "»",
                "end",
                "-",
                "-",
                "start",
                "😀",
                "x",
                "ÉTÉ",
                "’"
            ]
        );
        // Offsets are those of the whole text: "il’s" of "E-mail’s", then "n".
        let inner = tokens(text, 4, 12);
        assert_eq!(
            inner,
            [Token { start: 4, end: 10 }, Token { start: 11, end: 12 }]
        );
    }

    #[test]
    fn tokens_keep_inner_joiners() {
        let text = "Your e-mail, don't U.S. (IP)";
        let t: Vec<&str> = tokens(text, 0, text.len())
            .iter()
            .map(|t| &text[t.start..t.end])
            .collect();
        assert_eq!(
            t,
            ["Your", "e-mail", ",", "don't", "U.S", ".", "(", "IP", ")"]
        );
    }
}
