//! Bounds on HTML that would make the parser slow: html5ever, like the browsers it follows,
//! checks the stack of open elements or the list of formatting elements on every tag, so a
//! page nested 100,000 deep costs 100,000² steps (minutes), and it compares every attribute
//! of a tag with every other. A linear scan first finds the tags that open elements beyond
//! [`MAX_DEPTH`] and removes them (and their end tags), and reduces a tag with more than
//! [`MAX_ATTRIBUTES`] attributes to its name. Text is never removed: only the block breaks
//! those deep tags would have made are lost. Ordinary pages come back unchanged.

use std::borrow::Cow;
use std::collections::HashMap;

/// Open elements kept. Real pages nest a few dozen deep.
pub(super) const MAX_DEPTH: usize = 128;
/// Attributes kept on one tag. Real tags have a handful.
pub(super) const MAX_ATTRIBUTES: usize = 64;

/// Elements without an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "basefont", "bgsound", "frame",
];
/// Elements whose content is text up to their own end tag (tags inside are not tags).
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];
/// Start tags that close an open paragraph, as HTML parsing does: without this, pages
/// that never close their `<p>`s would look deeply nested.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "ul",
    "dd",
    "dt",
];

/// An element a start tag implicitly closes when it is open near the top of the stack, and
/// the elements that stop the search (its scope).
fn implicitly_closed(name: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match name {
        "li" => (&["li"], &["ul", "ol", "menu"]),
        "dt" | "dd" => (&["dt", "dd"], &["dl"]),
        "td" | "th" => (&["td", "th"], &["tr", "table"]),
        "tr" => (&["tr", "td", "th"], &["table", "tbody", "thead", "tfoot"]),
        "option" => (&["option"], &["select", "datalist"]),
        "tbody" | "thead" | "tfoot" => (&["tbody", "thead", "tfoot", "tr", "td", "th"], &["table"]),
        _ => return None,
    })
}

/// How far down the stack an implicitly closed element is looked for: enough for real
/// markup, and it keeps the scan linear.
const SEARCH: usize = 8;

/// The HTML with over-deep tags removed and over-long tags shortened; the input itself when
/// nothing needed changing.
pub(super) fn tame(source: &str) -> Cow<'_, str> {
    let bytes = source.as_bytes();
    let len = bytes.len();
    let mut stack: Vec<String> = Vec::new();
    // Start tags removed per element name: their end tags go too.
    let mut dropped: HashMap<String, usize> = HashMap::new();
    // Byte ranges to replace, in order, with what replaces them.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut i = 0;
    while let Some(off) = bytes[i..].iter().position(|&b| b == b'<') {
        let lt = i + off;
        let rest = &bytes[lt + 1..];
        if rest.starts_with(b"!--") {
            i = find(bytes, lt + 4, b"-->").map_or(len, |e| e + 3);
            continue;
        }
        if matches!(rest.first(), Some(b'!' | b'?')) {
            i = find(bytes, lt + 1, b">").map_or(len, |e| e + 1);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = lt + 1 + usize::from(closing);
        if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            i = lt + 1;
            continue;
        }
        let mut j = name_start;
        while j < len && !bytes[j].is_ascii_whitespace() && bytes[j] != b'/' && bytes[j] != b'>' {
            j += 1;
        }
        let name = source[name_start..j].to_ascii_lowercase();
        let (tag_end, attributes, hidden) = scan_tag(bytes, j);
        let Some(tag_end) = tag_end else {
            break; // an unfinished tag at the end: nothing after it to protect
        };
        let tag = (lt, tag_end + 1);
        i = tag_end + 1;
        if closing {
            if let Some(pos) = stack.iter().rposition(|n| *n == name) {
                stack.truncate(pos);
            } else if let Some(n) = dropped.get_mut(&name).filter(|n| **n > 0) {
                *n -= 1;
                edits.push((tag.0, tag.1, String::new()));
            }
            continue;
        }
        if attributes > MAX_ATTRIBUTES {
            let kept = if hidden {
                format!("<{name} hidden>")
            } else {
                format!("<{name}>")
            };
            edits.push((tag.0, tag.1, kept));
        }
        if RAW_TEXT.contains(&name.as_str()) {
            // Skip the content: what looks like tags in a script is text.
            i = find_end_tag(bytes, i, &name).unwrap_or(len);
            continue;
        }
        if name == "plaintext" {
            break;
        }
        close_implied(&mut stack, &name);
        let self_closing = bytes[tag_end - 1] == b'/';
        if VOID.contains(&name.as_str()) || self_closing {
            continue;
        }
        if stack.len() >= MAX_DEPTH {
            *dropped.entry(name).or_default() += 1;
            match edits.last_mut() {
                Some(e) if e.0 == tag.0 => e.2.clear(),
                _ => edits.push((tag.0, tag.1, String::new())),
            }
            continue;
        }
        stack.push(name);
    }
    if edits.is_empty() {
        return Cow::Borrowed(source);
    }
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    for (start, end, with) in edits {
        out.push_str(&source[at..start]);
        out.push_str(&with);
        at = end;
    }
    out.push_str(&source[at..]);
    Cow::Owned(out)
}

/// Pops the elements a start tag closes by HTML's rules (an open `<p>`, the previous `<li>`).
fn close_implied(stack: &mut Vec<String>, name: &str) {
    let top = stack.len().saturating_sub(SEARCH);
    if CLOSES_P.contains(&name) {
        if let Some(pos) = (top..stack.len()).rev().find(|&k| stack[k] == "p") {
            stack.truncate(pos);
        }
    }
    if let Some((closed, scope)) = implicitly_closed(name) {
        let top = stack.len().saturating_sub(SEARCH);
        for k in (top..stack.len()).rev() {
            if scope.contains(&stack[k].as_str()) {
                break;
            }
            if closed.contains(&stack[k].as_str()) {
                stack.truncate(k);
                break;
            }
        }
    }
}

/// From just after a tag's name: the offset of its closing `>` (quotes respected), how many
/// attributes it has, and whether one is `hidden`.
fn scan_tag(bytes: &[u8], from: usize) -> (Option<usize>, usize, bool) {
    let mut attributes = 0;
    let mut hidden = false;
    let mut j = from;
    let mut in_name: Option<usize> = None;
    let mut after_eq = false;
    while j < bytes.len() {
        let b = bytes[j];
        if after_eq && (b == b'"' || b == b'\'') {
            match bytes[j + 1..].iter().position(|&c| c == b) {
                Some(k) => j += k + 2,
                None => return (None, attributes, hidden),
            }
            after_eq = false;
            continue;
        }
        match b {
            b'>' => {
                if let Some(s) = in_name {
                    hidden |= bytes[s..j].eq_ignore_ascii_case(b"hidden");
                }
                return (Some(j), attributes, hidden);
            }
            b'=' => {
                if let Some(s) = in_name.take() {
                    hidden |= bytes[s..j].eq_ignore_ascii_case(b"hidden");
                }
                after_eq = true;
            }
            b if b.is_ascii_whitespace() || b == b'/' => {
                if let Some(s) = in_name.take() {
                    hidden |= bytes[s..j].eq_ignore_ascii_case(b"hidden");
                }
            }
            _ if after_eq => {
                // An unquoted value runs to white space or '>'.
                while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
                    j += 1;
                }
                after_eq = false;
                continue;
            }
            _ => {
                if in_name.is_none() {
                    attributes += 1;
                    in_name = Some(j);
                }
            }
        }
        j += 1;
    }
    (None, attributes, hidden)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= bytes.len() {
        return None;
    }
    bytes[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// The offset of `</name` (any case) at or after `from`.
fn find_end_tag(bytes: &[u8], from: usize, name: &str) -> Option<usize> {
    let mut k = from;
    while let Some(p) = find(bytes, k, b"</") {
        let after = &bytes[p + 2..];
        if after.len() >= name.len() && after[..name.len()].eq_ignore_ascii_case(name.as_bytes()) {
            return Some(p);
        }
        k = p + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_pages_are_left_alone() {
        let page = "<html><head><script>if (a<b) document.write('<div>')</script></head><body><p>One<p>Two<ul><li>a<li>b</ul><table><tr><td>x<td>y<tr><td>z</table><!-- <div> --></body></html>";
        assert!(matches!(tame(page), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_tags_go_and_their_text_stays() {
        let mut html = String::new();
        for i in 0..1000 {
            html.push_str(&format!("<div class=\"d{i}\">t{i} "));
        }
        for _ in 0..1000 {
            html.push_str("</div>");
        }
        html.push_str("<p>after</p>");
        let tamed = tame(&html);
        assert_eq!(tamed.matches("<div").count(), MAX_DEPTH);
        assert_eq!(tamed.matches("</div>").count(), MAX_DEPTH);
        for i in [0, 500, 999] {
            assert!(tamed.contains(&format!("t{i} ")));
        }
        assert!(tamed.ends_with("<p>after</p>"));
    }

    #[test]
    fn a_tag_with_too_many_attributes_keeps_its_name_and_hidden() {
        let attrs: String = (0..100).map(|i| format!(" a{i}=\"x>y\"")).collect();
        let html = format!("<div{attrs} hidden>secret</div><p{attrs}>shown</p>");
        assert_eq!(tame(&html), "<div hidden>secret</div><p>shown</p>");
    }
}
