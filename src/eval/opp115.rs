//! OPP-115 (Wilson et al., ACL 2016): 115 website policies whose segments law students
//! annotated with practice categories and attributes.
//!
//! Layout: `sanitized_policies/{name}.html` (one line of HTML per policy, segments separated
//! by `|||`) and `consolidation/{name}.csv` (or `annotations/{name}.csv` where there is no
//! consolidation): no header, nine columns — annotation_id, batch_id, annotator_id,
//! policy_uid, segment_id (0-based index into the `|||` split), category, attributes (JSON),
//! date, url. Policy and CSV are matched by file name.
//!
//! Each segment's HTML becomes text ([`segment_text`]); the texts are joined in order with
//! blank lines into one document, so context crosses segments as it does in the policy,
//! and the extractor runs once on it. A practice belongs to the segment holding the start
//! of its evidence sentence.
//!
//! Two measures:
//! 1. Segment categories: per segment, the categories of its annotations (gold) against
//!    the categories of its practices (predicted), over the nine practice categories
//!    ("Other" is not a practice the extractor states; its segments are counted
//!    separately). A practice's category is the `skos:notation` typed `pp:opp115` of its
//!    `ppk:` kind in the ontology; a first-party kind performed by a third party
//!    ("advertisers collect …") takes the category of sharing. Micro and macro averages.
//! 2. Policy attributes: per policy, the set of (category, Personal Information Type,
//!    Does/Does Not) and (category, Purpose) of the annotations against those of the
//!    practices, each data type and purpose mapped to its OPP-115 value through the
//!    ontology. "Unspecified" values are skipped. Two readings are reported:
//!    - *scheme* (the headline): a tuple is scored only in a category that has that
//!      attribute in the annotation scheme (`documentation/categories-july30.xml`; where
//!      the file is missing, the categories whose annotations carry it). The issue asks
//!      for (category, Personal Information Type, Does/Does Not) and (category, Purpose)
//!      tuples, and by the scheme only some categories have these attributes (Personal
//!      Information Type: First Party Collection/Use, Third Party Sharing/Collection, User
//!      Choice/Control, Data Retention; Purpose: the first three), so "(Data Security,
//!      Contact)" is not a tuple of the task: it is counted apart as not scored.
//!    - *literal*: every predicted tuple counts, whatever its category.
//!
//!    Micro P/R/F1 per family and combined.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::score::{score_item_sets, score_sets, Score, SetScores};
use super::{num, read_to_string, require_dir, spread, table, truncate, EvalError};
use crate::corpus::{Document, Format, Metadata};
use crate::extract::{self, Actor, Practice, PracticeKind};
use crate::pipeline;
use crate::text;
use crate::vocab::Vocabulary;

/// The nine practice categories scored.
pub const CATEGORIES: [&str; 9] = [
    "First Party Collection/Use",
    "Third Party Sharing/Collection",
    "User Choice/Control",
    "User Access, Edit and Deletion",
    "Data Retention",
    "Data Security",
    "Policy Change",
    "Do Not Track",
    "International and Specific Audiences",
];

/// The tenth category: introductions, contact information, practices not covered.
pub const OTHER: &str = "Other";

/// The values of the "Personal Information Type" attribute (`categories-july30.xml`), in
/// their documented spelling; the annotations sometimes differ in case ("User Profile").
pub const PERSONAL_INFORMATION_TYPES: [&str; 16] = [
    "Financial",
    "Health",
    "Contact",
    "Location",
    "Demographic",
    "Personal identifier",
    "User online activities",
    "User profile",
    "Social media data",
    "IP address and device IDs",
    "Cookies and tracking elements",
    "Computer information",
    "Survey data",
    "Generic personal information",
    "Other",
    "Unspecified",
];

/// The values of the "Purpose" attribute, in their documented spelling.
pub const PURPOSES: [&str; 11] = [
    "Basic service/feature",
    "Additional service/feature",
    "Advertising",
    "Marketing",
    "Analytics/Research",
    "Personalization/Customization",
    "Service operation and security",
    "Legal requirement",
    "Merger/Acquisition",
    "Other",
    "Unspecified",
];

const PERSONAL_INFORMATION_TYPE: &str = "Personal Information Type";
const PURPOSE: &str = "Purpose";
const DOES_DOES_NOT: &str = "Does/Does Not";

/// The documented spelling of a value that matches it but for case.
fn canonical(value: &str, known: &[&str]) -> String {
    known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(value.trim()))
        .map_or_else(|| value.trim().to_string(), |k| k.to_string())
}

/// One attribute of an annotation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct AttributeValue {
    pub value: String,
    /// Character offsets into the raw segment HTML; -1 where no span was marked.
    #[serde(rename = "startIndexInSegment", default = "minus_one")]
    pub start: i64,
    #[serde(rename = "endIndexInSegment", default = "minus_one")]
    pub end: i64,
    #[serde(rename = "selectedText", default)]
    pub selected_text: Option<String>,
}

fn minus_one() -> i64 {
    -1
}

/// One row of an annotation CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub id: String,
    pub annotator: String,
    pub policy_uid: String,
    /// Index into the policy's `|||` segments.
    pub segment: usize,
    pub category: String,
    pub attributes: BTreeMap<String, AttributeValue>,
    /// Line of the row in its file.
    pub line: usize,
}

/// Reads an annotation CSV (no header, nine columns, the attributes a quoted JSON object).
/// `path` is for errors.
pub fn read_annotations(bytes: &[u8], path: &Path) -> Result<Vec<Annotation>, EvalError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut out = Vec::new();
    // Lines are counted from byte offsets: the reader's own count skips blank lines.
    let mut counted = (0usize, 1usize);
    let mut line_at = |byte: u64| {
        // A record's position is where the reader started on it, before any blank lines.
        let mut byte = (byte as usize).min(bytes.len());
        while byte < bytes.len() && matches!(bytes[byte], b'\n' | b'\r') {
            byte += 1;
        }
        if byte >= counted.0 {
            counted.1 += bytes[counted.0..byte]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            counted.0 = byte;
        }
        counted.1
    };
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| line_at(p.byte()));
            EvalError::malformed(path, line, format!("bad CSV: {e}"))
        })?;
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != 9 {
            return Err(EvalError::malformed(
                path,
                line,
                format!("expected 9 columns, found {}", record.len()),
            ));
        }
        let segment = record[4].trim().parse::<usize>().map_err(|_| {
            EvalError::malformed(
                path,
                line,
                format!("segment_id `{}` is not a number", &record[4]),
            )
        })?;
        let attributes: BTreeMap<String, AttributeValue> = serde_json::from_str(&record[6])
            .map_err(|e| {
                EvalError::malformed(path, line, format!("attributes are not valid JSON: {e}"))
            })?;
        out.push(Annotation {
            id: record[0].to_string(),
            annotator: record[2].to_string(),
            policy_uid: record[3].to_string(),
            segment,
            category: record[5].trim().to_string(),
            attributes,
            line,
        });
    }
    Ok(out)
}

/// A policy-level attribute: what the policy says about a data type or a purpose.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub enum AttributeTuple {
    /// (category, Personal Information Type, Does/Does Not)
    DataType {
        category: String,
        value: String,
        does: bool,
    },
    /// (category, Purpose)
    Purpose { category: String, value: String },
}

impl AttributeTuple {
    pub fn value(&self) -> &str {
        match self {
            AttributeTuple::DataType { value, .. } | AttributeTuple::Purpose { value, .. } => value,
        }
    }

    fn is_data_type(&self) -> bool {
        matches!(self, AttributeTuple::DataType { .. })
    }

    fn category(&self) -> &str {
        match self {
            AttributeTuple::DataType { category, .. }
            | AttributeTuple::Purpose { category, .. } => category,
        }
    }
}

impl fmt::Display for AttributeTuple {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            AttributeTuple::DataType {
                category,
                value,
                does,
            } => write!(
                f,
                "({category}, {value}, {})",
                if *does { "Does" } else { "Does Not" }
            ),
            AttributeTuple::Purpose { category, value } => {
                write!(f, "({category}, purpose {value})")
            }
        }
    }
}

/// The gold attribute tuples of one annotation: its Personal Information Type with its
/// Does/Does Not (Does when absent), and its Purpose; "Unspecified" values give none.
pub fn gold_attributes(a: &Annotation) -> Vec<AttributeTuple> {
    let mut out = Vec::new();
    let specified = |name: &str| {
        a.attributes
            .get(name)
            .filter(|v| !v.value.trim().eq_ignore_ascii_case("Unspecified"))
    };
    if let Some(v) = specified(PERSONAL_INFORMATION_TYPE) {
        let does = a
            .attributes
            .get(DOES_DOES_NOT)
            .is_none_or(|d| !d.value.trim().eq_ignore_ascii_case("Does Not"));
        out.push(AttributeTuple::DataType {
            category: a.category.clone(),
            value: canonical(&v.value, &PERSONAL_INFORMATION_TYPES),
            does,
        });
    }
    if let Some(v) = specified(PURPOSE) {
        out.push(AttributeTuple::Purpose {
            category: a.category.clone(),
            value: canonical(&v.value, &PURPOSES),
        });
    }
    out
}

/// The OPP-115 category of a practice: the notation of its kind's concept in the ontology;
/// collection or use by a third party is the category of sharing.
pub fn category_of<'v>(vocab: &'v Vocabulary, p: &Practice) -> Option<&'v str> {
    let kind = match (p.kind, p.actor) {
        (PracticeKind::Collect | PracticeKind::Use, Actor::ThirdParty) => PracticeKind::Share,
        (k, _) => k,
    };
    vocab.opp115(vocab.practice_kind(kind.as_str())?)
}

/// The predicted attribute tuples of a practice in category `category`.
pub fn predicted_attributes(
    vocab: &Vocabulary,
    p: &Practice,
    category: &str,
) -> Vec<AttributeTuple> {
    let mut out = Vec::new();
    for m in &p.data {
        if let Some(v) = vocab.opp115(m.concept) {
            out.push(AttributeTuple::DataType {
                category: category.to_string(),
                value: canonical(v, &PERSONAL_INFORMATION_TYPES),
                does: !p.negated,
            });
        }
    }
    for m in &p.purposes {
        if let Some(v) = vocab.opp115(m.concept) {
            out.push(AttributeTuple::Purpose {
                category: category.to_string(),
                value: canonical(v, &PURPOSES),
            });
        }
    }
    out
}

/// The plain text of one segment's HTML, blocks on their own lines.
pub fn segment_text(html: &str) -> String {
    text::segment(Format::Html, html).text
}

/// Segments scored per category, and how "Other" fares.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OtherSummary {
    /// Segments with an "Other" annotation.
    pub segments: usize,
    /// Segments whose only category is "Other".
    pub only_other: usize,
    /// Of those, segments where a practice category was predicted (all false positives).
    pub only_other_with_predictions: usize,
}

/// The score of one attribute value, over all categories.
#[derive(Debug, Clone, Serialize)]
pub struct ValueScore {
    pub value: String,
    pub score: Score,
}

/// Policy-level attribute scores.
#[derive(Debug, Clone, Serialize)]
pub struct AttributeScores {
    /// (category, Personal Information Type, Does/Does Not)
    pub data_types: Score,
    /// (category, Purpose)
    pub purposes: Score,
    /// Both families pooled.
    pub combined: Score,
    /// Per Personal Information Type value.
    pub per_data_type: Vec<ValueScore>,
    /// Per Purpose value.
    pub per_purpose: Vec<ValueScore>,
    /// Predicted tuples not scored because no annotation of their category carries that
    /// attribute (OPP-115 gives Personal Information Type and Purpose to a few categories
    /// only: such a tuple could never be gold).
    pub not_scored: usize,
    /// Both families pooled, every predicted tuple counted whatever its category (the
    /// not-scored tuples are false positives here).
    pub literal: Score,
    /// Where the (category, attribute) pairs scored came from: the scheme file or, without
    /// it, the annotations.
    pub scheme_from: String,
}

/// The scores of one run, with what `--errors` needs.
#[derive(Debug, Clone, Serialize)]
pub struct Opp115Report {
    /// The dataset folder.
    pub dataset: String,
    /// `consolidation` or `annotations`.
    pub annotations_from: String,
    pub policies: usize,
    pub segments: usize,
    pub annotations: usize,
    /// Segment categories over the nine practice categories.
    pub categories: SetScores,
    pub other: OtherSummary,
    pub attributes: AttributeScores,
    /// Wall-clock time of the whole run (reading, extraction, scoring).
    pub seconds: f64,
    #[serde(skip)]
    details: Vec<PolicyResult>,
}

/// A policy read from the dataset.
struct Policy {
    name: String,
    segments: Vec<String>,
    annotations: Vec<Annotation>,
}

#[derive(Debug, Clone)]
struct SegmentResult {
    text: String,
    gold: BTreeSet<String>,
    predicted: BTreeSet<String>,
    /// Per predicted category: the practices that gave it, with their sentence.
    evidence: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone)]
struct PolicyResult {
    name: String,
    segments: Vec<SegmentResult>,
    /// Gold tuples, with the text an annotator selected for one of them.
    gold: BTreeMap<AttributeTuple, Option<String>>,
    /// Predicted tuples, with the practice and sentence of the first that gave it.
    predicted: BTreeMap<AttributeTuple, String>,
    /// Predicted tuples of categories that never carry their attribute.
    not_scored: BTreeSet<AttributeTuple>,
}

/// Scores the extractor on the OPP-115 dataset in `dir`.
pub fn evaluate(dir: &Path, vocab: &Vocabulary) -> Result<Opp115Report, EvalError> {
    let started = Instant::now();
    let (policies, from) = read_dataset(dir)?;
    let annotations = policies.iter().map(|p| p.annotations.len()).sum();
    let (carrying, scheme_from) = match scheme_attributes(dir)? {
        Some(c) => (c, SCHEME_FILE.to_string()),
        None => (carrying_attributes(&policies), "annotations".to_string()),
    };
    let results: Vec<PolicyResult> = policies
        .par_iter()
        .map_init(extract::Scratch::default, |scratch, p| {
            run_policy(p, vocab, &carrying, scratch)
        })
        .collect();

    let units: Vec<(&BTreeSet<String>, &BTreeSet<String>)> = results
        .iter()
        .flat_map(|r| r.segments.iter().map(|s| (&s.gold, &s.predicted)))
        .collect();
    let categories = score_sets(units.iter().copied(), &CATEGORIES);
    let mut other = OtherSummary::default();
    for s in results.iter().flat_map(|r| &r.segments) {
        if s.gold.contains(OTHER) {
            other.segments += 1;
            if s.gold.len() == 1 {
                other.only_other += 1;
                if s.predicted.iter().any(|c| CATEGORIES.contains(&c.as_str())) {
                    other.only_other_with_predictions += 1;
                }
            }
        }
    }
    let attributes = score_attributes(&results, scheme_from);
    Ok(Opp115Report {
        dataset: dir.display().to_string(),
        annotations_from: from.to_string(),
        policies: results.len(),
        segments: units.len(),
        annotations,
        categories,
        other,
        attributes,
        seconds: started.elapsed().as_secs_f64(),
        details: results,
    })
}

fn read_dataset(dir: &Path) -> Result<(Vec<Policy>, &'static str), EvalError> {
    require_dir(dir, "the OPP-115 dataset")?;
    let policies_dir = dir.join("sanitized_policies");
    require_dir(&policies_dir, "the policies, one .html file each")?;
    let from = if dir.join("consolidation").is_dir() {
        "consolidation"
    } else if dir.join("annotations").is_dir() {
        "annotations"
    } else {
        return Err(EvalError::MissingFolder {
            path: dir.join("consolidation"),
            what: "the annotation CSVs: consolidation/ or annotations/".into(),
        });
    };
    let csv_dir = dir.join(from);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&policies_dir)
        .map_err(|e| EvalError::io(&policies_dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("html"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(EvalError::Empty {
            path: policies_dir,
            what: "policies (*.html)".into(),
        });
    }
    let mut policies = Vec::with_capacity(files.len());
    for file in files {
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let html = read_to_string(&file)?;
        let segments: Vec<String> = html
            .trim_end_matches(['\n', '\r'])
            .split("|||")
            .map(str::to_string)
            .collect();
        let csv_path = csv_dir.join(format!("{name}.csv"));
        if !csv_path.is_file() {
            return Err(EvalError::MissingFile {
                path: csv_path,
                what: format!("the annotations of {}", file.display()),
            });
        }
        let bytes = std::fs::read(&csv_path).map_err(|e| EvalError::io(&csv_path, e))?;
        let annotations = read_annotations(&bytes, &csv_path)?;
        if let Some(a) = annotations.iter().find(|a| a.segment >= segments.len()) {
            return Err(EvalError::malformed(
                &csv_path,
                a.line,
                format!(
                    "segment_id {} but {} has {} segments",
                    a.segment,
                    file.display(),
                    segments.len()
                ),
            ));
        }
        policies.push(Policy {
            name,
            segments,
            annotations,
        });
    }
    Ok((policies, from))
}

/// The annotation scheme, relative to the dataset folder.
const SCHEME_FILE: &str = "documentation/categories-july30.xml";

/// The (category, is-data-type) pairs of the annotation scheme: categories that have a
/// Personal Information Type (true) or a Purpose (false) attribute. `None` when the dataset
/// has no scheme file.
fn scheme_attributes(dir: &Path) -> Result<Option<BTreeSet<(String, bool)>>, EvalError> {
    let path = dir.join(SCHEME_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    Ok(Some(parse_scheme(&read_to_string(&path)?)))
}

/// Reads `<category><name>C</name> … <attribute …><name>A</name>` out of the scheme XML.
/// The file is small and regular; the name right after `<category>` is the category's, the
/// name right after each `<attribute …>` the attribute's.
fn parse_scheme(xml: &str) -> BTreeSet<(String, bool)> {
    let first_name = |s: &str| -> Option<String> {
        let from = s.find("<name>")? + "<name>".len();
        let to = s[from..].find("</name>")? + from;
        Some(s[from..to].trim().to_string())
    };
    let mut out = BTreeSet::new();
    for category in xml.split("<category>").skip(1) {
        let Some(name) = first_name(category) else {
            continue;
        };
        for attribute in category.split("<attribute").skip(1) {
            match first_name(attribute).as_deref() {
                Some(PERSONAL_INFORMATION_TYPE) => {
                    out.insert((name.clone(), true));
                }
                Some(PURPOSE) => {
                    out.insert((name.clone(), false));
                }
                _ => {}
            }
        }
    }
    out
}

/// The (category, is-data-type) pairs whose annotations carry a Personal Information Type
/// (true) or a Purpose (false) attribute somewhere in the dataset.
fn carrying_attributes(policies: &[Policy]) -> BTreeSet<(String, bool)> {
    let mut out = BTreeSet::new();
    for a in policies.iter().flat_map(|p| &p.annotations) {
        if a.attributes.contains_key(PERSONAL_INFORMATION_TYPE) {
            out.insert((a.category.clone(), true));
        }
        if a.attributes.contains_key(PURPOSE) {
            out.insert((a.category.clone(), false));
        }
    }
    out
}

fn run_policy(
    p: &Policy,
    vocab: &Vocabulary,
    carrying: &BTreeSet<(String, bool)>,
    scratch: &mut extract::Scratch,
) -> PolicyResult {
    let mut text = String::new();
    let mut ranges: Vec<(usize, usize)> = Vec::with_capacity(p.segments.len());
    for (i, html) in p.segments.iter().enumerate() {
        if i > 0 {
            text.push_str("\n\n");
        }
        let start = text.len();
        text.push_str(segment_text(html).trim());
        ranges.push((start, text.len()));
    }
    let mut segments: Vec<SegmentResult> = ranges
        .iter()
        .map(|&(s, e)| SegmentResult {
            text: text[s..e].to_string(),
            gold: BTreeSet::new(),
            predicted: BTreeSet::new(),
            evidence: BTreeMap::new(),
        })
        .collect();
    let mut gold = BTreeMap::new();
    for a in &p.annotations {
        segments[a.segment].gold.insert(a.category.clone());
        for t in gold_attributes(a) {
            let example = match &t {
                AttributeTuple::DataType { .. } => a.attributes.get(PERSONAL_INFORMATION_TYPE),
                AttributeTuple::Purpose { .. } => a.attributes.get(PURPOSE),
            }
            .and_then(|v| v.selected_text.clone());
            let slot = gold.entry(t).or_insert(None);
            if slot.is_none() {
                *slot = example;
            }
        }
    }

    let doc = Document {
        id: p.name.clone(),
        source: p.name.clone(),
        format: Format::Text,
        text,
        // "{uid}_{domain}": the policy's own site, so that its name as a subject reads as
        // the first party.
        meta: Metadata {
            domain: p.name.split_once('_').map(|(_, d)| d.to_string()),
            ..Metadata::default()
        },
        sha256: String::new(),
        warnings: Vec::new(),
    };
    let processed = pipeline::process(doc, vocab, scratch);
    let mut predicted = BTreeMap::new();
    let mut not_scored = BTreeSet::new();
    for pr in &processed.extraction.practices {
        let Some(category) = category_of(vocab, pr) else {
            continue;
        };
        let k = ranges.partition_point(|r| r.0 <= pr.evidence.0);
        let Some(k) = k.checked_sub(1) else { continue };
        let sentence = processed.seg.text[pr.evidence.0..pr.evidence.1].replace('\n', " ");
        let why = format!(
            "{}{} by {}, rule {}: {}",
            if pr.negated { "not " } else { "" },
            pr.kind.as_str(),
            pr.actor.as_str(),
            pr.rule,
            truncate(&sentence, 240)
        );
        let seg = &mut segments[k];
        seg.predicted.insert(category.to_string());
        let ev = seg.evidence.entry(category.to_string()).or_default();
        if ev.len() < 2 && !ev.contains(&why) {
            ev.push(why.clone());
        }
        for t in predicted_attributes(vocab, pr, category) {
            if carrying.contains(&(t.category().to_string(), t.is_data_type())) {
                predicted.entry(t).or_insert_with(|| why.clone());
            } else {
                not_scored.insert(t);
            }
        }
    }
    PolicyResult {
        name: p.name.clone(),
        segments,
        gold,
        predicted,
        not_scored,
    }
}

fn score_attributes(results: &[PolicyResult], scheme_from: String) -> AttributeScores {
    let literal_sets: Vec<(BTreeSet<&AttributeTuple>, BTreeSet<&AttributeTuple>)> = results
        .iter()
        .map(|r| {
            (
                r.gold.keys().collect(),
                r.predicted.keys().chain(&r.not_scored).collect(),
            )
        })
        .collect();
    let literal = score_item_sets(literal_sets.iter().map(|(g, p)| (g, p)));
    let sets: Vec<(BTreeSet<&AttributeTuple>, BTreeSet<&AttributeTuple>)> = results
        .iter()
        .map(|r| (r.gold.keys().collect(), r.predicted.keys().collect()))
        .collect();
    let filtered = |keep: &dyn Fn(&AttributeTuple) -> bool| -> Score {
        let f: Vec<(BTreeSet<&AttributeTuple>, BTreeSet<&AttributeTuple>)> = sets
            .iter()
            .map(|(g, p)| {
                (
                    g.iter().copied().filter(|t| keep(t)).collect(),
                    p.iter().copied().filter(|t| keep(t)).collect(),
                )
            })
            .collect();
        score_item_sets(f.iter().map(|(g, p)| (g, p)))
    };
    let per_value = |data: bool, known: &[&str]| -> Vec<ValueScore> {
        let mut values: Vec<String> = known
            .iter()
            .filter(|v| **v != "Unspecified")
            .map(|v| v.to_string())
            .collect();
        let seen: BTreeSet<&str> = sets
            .iter()
            .flat_map(|(g, p)| g.iter().chain(p.iter()))
            .filter(|t| t.is_data_type() == data)
            .map(|t| t.value())
            .collect();
        for v in seen {
            if !values.iter().any(|k| k == v) {
                values.push(v.to_string());
            }
        }
        values
            .into_iter()
            .map(|v| {
                let score = filtered(&|t| t.is_data_type() == data && t.value() == v);
                ValueScore { value: v, score }
            })
            .collect()
    };
    AttributeScores {
        data_types: filtered(&|t| t.is_data_type()),
        purposes: filtered(&|t| !t.is_data_type()),
        combined: filtered(&|_| true),
        per_data_type: per_value(true, &PERSONAL_INFORMATION_TYPES),
        per_purpose: per_value(false, &PURPOSES),
        not_scored: results.iter().map(|r| r.not_scored.len()).sum(),
        literal,
        scheme_from,
    }
}

/// A segment category predicted but not annotated, or annotated but not predicted.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryError {
    pub policy: String,
    /// Index of the segment in the policy's `|||` split.
    pub segment: usize,
    pub category: String,
    /// The segment's text, truncated.
    pub text: String,
    pub gold: Vec<String>,
    pub predicted: Vec<String>,
    /// The practices that gave each predicted category, with their sentence.
    pub evidence: BTreeMap<String, Vec<String>>,
}

/// A policy attribute predicted but not annotated, or annotated but not predicted.
#[derive(Debug, Clone, Serialize)]
pub struct AttributeError {
    pub policy: String,
    pub attribute: AttributeTuple,
    /// For a false positive, the practice that gave it; for a false negative, text an
    /// annotator selected for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
}

/// A sample of the errors of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Opp115Errors {
    pub category_false_positives_total: usize,
    pub category_false_negatives_total: usize,
    pub category_false_positives: Vec<CategoryError>,
    pub category_false_negatives: Vec<CategoryError>,
    pub attribute_false_positives_total: usize,
    pub attribute_false_negatives_total: usize,
    pub attribute_false_positives: Vec<AttributeError>,
    pub attribute_false_negatives: Vec<AttributeError>,
}

/// Characters of segment text shown with an error.
const SHOWN_TEXT: usize = 400;

impl Opp115Report {
    /// Up to `n` false positives and `n` false negatives of each measure, spread over the
    /// dataset.
    pub fn errors(&self, n: usize) -> Opp115Errors {
        let mut cat_fp = Vec::new();
        let mut cat_fn = Vec::new();
        let mut attr_fp = Vec::new();
        let mut attr_fn = Vec::new();
        for (pi, r) in self.details.iter().enumerate() {
            for (si, s) in r.segments.iter().enumerate() {
                for c in CATEGORIES {
                    match (s.gold.contains(c), s.predicted.contains(c)) {
                        (false, true) => cat_fp.push((pi, si, c)),
                        (true, false) => cat_fn.push((pi, si, c)),
                        _ => {}
                    }
                }
            }
            for t in r.predicted.keys().filter(|t| !r.gold.contains_key(*t)) {
                attr_fp.push((pi, t));
            }
            for t in r.gold.keys().filter(|t| !r.predicted.contains_key(*t)) {
                attr_fn.push((pi, t));
            }
        }
        let category = |&(pi, si, c): &(usize, usize, &str)| {
            let r = &self.details[pi];
            let s = &r.segments[si];
            CategoryError {
                policy: r.name.clone(),
                segment: si,
                category: c.to_string(),
                text: truncate(&s.text.replace('\n', " / "), SHOWN_TEXT),
                gold: s.gold.iter().cloned().collect(),
                predicted: s.predicted.iter().cloned().collect(),
                evidence: s.evidence.clone(),
            }
        };
        let attribute = |&(pi, t): &(usize, &AttributeTuple), fp: bool| {
            let r = &self.details[pi];
            AttributeError {
                policy: r.name.clone(),
                attribute: t.clone(),
                example: if fp {
                    r.predicted.get(t).cloned()
                } else {
                    r.gold.get(t).cloned().flatten()
                },
            }
        };
        Opp115Errors {
            category_false_positives_total: cat_fp.len(),
            category_false_negatives_total: cat_fn.len(),
            category_false_positives: spread(&cat_fp, n).iter().map(category).collect(),
            category_false_negatives: spread(&cat_fn, n).iter().map(category).collect(),
            attribute_false_positives_total: attr_fp.len(),
            attribute_false_negatives_total: attr_fn.len(),
            attribute_false_positives: spread(&attr_fp, n)
                .iter()
                .map(|e| attribute(e, true))
                .collect(),
            attribute_false_negatives: spread(&attr_fn, n)
                .iter()
                .map(|e| attribute(e, false))
                .collect(),
        }
    }
}

fn score_row(name: &str, s: &Score) -> Vec<String> {
    vec![
        name.to_string(),
        num(s.precision),
        num(s.recall),
        num(s.f1),
        s.gold.to_string(),
        s.predicted.to_string(),
    ]
}

const SCORE_HEADER: [&str; 6] = ["", "precision", "recall", "F1", "support", "predicted"];

impl fmt::Display for Opp115Report {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        writeln!(f, "OPP-115: {}", self.dataset)?;
        writeln!(
            f,
            "  {} policies, {} segments, {} annotations (from {}/)\n",
            self.policies, self.segments, self.annotations, self.annotations_from
        )?;
        writeln!(
            f,
            "  1. Segment categories (a segment × category is one decision)"
        )?;
        let c = &self.categories;
        let mut rows: Vec<Vec<String>> = c
            .per_category
            .iter()
            .map(|r| score_row(&r.category, &r.score))
            .collect();
        rows.push(score_row("micro average", &c.micro));
        rows.push(vec![
            "macro average".into(),
            num(c.macro_avg.precision),
            num(c.macro_avg.recall),
            num(c.macro_avg.f1),
            String::new(),
            String::new(),
        ]);
        let mut header = SCORE_HEADER;
        header[0] = "category";
        table(f, 4, &header, &rows)?;
        writeln!(
            f,
            "    Other (not scored): {} segments annotated Other, {} with no other category, \
             {} of which got a predicted category",
            self.other.segments, self.other.only_other, self.other.only_other_with_predictions
        )?;

        let a = &self.attributes;
        writeln!(f, "\n  2. Policy attributes (one set of tuples per policy)")?;
        header[0] = "attribute";
        table(
            f,
            4,
            &header,
            &[
                score_row("(category, data type, does)", &a.data_types),
                score_row("(category, purpose)", &a.purposes),
                score_row("combined (scheme)", &a.combined),
                score_row("combined (literal)", &a.literal),
            ],
        )?;
        writeln!(
            f,
            "    scheme: tuples scored only in categories that have the attribute (from {}); \
             {} predicted tuples outside them are not scored.\n    literal: every predicted \
             tuple scored, those {} as false positives",
            a.scheme_from, a.not_scored, a.not_scored
        )?;
        writeln!(f)?;
        header[0] = "Personal Information Type";
        let rows: Vec<Vec<String>> = a
            .per_data_type
            .iter()
            .map(|v| score_row(&v.value, &v.score))
            .collect();
        table(f, 4, &header, &rows)?;
        writeln!(f)?;
        header[0] = "Purpose";
        let rows: Vec<Vec<String>> = a
            .per_purpose
            .iter()
            .map(|v| score_row(&v.value, &v.score))
            .collect();
        table(f, 4, &header, &rows)?;
        writeln!(f, "\n  time {:.2} s", self.seconds)
    }
}

impl fmt::Display for Opp115Errors {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let cats = [
            (
                "Segment category false positives",
                &self.category_false_positives,
                self.category_false_positives_total,
            ),
            (
                "Segment category false negatives",
                &self.category_false_negatives,
                self.category_false_negatives_total,
            ),
        ];
        for (title, errors, total) in cats {
            writeln!(f, "\n{title}: {} of {total} shown", errors.len())?;
            for e in errors {
                writeln!(f, "- {} in {} segment {}", e.category, e.policy, e.segment)?;
                writeln!(f, "    text: {}", e.text)?;
                writeln!(f, "    gold: {}", e.gold.join("; "))?;
                writeln!(f, "    pred: {}", e.predicted.join("; "))?;
                for (c, why) in &e.evidence {
                    for w in why {
                        writeln!(f, "      {c} ← {w}")?;
                    }
                }
            }
        }
        let attrs = [
            (
                "Policy attribute false positives",
                &self.attribute_false_positives,
                self.attribute_false_positives_total,
                "from",
            ),
            (
                "Policy attribute false negatives",
                &self.attribute_false_negatives,
                self.attribute_false_negatives_total,
                "annotated text",
            ),
        ];
        for (title, errors, total, what) in attrs {
            writeln!(f, "\n{title}: {} of {total} shown", errors.len())?;
            for e in errors {
                writeln!(f, "- {} in {}", e.attribute, e.policy)?;
                if let Some(x) = &e.example {
                    writeln!(f, "    {what}: {}", truncate(&x.replace('\n', " "), 240))?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows as in the dataset: the attributes JSON quoted with doubled quotes and holding
    /// commas, an attribute without a span (-1, no selectedText), a blank line between rows.
    #[test]
    fn reads_a_csv_row_and_its_attributes() {
        let csv = concat!(
            "C12,batch_a,121,3819,4,First Party Collection/Use,",
            r#""{""Personal Information Type"": {""endIndexInSegment"": 40, ""startIndexInSegment"": 12, ""selectedText"": ""name, e-mail"", ""value"": ""Contact""}, "#,
            r#"""Purpose"": {""endIndexInSegment"": -1, ""startIndexInSegment"": -1, ""value"": ""Service Operation and Security""}, "#,
            r#"""Does/Does Not"": {""endIndexInSegment"": -1, ""startIndexInSegment"": -1, ""value"": ""Does Not""}}","#,
            "3/3/14,http://example.com/privacy?a=1\n",
            "\n",
            r#"77,batch_a,121,3819,0,Other,"{""Other Type"": {""value"": ""Introductory/Generic""}}",3/3/14,http://example.com/"#,
            "\n",
        );
        let rows = read_annotations(csv.as_bytes(), Path::new("c.csv")).unwrap();
        assert_eq!(rows.len(), 2);
        let a = &rows[0];
        assert_eq!((a.id.as_str(), a.segment, a.line), ("C12", 4, 1));
        assert_eq!(a.category, "First Party Collection/Use");
        let pit = &a.attributes["Personal Information Type"];
        assert_eq!((pit.start, pit.end), (12, 40));
        assert_eq!(pit.selected_text.as_deref(), Some("name, e-mail"));
        assert_eq!(a.attributes["Purpose"].selected_text, None);
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[1].attributes["Other Type"].start, -1);

        // The purpose's case is normalised to the documented spelling.
        assert_eq!(
            gold_attributes(a),
            [
                AttributeTuple::DataType {
                    category: "First Party Collection/Use".into(),
                    value: "Contact".into(),
                    does: false
                },
                AttributeTuple::Purpose {
                    category: "First Party Collection/Use".into(),
                    value: "Service operation and security".into()
                }
            ]
        );
        assert!(gold_attributes(&rows[1]).is_empty());
    }

    #[test]
    fn unspecified_values_and_missing_polarity() {
        let mut a = read_annotations(
            br#"1,b,1,1,0,Data Retention,"{""Personal Information Type"": {""value"": ""User Profile""}, ""Purpose"": {""value"": ""Unspecified""}}",d,u"#,
            Path::new("r.csv"),
        )
        .unwrap()
        .remove(0);
        assert_eq!(
            gold_attributes(&a),
            [AttributeTuple::DataType {
                category: "Data Retention".into(),
                value: "User profile".into(),
                does: true
            }]
        );
        a.attributes
            .get_mut("Personal Information Type")
            .unwrap()
            .value = "Unspecified".into();
        assert!(gold_attributes(&a).is_empty());
    }

    /// A cut-down scheme: the category's own name comes first, attribute names after each
    /// `<attribute`; value names (also `<name>`) are not attributes.
    #[test]
    fn scheme_names_the_categories_that_have_each_attribute() {
        let xml = r#"<categories><category><name>First Party Collection/Use</name>
            <attributes><attribute optional="true"><name>Does/Does Not</name></attribute>
            <attribute><name>Personal Information Type</name><values><value><name>Purpose</name>
            </value></values></attribute><attribute><name>Purpose</name></attribute></attributes>
            </category><category><name>Data Security</name><attributes><attribute>
            <name>Security Measure</name></attribute></attributes></category>
            <category><name>Data Retention</name><attributes><attribute>
            <name>Personal Information Type</name></attribute></attributes></category></categories>"#;
        let got: Vec<(String, bool)> = parse_scheme(xml).into_iter().collect();
        assert_eq!(
            got,
            [
                ("Data Retention".to_string(), true),
                ("First Party Collection/Use".to_string(), false),
                ("First Party Collection/Use".to_string(), true),
            ]
        );
    }

    #[test]
    fn bad_rows_name_file_and_line() {
        let e = read_annotations(b"1,2,3\n", Path::new("p/x.csv")).unwrap_err();
        assert_eq!(e.to_string(), "p/x.csv:1: expected 9 columns, found 3");
        let e = read_annotations(
            b"1,b,1,1,0,Other,\"{not json\",d,u\n1,b,1,1,z,Other,{},d,u\n",
            Path::new("y.csv"),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("y.csv:1: attributes are not valid JSON"),
            "{e}"
        );
        let e = read_annotations(b"1,b,1,1,x,Other,{},d,u\n", Path::new("z.csv")).unwrap_err();
        assert_eq!(e.to_string(), "z.csv:1: segment_id `x` is not a number");
    }
}
