//! `privacy-kg eval` end to end on tiny hand-written datasets in the two benchmarks' layouts,
//! and its one-line errors on broken ones. The scores depend on the extraction rules, which
//! change; what is checked is what the rules cannot change (gold counts, structure) and
//! the plainest sentences.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::{stderr, stdout};

fn eval(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_privacy-kg"))
        .arg("eval")
        .args(args)
        .output()
        .expect("run privacy-kg")
}

/// Gold spans of a sentence: (first token, end token, label).
type Spans<'a> = &'a [(usize, usize, &'a str)];

/// CoNLL lines for sentences (tokens separated by spaces) with their spans as IOB tags.
fn conll(sentences: &[(&str, Spans)]) -> String {
    let mut out = String::from("-DOCSTART- -X- O O\n\n");
    for (text, spans) in sentences {
        for (i, w) in text.split(' ').enumerate() {
            let tag = spans
                .iter()
                .find(|(s, e, _)| (*s..*e).contains(&i))
                .map_or("O".to_string(), |(s, _, l)| {
                    format!("{}-{l}", if i == *s { "B" } else { "I" })
                });
            out.push_str(&format!("{w} _ _ {tag}\n"));
        }
        out.push('\n');
    }
    out
}

const S1: &str = "We collect your email address and your phone number .";
const S2: &str = "We will never sell your personal information .";
const S3: &str = "Our offices are closed on Sundays .";

fn write_pi_extract(dir: &Path) {
    // Gold: S1 COLLECT "your email address" (2..5) and "your phone number" (6..9);
    // S2 NOT_SHARE "your personal information" (4..7); S3 nothing.
    let layers: [(&str, Vec<(&str, Spans)>); 4] = [
        (
            "CollectUse_true",
            vec![
                (S1, &[(2, 5, "COLLECT"), (6, 9, "COLLECT")]),
                (S2, &[]),
                (S3, &[]),
            ],
        ),
        ("CollectUse_false", vec![(S1, &[]), (S2, &[]), (S3, &[])]),
        ("Share_true", vec![(S1, &[]), (S2, &[]), (S3, &[])]),
        (
            "Share_false",
            vec![(S1, &[]), (S2, &[(4, 7, "NOT_SHARE")]), (S3, &[])],
        ),
    ];
    for (folder, sentences) in layers {
        fs::create_dir_all(dir.join(folder)).unwrap();
        fs::write(dir.join(folder).join("train.conll03"), conll(&sentences)).unwrap();
    }
}

#[test]
fn pi_extract_on_a_mini_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pi");
    write_pi_extract(&dir);
    let d = dir.to_str().unwrap();

    let out = eval(&["pi-extract", d, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(r["sentences"], 3);
    assert_eq!(r["labelled_sentences"], 2);
    assert_eq!(r["tokens"], 10 + 8 + 7);
    assert_eq!(r["split"], "train");
    assert_eq!(r["exact"]["gold"], 3);
    let rows = r["per_label"].as_array().unwrap();
    let labels: Vec<&str> = rows.iter().map(|l| l["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["COLLECT", "NOT_COLLECT", "SHARE", "NOT_SHARE"]);
    assert_eq!(rows[0]["exact"]["gold"], 2);
    assert_eq!(rows[3]["exact"]["gold"], 1);
    // "We collect your email address": at least a span overlapping it is found.
    assert!(
        rows[0]["overlap"]["matched_gold"].as_u64().unwrap() >= 1,
        "{r:#}"
    );
    for key in ["precision", "recall", "f1"] {
        assert!(r["overlap"][key].is_number());
    }

    // The table and the error sample.
    let out = eval(&["pi-extract", d, "--errors", "5", "--context", "sentence"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("exact span") && text.contains("overlap"),
        "{text}"
    );
    assert!(text.contains("3 sentences (2 with a label)"), "{text}");
    assert!(text.contains("False negatives (exact span)"), "{text}");
}

#[test]
fn pi_extract_dataset_errors_are_one_line_and_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pi");
    write_pi_extract(&dir);
    let d = dir.to_str().unwrap();

    // No validation split.
    let out = eval(&["pi-extract", d, "--split", "validation"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("CollectUse_true/validation.conll03"), "{err}");

    // A layer whose tokens differ.
    let changed = fs::read_to_string(dir.join("Share_true/train.conll03"))
        .unwrap()
        .replace("Sundays", "Mondays");
    fs::write(dir.join("Share_true/train.conll03"), changed).unwrap();
    let out = eval(&["pi-extract", d]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("Share_true/train.conll03:28"), "{err}");
    assert!(err.contains("`Mondays` here and `Sundays` there"), "{err}");

    // A missing layer.
    fs::remove_dir_all(dir.join("Share_false")).unwrap();
    let out = eval(&["pi-extract", d]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Share_false: missing folder"),
        "{}",
        stderr(&out)
    );
}

/// Four segments: a title (Other), collection of contact data for marketing, a negated
/// sale, and a policy-change notice.
const POLICY: &str = "<strong>Example Privacy Policy</strong> <br> <br>|||\
<p>We collect your email address and use it to send you marketing newsletters.</p>|||\
We do not sell your personal information to third parties. <br>|||\
We may change this privacy policy from time to time.\n";

fn attrs(pairs: &[(&str, &str)]) -> String {
    let body: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            format!(
                r#"""{k}"": {{""endIndexInSegment"": -1, ""startIndexInSegment"": -1, ""value"": ""{v}""}}"#
            )
        })
        .collect();
    format!("\"{{{}}}\"", body.join(", "))
}

fn write_opp115(dir: &Path, annotations: &str) {
    fs::create_dir_all(dir.join("sanitized_policies")).unwrap();
    fs::create_dir_all(dir.join(annotations)).unwrap();
    fs::write(dir.join("sanitized_policies/7_example.com.html"), POLICY).unwrap();
    let rows = [
        (0, "Other", attrs(&[("Other Type", "Introductory/Generic")])),
        (
            1,
            "First Party Collection/Use",
            attrs(&[
                ("Personal Information Type", "Contact"),
                ("Purpose", "Marketing"),
                ("Does/Does Not", "Does"),
            ]),
        ),
        (
            2,
            "Third Party Sharing/Collection",
            attrs(&[
                ("Personal Information Type", "Generic personal information"),
                ("Purpose", "Unspecified"),
                ("Does/Does Not", "Does Not"),
            ]),
        ),
        (3, "Policy Change", attrs(&[("Change Type", "Unspecified")])),
    ];
    let csv: String = rows
        .iter()
        .enumerate()
        .map(|(i, (seg, cat, a))| {
            format!("C{i},batch,1,7,{seg},{cat},{a},1/1/15,http://example.com/privacy\n")
        })
        .collect();
    fs::write(dir.join(annotations).join("7_example.com.csv"), csv).unwrap();
}

#[test]
fn opp115_on_a_mini_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("opp");
    write_opp115(&dir, "consolidation");
    let d = dir.to_str().unwrap();

    let out = eval(&["opp115", d, "--json", "--errors", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(r["policies"], 1);
    assert_eq!(r["segments"], 4);
    assert_eq!(r["annotations"], 4);
    assert_eq!(r["annotations_from"], "consolidation");
    let c = &r["categories"];
    assert_eq!(c["micro"]["gold"], 3);
    let rows = c["per_category"].as_array().unwrap();
    assert_eq!(rows.len(), 9);
    assert_eq!(rows[0]["category"], "First Party Collection/Use");
    assert_eq!(rows[0]["score"]["gold"], 1);
    // "We collect your email address" is first-party collection, found.
    assert_eq!(rows[0]["score"]["matched_gold"], 1, "{r:#}");
    assert!(c["macro_avg"]["f1"].is_number());
    assert_eq!(r["other"]["segments"], 1);
    assert_eq!(r["other"]["only_other"], 1);
    // Gold attributes: (FPCU, Contact, Does), (FPCU, Marketing), (TPSC, Generic, Does Not).
    let a = &r["attributes"];
    assert_eq!(a["data_types"]["gold"], 2);
    assert_eq!(a["purposes"]["gold"], 1);
    assert_eq!(a["combined"]["gold"], 3);
    assert!(a["not_scored"].is_number());
    assert!(r["errors"]["category_false_negatives"].is_array());

    // Without consolidation/, the raw annotations are read.
    fs::rename(dir.join("consolidation"), dir.join("annotations")).unwrap();
    let out = eval(&["opp115", d, "--errors", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("from annotations/"), "{text}");
    assert!(
        text.contains("micro average") && text.contains("macro average"),
        "{text}"
    );
    assert!(text.contains("Segment category false negatives"), "{text}");
}

#[test]
fn opp115_dataset_errors_are_one_line_and_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("opp");
    write_opp115(&dir, "consolidation");
    let d = dir.to_str().unwrap();

    // A segment id past the policy's segments.
    let csv = dir.join("consolidation/7_example.com.csv");
    let text = fs::read_to_string(&csv).unwrap();
    fs::write(&csv, format!("{text}X9,batch,1,7,12,Other,{{}},d,u\n")).unwrap();
    let out = eval(&["opp115", d]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("7_example.com.csv:5: segment_id 12"), "{err}");

    // A policy without annotations.
    fs::remove_file(&csv).unwrap();
    let out = eval(&["opp115", d]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("consolidation/7_example.com.csv: missing file"),
        "{}",
        stderr(&out)
    );

    // Not a dataset at all.
    let out = eval(&["opp115", tmp.path().join("nowhere").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("nowhere: missing folder"),
        "{}",
        stderr(&out)
    );
}
