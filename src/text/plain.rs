//! Blocks of plain text, found from its lines: a bullet or number starts a list item, a short
//! unpunctuated title-like line is a heading, and a line that continues an unfinished one is
//! joined to it (policies are often hard-wrapped). The text itself is not changed.

use super::{BlockKind, RawBlock};

/// Lines this long without a final stop look hard-wrapped.
const WRAP_WIDTH: usize = 40;

pub(super) fn blocks(text: &str) -> Vec<RawBlock> {
    let mut out: Vec<RawBlock> = Vec::new();
    // Whether the last block may be continued by the next line.
    let mut open = false;
    let mut offset = 0;
    for raw_line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim();
        if trimmed.is_empty() {
            open = false;
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let content_start = line_start + indent;
        let content_end = line_start + line.trim_end().len();
        let bullet = bullet_len(trimmed);
        let starts_lower = trimmed.chars().next().is_some_and(|c| c.is_lowercase());
        if open && bullet == 0 {
            let prev = out.last_mut().unwrap();
            let prev_text = text[prev.start..prev.end].trim_end();
            let prev_line = prev_text.rsplit('\n').next().unwrap_or(prev_text);
            let unfinished = !prev_text.ends_with(['.', '!', '?', ':', ';'])
                && (starts_lower
                    || prev_text.ends_with([',', '(', '-', '&'])
                    || prev_line.chars().count() >= WRAP_WIDTH);
            if unfinished && prev.kind != BlockKind::Heading {
                prev.end = content_end;
                continue;
            }
        }
        let (kind, start) = if bullet > 0 {
            (BlockKind::ListItem, content_start + bullet)
        } else if is_heading(trimmed) {
            (BlockKind::Heading, content_start)
        } else {
            (BlockKind::Paragraph, content_start)
        };
        let start =
            start + (text[start..content_end].len() - text[start..content_end].trim_start().len());
        if start >= content_end {
            open = false;
            continue;
        }
        out.push(RawBlock {
            kind,
            start,
            end: content_end,
            source_start: Some(start),
        });
        open = kind != BlockKind::Heading;
    }
    out
}

/// Length in bytes of a list marker at the start of a line ("- ", "* ", "• ", "1. ", "(a) "),
/// 0 if there is none.
fn bullet_len(line: &str) -> usize {
    let bytes = line.as_bytes();
    for marker in ["- ", "* ", "• ", "· ", "● ", "▪ ", "◦ ", "o ", "– ", "> "] {
        if line.starts_with(marker) {
            // "o " is a bullet only when what follows is not a sentence starting with "o".
            return marker.len();
        }
    }
    // "1. ", "12) ", "(a) ", "a) ", "iv. "
    let mut i = 0;
    let paren = bytes.first() == Some(&b'(');
    if paren {
        i += 1;
    }
    let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    let letters = if digits == 0 {
        bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_lowercase())
            .count()
    } else {
        0
    };
    let n = digits.max(letters);
    if n == 0
        || (digits > 0 && n > 2)
        || (letters > 0 && (n > 3 || !roman_or_letter(&line[i..i + n])))
    {
        return 0;
    }
    i += n;
    match bytes.get(i) {
        Some(b')') | Some(b'.') if bytes.get(i + 1) == Some(&b' ') => {
            // "1.5 GB" or "e.g. " are not bullets.
            if letters > 0 && bytes.get(i) == Some(&b'.') && n > 1 {
                return 0;
            }
            i + 2
        }
        _ => 0,
    }
}

fn roman_or_letter(s: &str) -> bool {
    s.len() == 1 || s.chars().all(|c| matches!(c, 'i' | 'v' | 'x'))
}

/// A heading is short, does not end like a sentence, and looks like a title (most words
/// capitalised, or all capitals).
pub(super) fn is_heading(line: &str) -> bool {
    let line = line.trim();
    // The cheap refusals first, so that the lines of a paragraph are not split into words
    // only to be refused (profiled); more than 400 bytes is more than 100 characters.
    if line.len() > 400 || line.ends_with(['.', '!', '?', ';', ',']) {
        return false;
    }
    if !line
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    {
        return false;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.is_empty() || words.len() > 12 || line.chars().count() > 100 {
        return false;
    }
    let mut letters = line.chars().filter(|c| c.is_alphabetic()).peekable();
    if letters.peek().is_some() && letters.all(char::is_uppercase) {
        return true;
    }
    const SMALL: &[&str] = &[
        "a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to",
        "with", "we", "you", "your", "our", "how", "what", "do", "is", "it", "this", "us",
    ];
    let significant: Vec<&&str> = words
        .iter()
        .filter(|w| {
            !SMALL.contains(
                &w.to_lowercase()
                    .trim_matches(|c: char| !c.is_alphanumeric()),
            )
        })
        .collect();
    if significant.is_empty() {
        return words.len() <= 6;
    }
    let capitalised = significant
        .iter()
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        })
        .count();
    // Short unpunctuated lines ("Cookies", "How we collect information") are headings;
    // a line ending in a colon is one only when short or in title case, else it is a lead-in.
    if line.ends_with(':') {
        words.len() <= 3 || capitalised * 2 >= significant.len() * 2 - 1
    } else {
        words.len() <= 8 || capitalised * 2 >= significant.len() * 2 - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_hard_wrapped_lines_and_finds_bullets() {
        let text = "Type of information we collect\nWe receive, collect and store any information you enter on our website\nor provide us in any other way.\n* To provide and operate the Services\n1. Type of information\n";
        let b = blocks(text);
        let kinds: Vec<_> = b.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Heading,
                BlockKind::Paragraph,
                BlockKind::ListItem,
                BlockKind::ListItem
            ]
        );
        assert!(text[b[1].start..b[1].end].ends_with("any other way."));
        assert_eq!(
            &text[b[2].start..b[2].end],
            "To provide and operate the Services"
        );
    }

    #[test]
    fn headings_are_title_like() {
        assert!(is_heading("Information We Collect:"));
        assert!(is_heading("Cookies"));
        assert!(is_heading("I. PRIVACY POLICY AND STATEMENT"));
        assert!(!is_heading("We collect the following information:"));
        assert!(!is_heading("We do not sell your data."));
    }
}
