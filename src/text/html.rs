//! Visible text of HTML: script, style and other invisible elements dropped; block
//! elements (paragraphs, headings, list items, table cells, line breaks) become blocks.
//! The tree is walked iteratively so deeply nested markup cannot overflow the stack, and
//! markup that would make the parser quadratic is bounded first ([`html_limit`]).

use ego_tree::iter::Edge;
use scraper::{Html, Node};

use super::html_limit;
use super::{BlockKind, TextBuilder};

const INVISIBLE: &[&str] = &[
    "script", "style", "noscript", "template", "head", "svg", "iframe", "object", "canvas",
    "select", "button",
];
const BLOCK: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "aside",
    "header",
    "footer",
    "nav",
    "table",
    "tr",
    "td",
    "th",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "form",
    "fieldset",
    "address",
    "figure",
    "figcaption",
    "hr",
    "br",
    "body",
    "center",
    "tbody",
    "thead",
    "caption",
    "details",
    "summary",
];

pub(super) fn blocks(source: &str) -> (String, Vec<super::RawBlock>) {
    let document = Html::parse_document(&html_limit::tame(source));
    let mut builder = TextBuilder::default();
    let mut current = String::new();
    let mut kind = BlockKind::Paragraph;
    let mut hidden_depth = 0usize;
    let mut item_depth = 0usize;
    let flush = |builder: &mut TextBuilder, current: &mut String, kind: BlockKind| {
        builder.push(kind, current, None);
        current.clear();
    };
    for edge in document.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    let name = el.name();
                    if hidden_depth > 0 || INVISIBLE.contains(&name) || el.attr("hidden").is_some()
                    {
                        hidden_depth += 1;
                        continue;
                    }
                    if is_heading(name) {
                        flush(&mut builder, &mut current, kind);
                        kind = BlockKind::Heading;
                    } else if name == "li" {
                        flush(&mut builder, &mut current, kind);
                        item_depth += 1;
                        kind = BlockKind::ListItem;
                    } else if BLOCK.contains(&name) {
                        flush(&mut builder, &mut current, kind);
                        if kind == BlockKind::Heading {
                            kind = BlockKind::Paragraph;
                        }
                    }
                }
                Node::Text(t) if hidden_depth == 0 => {
                    // Whitespace runs collapse to one space; inline elements join as written.
                    for c in t.chars() {
                        if c.is_whitespace() {
                            if !current.is_empty() && !current.ends_with(' ') {
                                current.push(' ');
                            }
                        } else {
                            current.push(c);
                        }
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    let name = el.name();
                    if hidden_depth > 0 {
                        hidden_depth -= 1;
                        continue;
                    }
                    if is_heading(name) {
                        flush(&mut builder, &mut current, kind);
                        kind = if item_depth > 0 {
                            BlockKind::ListItem
                        } else {
                            BlockKind::Paragraph
                        };
                    } else if name == "li" {
                        flush(&mut builder, &mut current, kind);
                        item_depth = item_depth.saturating_sub(1);
                        kind = if item_depth > 0 {
                            BlockKind::ListItem
                        } else {
                            BlockKind::Paragraph
                        };
                    } else if BLOCK.contains(&name) {
                        flush(&mut builder, &mut current, kind);
                    }
                }
            }
        }
    }
    flush(&mut builder, &mut current, kind);
    (builder.text, builder.blocks)
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_visible_text_only() {
        let (text, blocks) = blocks(
            "<html><head><title>T</title><style>p{}</style></head><body><script>var x=1;</script><h2>Cookies</h2><p>We use <b>cookies</b>.</p><ul><li>name</li><li>email</li></ul></body></html>",
        );
        assert_eq!(text, "Cookies\nWe use cookies.\nname\nemail");
        assert_eq!(blocks[0].kind, BlockKind::Heading);
        assert_eq!(blocks[2].kind, BlockKind::ListItem);
    }

    /// Runs `f` on a thread with a small stack: a parser or walk that recursed per level of
    /// nesting would overflow it.
    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn nesting_100_000_deep_does_not_overflow_the_stack() {
        for (open, close) in [
            ("<div>", "</div>"),
            ("<b>", ""),
            ("<li><ul>", ""),
            ("<table><tr><td>", ""),
        ] {
            let mut html = String::from("<html><body>");
            for _ in 0..100_000 {
                html.push_str(open);
            }
            html.push_str("We collect your email address.");
            for _ in 0..100_000 {
                html.push_str(close);
            }
            let (text, _) = on_small_stack(move || blocks(&html));
            assert!(
                text.contains("We collect your email address."),
                "{open}: {text:.100}"
            );
        }
    }
}
