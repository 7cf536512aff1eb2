//! Blocks of Markdown: headings, paragraphs and list items as CommonMark parses them, with
//! emphasis, links and inline HTML reduced to their text.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::{BlockKind, TextBuilder};

pub(super) fn blocks(source: &str) -> (String, Vec<super::RawBlock>) {
    let mut builder = TextBuilder::default();
    let mut current = String::new();
    let mut kind = BlockKind::Paragraph;
    let mut start: Option<usize> = None;
    let mut in_item = 0usize;
    let flush = |builder: &mut TextBuilder,
                 current: &mut String,
                 kind: BlockKind,
                 start: &mut Option<usize>| {
        builder.push(kind, current, *start);
        current.clear();
        *start = None;
    };
    let parser = Parser::new_ext(
        source,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                flush(&mut builder, &mut current, kind, &mut start);
                kind = BlockKind::Heading;
                start = Some(range.start);
            }
            Event::Start(Tag::Item) => {
                flush(&mut builder, &mut current, kind, &mut start);
                in_item += 1;
                kind = BlockKind::ListItem;
                start = Some(range.start);
            }
            Event::Start(Tag::Paragraph)
            | Event::Start(Tag::TableCell)
            | Event::Start(Tag::CodeBlock(_)) => {
                // A tight list item's first paragraph belongs to the item.
                if !(kind == BlockKind::ListItem && current.trim().is_empty()) {
                    flush(&mut builder, &mut current, kind, &mut start);
                    kind = if in_item > 0 {
                        BlockKind::ListItem
                    } else {
                        BlockKind::Paragraph
                    };
                }
                start.get_or_insert(range.start);
            }
            Event::End(TagEnd::Heading(_))
            | Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::TableCell)
            | Event::End(TagEnd::CodeBlock) => {
                flush(&mut builder, &mut current, kind, &mut start);
                kind = if in_item > 0 {
                    BlockKind::ListItem
                } else {
                    BlockKind::Paragraph
                };
            }
            Event::End(TagEnd::Item) => {
                flush(&mut builder, &mut current, kind, &mut start);
                in_item = in_item.saturating_sub(1);
                kind = if in_item > 0 {
                    BlockKind::ListItem
                } else {
                    BlockKind::Paragraph
                };
            }
            // A nested list starts inside an item's text: the text so far is its own item.
            Event::Start(Tag::List(_)) if !current.trim().is_empty() => {
                flush(&mut builder, &mut current, kind, &mut start);
            }
            Event::Text(t) | Event::Code(t) => {
                start.get_or_insert(range.start);
                current.push_str(&t);
            }
            Event::InlineHtml(h) | Event::Html(h) if h.trim_start().starts_with("<br") => {
                current.push(' ');
            }
            Event::SoftBreak => current.push(' '),
            Event::HardBreak => current.push(' '),
            _ => {}
        }
    }
    flush(&mut builder, &mut current, kind, &mut start);
    (builder.text, builder.blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_markup_and_keeps_structure() {
        let (text, blocks) = blocks("# igourmet.com - Privacy Policy\n\nWe **never** sell [your data](http://x).\n\nWe collect:\n\n- your name\n- your *email*\n");
        let texts: Vec<&str> = blocks.iter().map(|b| &text[b.start..b.end]).collect();
        assert_eq!(
            texts,
            [
                "igourmet.com - Privacy Policy",
                "We never sell your data.",
                "We collect:",
                "your name",
                "your email"
            ]
        );
        assert_eq!(blocks[0].kind, BlockKind::Heading);
        assert_eq!(blocks[3].kind, BlockKind::ListItem);
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        for open in ["> ", "- ", "* [", "1. "] {
            let md = format!("{}We collect your email address.\n", open.repeat(20_000));
            let (text, _) = std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || blocks(&md))
                .unwrap()
                .join()
                .unwrap();
            assert!(text.contains("We collect your email address."), "{open}");
        }
    }
}
