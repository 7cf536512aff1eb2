//! Hard sentences, written for this project, with the practices they must (and must not)
//! yield: `tests/fixtures/hard-sentences.txt`. Each case is a text (one or more lines,
//! extracted as one document) followed by expectation lines:
//!
//! - `LABEL [words]`: a data mention labelled as in PI-Extract (COLLECT, NOT_COLLECT, SHARE,
//!   NOT_SHARE; see `eval::pi_extract::label_of`) whose text is exactly `words`;
//! - `no LABEL` / `no LABEL [words]`: no mention with that label (on those words);
//! - `kind K` / `kind !K` / `no kind K`: a practice of kind K (`!` negated) is / is not
//!   stated.
//!
//! Cases are separated by blank lines; `#` starts a comment line. Each failure names the
//! case's line so that a change to the rules shows which sentence it broke.

use privacy_kg::corpus::Format;
use privacy_kg::eval::pi_extract::label_of;
use privacy_kg::extract::{self, PracticeKind};
use privacy_kg::text;
use privacy_kg::vocab::Vocabulary;

const FIXTURE: &str = include_str!("fixtures/hard-sentences.txt");

struct Case {
    line: usize,
    text: String,
    expect: Vec<String>,
}

fn cases() -> Vec<Case> {
    let mut out: Vec<Case> = Vec::new();
    let mut current: Option<Case> = None;
    for (n, raw) in FIXTURE.lines().enumerate() {
        let line = raw.trim_end();
        if line.trim_start().starts_with('#') {
            continue;
        }
        if line.is_empty() {
            out.extend(current.take());
            continue;
        }
        let is_expect = line.starts_with("  ");
        let c = current.get_or_insert_with(|| Case {
            line: n + 1,
            text: String::new(),
            expect: Vec::new(),
        });
        if is_expect {
            c.expect.push(line.trim().to_string());
        } else {
            if !c.text.is_empty() {
                c.text.push('\n');
            }
            c.text.push_str(line);
        }
    }
    out.extend(current);
    out
}

/// (label, mention text) of every data mention of a practice.
type Labels = Vec<(String, String)>;
/// (kind, negated) of every practice.
type Kinds = Vec<(PracticeKind, bool)>;

fn run(vocab: &Vocabulary, text: &str) -> (Labels, Kinds) {
    let seg = text::segment(Format::Text, text);
    let ex = extract::extract(&seg, vocab, &mut extract::Scratch::default());
    let mut labels = Vec::new();
    let mut kinds = Vec::new();
    for p in &ex.practices {
        kinds.push((p.kind, p.negated));
        if let Some(label) = label_of(p) {
            for m in &p.data {
                labels.push((label.to_string(), seg.text[m.start..m.end].to_string()));
            }
        }
    }
    (labels, kinds)
}

/// `LABEL [words]` → (label, Some(words)); `LABEL` → (label, None).
fn parse_label(s: &str) -> (String, Option<String>) {
    match s.split_once(" [") {
        Some((label, rest)) => (
            label.trim().to_string(),
            Some(rest.trim_end_matches(']').to_string()),
        ),
        None => (s.trim().to_string(), None),
    }
}

fn check(vocab: &Vocabulary, case: &Case) -> Vec<String> {
    let (labels, kinds) = run(vocab, &case.text);
    let mut failures = Vec::new();
    for e in &case.expect {
        let ok = if let Some(k) = e.strip_prefix("no kind ") {
            let kind = PracticeKind::parse(k).expect("known kind");
            !kinds.iter().any(|(pk, _)| *pk == kind)
        } else if let Some(k) = e.strip_prefix("kind ") {
            let (negated, k) = match k.strip_prefix('!') {
                Some(k) => (true, k),
                None => (false, k),
            };
            let kind = PracticeKind::parse(k).expect("known kind");
            kinds.contains(&(kind, negated))
        } else if let Some(rest) = e.strip_prefix("no ") {
            let (label, words) = parse_label(rest);
            !labels
                .iter()
                .any(|(l, w)| *l == label && words.as_ref().is_none_or(|x| x == w))
        } else {
            let (label, words) = parse_label(e);
            let words = words.expect("a positive expectation names its words");
            labels.iter().any(|(l, w)| *l == label && *w == words)
        };
        if !ok {
            failures.push(format!(
                "line {}: `{e}` fails for «{}»; got {labels:?}, kinds {kinds:?}",
                case.line, case.text
            ));
        }
    }
    failures
}

#[test]
fn hard_sentences_yield_their_practices() {
    let vocab = Vocabulary::embedded().unwrap();
    let cases = cases();
    assert!(cases.len() >= 30, "fixture has {} cases", cases.len());
    let failures: Vec<String> = cases.iter().flat_map(|c| check(&vocab, c)).collect();
    assert!(
        failures.is_empty(),
        "{} failing expectation(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_case_expects_something() {
    for c in cases() {
        assert!(
            !c.expect.is_empty(),
            "case at line {} has no expectation",
            c.line
        );
    }
}
