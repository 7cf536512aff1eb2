//! PI-Extract (Bui et al., PETS 2021): spans of personal data labelled with what the policy
//! says is done with them.
//!
//! The dataset has four CoNLL-03 label layers over the same sentences, one folder each:
//! `CollectUse_true` → COLLECT, `CollectUse_false` → NOT_COLLECT, `Share_true` → SHARE,
//! `Share_false` → NOT_SHARE, each holding `train.conll03` and/or `validation.conll03`.
//! A line is `token _ _ TAG` with IOB tags, a blank line ends a sentence, `-DOCSTART-`
//! lines separate documents. The layers must hold the same tokens in the same order; the
//! reader checks it and names the first line where they differ.
//!
//! Prediction: each sentence's tokens are joined with single spaces (each token's byte
//! range kept) and the extractor runs over them. By default the sentences of a
//! `-DOCSTART-` document are run together as one text, one paragraph per sentence
//! ([`Context::Document`]), which is how the extractor meets a policy; [`Context::Sentence`]
//! runs each sentence alone. Both were measured on the train split and score the same
//! today: context only lends a sentence data mentions from elsewhere ("this information"
//! resolved to the sentence before, a list's lead-in, a section heading), and those are not
//! labels of the sentence (below). Every data mention of a practice becomes a labelled span:
//! - collect or use by the first party → COLLECT (negated: NOT_COLLECT);
//! - share or sell, or collect or use by a third party → SHARE (negated: NOT_SHARE);
//! - other kinds give no label; a mention in two practices may carry two labels;
//! - a mention outside the practice's evidence sentence (taken from another sentence by
//!   anaphora, a list's lead-in or a section heading) is not a label of this sentence.
//!
//! Mentions map to the tokens they overlap. Identical (label, span) pairs count once.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::score::{score_spans, score_unit_labels, LabelledSpan, Score, SpanScores};
use super::{num, read_to_string, require_dir, spread, table, EvalError};
use crate::corpus::{Document, Format, Metadata};
use crate::extract::{self, Actor, Practice, PracticeKind};
use crate::pipeline;
use crate::vocab::Vocabulary;

/// The label-layer folders and the label each stands for.
pub const LAYERS: [(&str, &str); 4] = [
    ("CollectUse_true", "COLLECT"),
    ("CollectUse_false", "NOT_COLLECT"),
    ("Share_true", "SHARE"),
    ("Share_false", "NOT_SHARE"),
];

/// The four labels, in report order.
pub const LABELS: [&str; 4] = ["COLLECT", "NOT_COLLECT", "SHARE", "NOT_SHARE"];

/// The data-type practice precision below which a change is a regression, even when F1
/// rises (issue 3: precision is never traded away silently).
pub const PRACTICE_PRECISION_FLOOR: f64 = 0.75;

/// Which part of the dataset to score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    Train,
    Validation,
}

impl Split {
    pub fn as_str(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Validation => "validation",
        }
    }

    /// The file of this split in each layer folder.
    pub fn file_name(self) -> String {
        format!("{}.conll03", self.as_str())
    }
}

/// How much text the extractor sees at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Context {
    /// Each sentence alone.
    Sentence,
    /// The sentences of a `-DOCSTART-` document together, one paragraph each.
    #[default]
    Document,
}

impl Context {
    pub fn as_str(self) -> &'static str {
        match self {
            Context::Sentence => "sentence",
            Context::Document => "document",
        }
    }
}

/// One sentence of a CoNLL file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConllSentence {
    pub tokens: Vec<String>,
    /// One IOB tag per token: `O`, `B-LABEL` or `I-LABEL`.
    pub tags: Vec<String>,
    /// Line number (1-based) of its first token; token `k` is on line `line + k`.
    pub line: usize,
    /// Which `-DOCSTART-` document it belongs to, counting from 0.
    pub document: usize,
}

/// Reads a CoNLL-03 file: `token ... TAG` lines (the token first, the tag last), sentences
/// ended by blank lines, `-DOCSTART-` lines starting a new document. `path` is for errors.
pub fn read_conll(text: &str, path: &Path) -> Result<Vec<ConllSentence>, EvalError> {
    let mut out = Vec::new();
    let mut document = 0;
    let mut document_used = false;
    let mut current: Option<ConllSentence> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let fields: Vec<&str> = raw.split_whitespace().collect();
        if fields.is_empty() {
            out.extend(current.take());
            continue;
        }
        if fields[0] == "-DOCSTART-" {
            out.extend(current.take());
            if document_used {
                document += 1;
                document_used = false;
            }
            continue;
        }
        if fields.len() < 2 {
            return Err(EvalError::malformed(
                path,
                line,
                format!("expected `TOKEN ... TAG`, found `{}`", raw.trim()),
            ));
        }
        let tag = fields[fields.len() - 1];
        let valid =
            tag == "O" || ((tag.starts_with("B-") || tag.starts_with("I-")) && tag.len() > 2);
        if !valid {
            return Err(EvalError::malformed(
                path,
                line,
                format!("tag `{tag}` is not O, B-LABEL or I-LABEL"),
            ));
        }
        let s = current.get_or_insert_with(|| ConllSentence {
            tokens: Vec::new(),
            tags: Vec::new(),
            line,
            document,
        });
        document_used = true;
        s.tokens.push(fields[0].to_string());
        s.tags.push(tag.to_string());
    }
    out.extend(current);
    Ok(out)
}

/// The labelled spans of a sentence's IOB tags as (label, first token, end token), seqeval
/// style: `B-X` starts a span; `I-X` continues a span of label X and otherwise starts one
/// (an `I-` without a `B-` before it is a start); `O` or another label ends it.
pub fn iob_spans(tags: &[String]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(&str, usize)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let (prefix, label) = match tag.split_once('-') {
            Some((p @ ("B" | "I"), l)) if !l.is_empty() => (p, l),
            _ => ("O", ""),
        };
        let continues = prefix == "I" && open.is_some_and(|(l, _)| l == label);
        if continues {
            continue;
        }
        if let Some((l, start)) = open.take() {
            out.push((l.to_string(), start, i));
        }
        if prefix != "O" {
            open = Some((label, i));
        }
    }
    if let Some((l, start)) = open {
        out.push((l.to_string(), start, tags.len()));
    }
    out
}

/// The PI-Extract label of the data mentions of a practice, if its kind has one.
pub fn label_of(p: &Practice) -> Option<&'static str> {
    let share = match (p.kind, p.actor) {
        (PracticeKind::Share | PracticeKind::Sell, _) => true,
        (PracticeKind::Collect | PracticeKind::Use, Actor::ThirdParty) => true,
        (PracticeKind::Collect | PracticeKind::Use, Actor::FirstParty) => false,
        _ => return None,
    };
    Some(match (share, p.negated) {
        (false, false) => "COLLECT",
        (false, true) => "NOT_COLLECT",
        (true, false) => "SHARE",
        (true, true) => "NOT_SHARE",
    })
}

/// The scores of one run, with what `--errors` needs.
#[derive(Debug, Clone, Serialize)]
pub struct PiExtractReport {
    /// The dataset folder.
    pub dataset: String,
    pub split: Split,
    pub context: Context,
    pub documents: usize,
    pub sentences: usize,
    /// Sentences with at least one gold span.
    pub labelled_sentences: usize,
    pub tokens: usize,
    #[serde(flatten)]
    pub scores: SpanScores,
    /// Data-type practices, whatever their spans: the (sentence, label) pairs of the gold
    /// spans against those of the predicted ones. Its precision is the share of "this
    /// sentence states that data are collected / shared / not collected / not shared" claims
    /// the gold agrees with; below [`PRACTICE_PRECISION_FLOOR`] is a regression.
    pub practices: Score,
    /// Wall-clock time of the whole run (reading, extraction, scoring).
    pub seconds: f64,
    #[serde(skip)]
    details: Details,
}

#[derive(Debug, Clone, Default)]
struct Details {
    /// The first layer's file, whose line numbers errors cite.
    reference: PathBuf,
    sentences: Vec<ConllSentence>,
    gold: BTreeSet<LabelledSpan>,
    predicted: BTreeSet<LabelledSpan>,
    /// What produced each predicted span (the first practice, if several).
    why: BTreeMap<LabelledSpan, String>,
}

/// Scores the extractor on one split of the PI-Extract dataset in `dir`, with the default
/// context ([`Context::Document`]).
pub fn evaluate(
    dir: &Path,
    split: Split,
    vocab: &Vocabulary,
) -> Result<PiExtractReport, EvalError> {
    evaluate_with(dir, split, vocab, Context::default())
}

/// As [`evaluate`], choosing how much text the extractor sees at once.
pub fn evaluate_with(
    dir: &Path,
    split: Split,
    vocab: &Vocabulary,
    context: Context,
) -> Result<PiExtractReport, EvalError> {
    let started = Instant::now();
    let layers = read_layers(dir, split)?;
    let (reference, sentences) = &layers[0];
    if sentences.is_empty() {
        return Err(EvalError::Empty {
            path: reference.clone(),
            what: "sentences".into(),
        });
    }

    let mut gold = BTreeSet::new();
    for (_, layer) in &layers {
        for (i, s) in layer.iter().enumerate() {
            for (label, start, end) in iob_spans(&s.tags) {
                gold.insert(LabelledSpan {
                    unit: i,
                    label,
                    start,
                    end,
                });
            }
        }
    }
    let mut why = BTreeMap::new();
    for (span, rule) in predict(sentences, vocab, context) {
        why.entry(span).or_insert(rule);
    }
    let predicted: BTreeSet<LabelledSpan> = why.keys().cloned().collect();
    let gold_v: Vec<LabelledSpan> = gold.iter().cloned().collect();
    let pred_v: Vec<LabelledSpan> = predicted.iter().cloned().collect();
    let scores = score_spans(&gold_v, &pred_v, &LABELS);
    let practices = score_unit_labels(&gold_v, &pred_v);
    let labelled: BTreeSet<usize> = gold.iter().map(|s| s.unit).collect();
    let (reference, sentences) = layers.into_iter().next().unwrap();
    Ok(PiExtractReport {
        dataset: dir.display().to_string(),
        split,
        context,
        documents: sentences.last().map_or(0, |s| s.document + 1),
        sentences: sentences.len(),
        labelled_sentences: labelled.len(),
        tokens: sentences.iter().map(|s| s.tokens.len()).sum(),
        scores,
        practices,
        seconds: started.elapsed().as_secs_f64(),
        details: Details {
            reference,
            sentences,
            gold,
            predicted,
            why,
        },
    })
}

type Layer = (PathBuf, Vec<ConllSentence>);

/// Reads the four layers of a split and checks they hold the same sentences.
fn read_layers(dir: &Path, split: Split) -> Result<Vec<Layer>, EvalError> {
    require_dir(dir, "the PI-Extract dataset")?;
    let mut layers = Vec::new();
    for (folder, label) in LAYERS {
        let folder_path = dir.join(folder);
        require_dir(&folder_path, &format!("the {label} label layer"))?;
        let file = folder_path.join(split.file_name());
        if !file.is_file() {
            return Err(EvalError::MissingFile {
                path: file,
                what: format!("the {} split of the {label} layer", split.as_str()),
            });
        }
        let text = read_to_string(&file)?;
        let sentences = read_conll(&text, &file)?;
        layers.push((file, sentences));
    }
    let (reference, first) = &layers[0];
    for (path, other) in &layers[1..] {
        check_same_sentences(reference, first, path, other)?;
    }
    Ok(layers)
}

fn check_same_sentences(
    reference: &Path,
    first: &[ConllSentence],
    path: &Path,
    other: &[ConllSentence],
) -> Result<(), EvalError> {
    let disagree = |line: usize, detail: String| EvalError::LayersDisagree {
        path: path.to_path_buf(),
        line,
        reference: reference.to_path_buf(),
        detail,
    };
    for (i, (a, b)) in first.iter().zip(other).enumerate() {
        if let Some(k) =
            (0..a.tokens.len().max(b.tokens.len())).find(|&k| a.tokens.get(k) != b.tokens.get(k))
        {
            let show =
                |t: Option<&String>| t.map_or("end of sentence".to_string(), |t| format!("`{t}`"));
            return Err(disagree(
                b.line + k.min(b.tokens.len()),
                format!(
                    "sentence {}: token {} is {} here and {} there (line {})",
                    i + 1,
                    k + 1,
                    show(b.tokens.get(k)),
                    show(a.tokens.get(k)),
                    a.line + k.min(a.tokens.len())
                ),
            ));
        }
    }
    if first.len() != other.len() {
        let line = other
            .get(first.len().min(other.len()).saturating_sub(1))
            .map_or(1, |s| s.line);
        return Err(disagree(
            line,
            format!("{} sentences here, {} there", other.len(), first.len()),
        ));
    }
    Ok(())
}

/// Runs the extractor and returns every labelled span with what produced it.
fn predict(
    sentences: &[ConllSentence],
    vocab: &Vocabulary,
    context: Context,
) -> Vec<(LabelledSpan, String)> {
    let groups: Vec<Range<usize>> = match context {
        Context::Sentence => (0..sentences.len()).map(|i| i..i + 1).collect(),
        Context::Document => {
            let mut groups: Vec<Range<usize>> = Vec::new();
            for (i, s) in sentences.iter().enumerate() {
                match groups.last_mut() {
                    Some(g) if sentences[g.start].document == s.document => g.end = i + 1,
                    _ => groups.push(i..i + 1),
                }
            }
            groups
        }
    };
    groups
        .par_iter()
        .map_init(extract::Scratch::default, |scratch, range| {
            predict_group(&sentences[range.clone()], range.start, vocab, scratch)
        })
        .flatten()
        .collect()
}

/// Extracts from consecutive sentences joined as paragraphs of one text; `first` is the
/// index of the first of them.
fn predict_group(
    sentences: &[ConllSentence],
    first: usize,
    vocab: &Vocabulary,
    scratch: &mut extract::Scratch,
) -> Vec<(LabelledSpan, String)> {
    let mut text = String::new();
    let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(sentences.len());
    let mut token_bytes: Vec<Vec<(usize, usize)>> = Vec::with_capacity(sentences.len());
    for s in sentences {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        let start = text.len();
        let mut bytes = Vec::with_capacity(s.tokens.len());
        for (k, t) in s.tokens.iter().enumerate() {
            // The CoNLL tokeniser split hyphenated words ("e - mail", "third - party"); they
            // are written joined, as the policy had them, so the lexicon sees "e-mail".
            let hyphen_join = |i: usize| {
                s.tokens[i] == "-"
                    && i > 0
                    && i + 1 < s.tokens.len()
                    && s.tokens[i - 1]
                        .chars()
                        .last()
                        .is_some_and(char::is_alphanumeric)
                    && s.tokens[i + 1]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric)
            };
            // "device 's", "do n't": a clitic was split off the word it was written with.
            let clitic = matches!(
                t.as_str(),
                "'s" | "'S" | "n't" | "'re" | "'ve" | "'ll" | "'d" | "'m"
            );
            if k > 0 && !hyphen_join(k) && !hyphen_join(k - 1) && !clitic {
                text.push(' ');
            }
            let b = text.len();
            text.push_str(t);
            bytes.push((b, text.len()));
        }
        bounds.push((start, text.len()));
        token_bytes.push(bytes);
    }
    let doc = Document {
        id: format!("pi-extract sentence {}", first + 1),
        source: format!("pi-extract sentence {}", first + 1),
        format: Format::Text,
        text,
        meta: Metadata::default(),
        sha256: String::new(),
        warnings: Vec::new(),
    };
    let processed = pipeline::process(doc, vocab, scratch);
    let tracking = vocab.by_name(crate::vocab::ns::DATA, "TrackingTechnology");
    let mut out = Vec::new();
    for p in &processed.extraction.practices {
        let Some(label) = label_of(p) else { continue };
        for m in &p.data {
            // Data from another sentence (anaphora, lead-in, heading) is not labelled here.
            if m.start < p.evidence.0 || m.end > p.evidence.1 {
                continue;
            }
            // PI-Extract labels personal information, not the technologies that gather it
            // (cookies, web beacons): its annotators leave those unmarked.
            if tracking.is_some_and(|t| vocab.is_a(m.concept, t)) {
                continue;
            }
            let k = bounds.partition_point(|b| b.0 <= m.start);
            let Some(k) = k.checked_sub(1) else { continue };
            let tokens = &token_bytes[k];
            let from = tokens.partition_point(|t| t.1 <= m.start);
            let to = tokens.partition_point(|t| t.0 < m.end);
            if from >= to {
                continue;
            }
            let why = format!(
                "{}{} by {}, rule {}",
                if p.negated { "not " } else { "" },
                p.kind.as_str(),
                p.actor.as_str(),
                p.rule
            );
            out.push((LabelledSpan::new(first + k, label, from, to), why));
        }
    }
    out
}

/// One false positive or false negative, with its sentence.
#[derive(Debug, Clone, Serialize)]
pub struct SpanError {
    /// Sentence number, from 1.
    pub sentence: usize,
    /// Line of the span's first token in the first layer's file.
    pub line: usize,
    pub label: String,
    /// The span's tokens.
    pub text: String,
    /// Whether a span of the other side with the same label overlaps it (a boundary
    /// error rather than a miss).
    pub overlaps: bool,
    /// For a false positive: the practice that produced it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub produced_by: Option<String>,
    /// The sentence with the gold spans marked `[...]LABEL`.
    pub gold: String,
    /// The sentence with the predicted spans marked.
    pub predicted: String,
}

/// A sample of the errors of a run.
#[derive(Debug, Clone, Serialize)]
pub struct SpanErrors {
    pub file: String,
    pub false_positives_total: usize,
    pub false_negatives_total: usize,
    pub false_positives: Vec<SpanError>,
    pub false_negatives: Vec<SpanError>,
}

impl PiExtractReport {
    /// Up to `n` false positives and `n` false negatives (exact-span), spread over the
    /// dataset.
    pub fn errors(&self, n: usize) -> SpanErrors {
        let d = &self.details;
        let fps: Vec<&LabelledSpan> = d.predicted.difference(&d.gold).collect();
        let fns: Vec<&LabelledSpan> = d.gold.difference(&d.predicted).collect();
        let marked = |set: &BTreeSet<LabelledSpan>, unit: usize| {
            let spans: Vec<&LabelledSpan> = set
                .range(LabelledSpan::new(unit, "", 0, 0)..LabelledSpan::new(unit + 1, "", 0, 0))
                .collect();
            mark(&d.sentences[unit].tokens, &spans)
        };
        let describe = |s: &LabelledSpan, other: &BTreeSet<LabelledSpan>, fp: bool| {
            let sentence = &d.sentences[s.unit];
            SpanError {
                sentence: s.unit + 1,
                line: sentence.line + s.start,
                label: s.label.clone(),
                text: sentence.tokens[s.start..s.end].join(" "),
                overlaps: other.iter().any(|o| o.overlaps(s)),
                produced_by: if fp { d.why.get(s).cloned() } else { None },
                gold: marked(&d.gold, s.unit),
                predicted: marked(&d.predicted, s.unit),
            }
        };
        SpanErrors {
            file: d.reference.display().to_string(),
            false_positives_total: fps.len(),
            false_negatives_total: fns.len(),
            false_positives: spread(&fps, n)
                .into_iter()
                .map(|s| describe(s, &d.gold, true))
                .collect(),
            false_negatives: spread(&fns, n)
                .into_iter()
                .map(|s| describe(s, &d.predicted, false))
                .collect(),
        }
    }
}

/// The tokens joined by spaces with each span shown as `[tokens]LABEL`.
fn mark(tokens: &[String], spans: &[&LabelledSpan]) -> String {
    let mut out = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let mut opening: Vec<&&LabelledSpan> = spans.iter().filter(|s| s.start == i).collect();
        opening.sort_by_key(|s| std::cmp::Reverse(s.end));
        for _ in &opening {
            out.push('[');
        }
        out.push_str(t);
        let mut closing: Vec<&&LabelledSpan> = spans.iter().filter(|s| s.end == i + 1).collect();
        closing.sort_by_key(|s| std::cmp::Reverse(s.start));
        for s in closing {
            out.push(']');
            out.push_str(&s.label);
        }
    }
    out
}

impl fmt::Display for PiExtractReport {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let s = &self.scores;
        writeln!(
            f,
            "PI-Extract, {} split: {}",
            self.split.as_str(),
            self.dataset
        )?;
        writeln!(
            f,
            "  {} sentences ({} with a label), {} tokens, {} document(s); extractor context: {}",
            self.sentences,
            self.labelled_sentences,
            self.tokens,
            self.documents,
            self.context.as_str()
        )?;
        writeln!(
            f,
            "  spans: {} gold, {} predicted\n",
            s.exact.gold, s.exact.predicted
        )?;
        let row = |name: &str, sc: &super::score::Score| {
            vec![
                name.to_string(),
                num(sc.precision),
                num(sc.recall),
                num(sc.f1),
                format!("{}/{}", sc.matched_predicted, sc.predicted),
                format!("{}/{}", sc.matched_gold, sc.gold),
            ]
        };
        table(
            f,
            2,
            &[
                "micro",
                "precision",
                "recall",
                "F1",
                "correct/pred",
                "found/gold",
            ],
            &[
                row("exact span", &s.exact),
                row("overlap", &s.overlap),
                row("practice (sentence × label)", &self.practices),
            ],
        )?;
        writeln!(
            f,
            "  data-type practice precision {} ({} the {PRACTICE_PRECISION_FLOOR} floor)",
            num(self.practices.precision),
            if self.practices.precision >= PRACTICE_PRECISION_FLOOR {
                "at or above"
            } else {
                "BELOW"
            }
        )?;
        writeln!(f)?;
        let rows: Vec<Vec<String>> = s
            .per_label
            .iter()
            .map(|l| {
                vec![
                    l.label.clone(),
                    num(l.exact.precision),
                    num(l.exact.recall),
                    num(l.exact.f1),
                    num(l.overlap.precision),
                    num(l.overlap.recall),
                    num(l.overlap.f1),
                    l.exact.gold.to_string(),
                    l.exact.predicted.to_string(),
                ]
            })
            .collect();
        table(
            f,
            2,
            &[
                "label",
                "exact P",
                "exact R",
                "exact F1",
                "overlap P",
                "overlap R",
                "overlap F1",
                "support",
                "predicted",
            ],
            &rows,
        )?;
        writeln!(f, "\n  time {:.2} s", self.seconds)
    }
}

impl fmt::Display for SpanErrors {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let groups = [
            (
                "False positives",
                &self.false_positives,
                self.false_positives_total,
            ),
            (
                "False negatives",
                &self.false_negatives,
                self.false_negatives_total,
            ),
        ];
        for (title, errors, total) in groups {
            writeln!(
                f,
                "\n{title} (exact span): {} of {total} shown",
                errors.len()
            )?;
            for e in errors {
                let mut head = format!(
                    "- {} «{}», sentence {} ({}:{})",
                    e.label, e.text, e.sentence, self.file, e.line
                );
                if e.overlaps {
                    head.push_str(", overlaps a span of the same label");
                }
                if let Some(p) = &e.produced_by {
                    head.push_str(&format!(", from {p}"));
                }
                writeln!(f, "{head}")?;
                writeln!(f, "    gold: {}", e.gold)?;
                writeln!(f, "    pred: {}", e.predicted)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    /// IOB edge cases: `-DOCSTART-` skipped and starting a new document, several blank lines,
    /// an I- without a B- (a start, as in seqeval), B- right after B- (two spans), I- of
    /// another label (a new span), a span running to the end of the sentence, extra
    /// columns, tabs and CRLF line ends.
    #[test]
    fn reads_conll_with_iob_edge_cases() {
        let text = "-DOCSTART- -X- O O\n\nWe _ _ O\ncollect _ _ O\nyour _ _ I-COLLECT\nemail _ _ I-COLLECT\n. _ _ O\n\n\n\
                    Name _ _ B-COLLECT\nAddress _ _ B-COLLECT\nphone\t_\t_\tI-SHARE\r\n\r\n\
                    -DOCSTART- -X- O O\n\nIP _ _ B-SHARE\naddress _ _ I-SHARE\n";
        let s = read_conll(text, Path::new("t.conll03")).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].tokens, ["We", "collect", "your", "email", "."]);
        assert_eq!((s[0].line, s[0].document), (3, 0));
        assert_eq!((s[1].line, s[1].document), (10, 0));
        assert_eq!(s[1].tokens[2], "phone");
        assert_eq!((s[2].line, s[2].document), (16, 1));

        let spans = |t: &[String]| iob_spans(t);
        assert_eq!(spans(&s[0].tags), [("COLLECT".to_string(), 2, 4)]);
        assert_eq!(
            spans(&s[1].tags),
            [
                ("COLLECT".to_string(), 0, 1),
                ("COLLECT".to_string(), 1, 2),
                ("SHARE".to_string(), 2, 3)
            ]
        );
        assert_eq!(spans(&s[2].tags), [("SHARE".to_string(), 0, 2)]);
        // B-X I-X O I-X: the second I- starts a new span.
        assert_eq!(
            iob_spans(&tags(&["B-X", "I-X", "O", "I-X"])),
            [("X".to_string(), 0, 2), ("X".to_string(), 3, 4)]
        );
        assert!(iob_spans(&tags(&["O", "O"])).is_empty());
    }

    #[test]
    fn malformed_conll_lines_name_file_and_line() {
        let e = read_conll("We _ _ O\nlonely\n", Path::new("x/train.conll03")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x/train.conll03:2: expected `TOKEN ... TAG`, found `lonely`"
        );
        let e = read_conll("\nWe _ _ X-COLLECT\n", Path::new("y.conll03")).unwrap_err();
        assert!(
            e.to_string().starts_with("y.conll03:2: tag `X-COLLECT`"),
            "{e}"
        );
    }

    #[test]
    fn layers_that_disagree_are_an_error() {
        let a = read_conll("We _ _ O\ncollect _ _ O\n\nIt _ _ O\n", Path::new("a")).unwrap();
        let b = read_conll("We _ _ O\ncollect _ _ O\n\nThey _ _ O\n", Path::new("b")).unwrap();
        let e = check_same_sentences(Path::new("a"), &a, Path::new("b"), &b).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("b:4: the sentences differ from those of a"),
            "{e}"
        );
        let c = read_conll("We _ _ O\ncollect _ _ O\n", Path::new("c")).unwrap();
        let e = check_same_sentences(Path::new("a"), &a, Path::new("c"), &c).unwrap_err();
        assert!(e.to_string().contains("1 sentences here, 2 there"), "{e}");
        assert!(check_same_sentences(Path::new("a"), &a, Path::new("a2"), &a).is_ok());
    }

    /// Sentence 2 shares "this information", which the extractor may resolve to sentence 1's
    /// email address: that must not become a SHARE label of sentence 1.
    #[test]
    fn mentions_from_other_sentences_are_not_labels() {
        let vocab = Vocabulary::embedded().unwrap();
        let text = "-DOCSTART- -X- O O\n\nWe _ _ O\ncollect _ _ O\nyour _ _ O\nemail _ _ O\naddress _ _ O\n. _ _ O\n\n\
                    We _ _ O\nshare _ _ O\nthis _ _ O\ninformation _ _ O\nwith _ _ O\nadvertisers _ _ O\n. _ _ O\n";
        let s = read_conll(text, Path::new("t")).unwrap();
        for context in [Context::Document, Context::Sentence] {
            let spans: Vec<LabelledSpan> = predict(&s, &vocab, context)
                .into_iter()
                .map(|(span, _)| span)
                .collect();
            assert!(
                spans
                    .iter()
                    .any(|p| p.unit == 0 && p.label == "COLLECT" && p.start <= 3 && 3 < p.end),
                "{spans:?}"
            );
            assert!(
                !spans.iter().any(|p| p.unit == 0 && p.label == "SHARE"),
                "{spans:?}"
            );
            assert!(spans.iter().all(|p| p.end <= s[p.unit].tokens.len()));
        }
    }

    #[test]
    fn labels_follow_kind_actor_and_polarity() {
        let p = |kind, actor, negated| Practice {
            kind,
            negated,
            actor,
            modality: crate::extract::Modality::Does,
            sentence: 0,
            evidence: (0, 0),
            data: Vec::new(),
            recipients: Vec::new(),
            purposes: Vec::new(),
            condition: None,
            minimum_age: None,
            rule: "test",
        };
        use PracticeKind::*;
        assert_eq!(
            label_of(&p(Collect, Actor::FirstParty, false)),
            Some("COLLECT")
        );
        assert_eq!(
            label_of(&p(Use, Actor::FirstParty, true)),
            Some("NOT_COLLECT")
        );
        assert_eq!(label_of(&p(Use, Actor::ThirdParty, false)), Some("SHARE"));
        assert_eq!(
            label_of(&p(Sell, Actor::FirstParty, true)),
            Some("NOT_SHARE")
        );
        assert_eq!(label_of(&p(Share, Actor::ThirdParty, false)), Some("SHARE"));
        assert_eq!(label_of(&p(Retain, Actor::FirstParty, false)), None);
    }

    #[test]
    fn marks_nested_and_double_spans() {
        let tokens = tags(&["We", "share", "your", "email", "address"]);
        let a = LabelledSpan::new(0, "COLLECT", 2, 5);
        let b = LabelledSpan::new(0, "SHARE", 2, 5);
        let c = LabelledSpan::new(0, "X", 3, 4);
        assert_eq!(
            mark(&tokens, &[&a, &b, &c]),
            "We share [[your [email]X address]COLLECT]SHARE"
        );
    }
}
