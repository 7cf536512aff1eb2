//! Generic scorers: labelled spans (exact and overlap matching, seqeval style) and sets of
//! categories (micro and macro averages).
//!
//! Conventions, the same everywhere:
//! - precision = correct predictions / predictions, recall = found gold items / gold items,
//!   F1 = their harmonic mean; a ratio whose denominator is 0 is 0 (scikit-learn's and
//!   seqeval's `zero_division=0`), so empty predictions score P = R = F1 = 0.
//! - inputs are sets: a span or item given twice counts once.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

/// Precision, recall and F1 with the counts they were computed from.
///
/// For exact matching `matched_predicted == matched_gold` (the true positives); for overlap
/// matching they can differ (see [`score_spans`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Score {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Predictions made.
    pub predicted: usize,
    /// Gold items (the support).
    pub gold: usize,
    /// Predictions counted correct.
    pub matched_predicted: usize,
    /// Gold items counted found.
    pub matched_gold: usize,
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// The harmonic mean of precision and recall, 0 when both are 0.
pub fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

impl Score {
    /// A score from its counts.
    pub fn new(
        matched_predicted: usize,
        predicted: usize,
        matched_gold: usize,
        gold: usize,
    ) -> Self {
        let precision = ratio(matched_predicted, predicted);
        let recall = ratio(matched_gold, gold);
        Score {
            precision,
            recall,
            f1: f1(precision, recall),
            predicted,
            gold,
            matched_predicted,
            matched_gold,
        }
    }

    /// A score where predictions and gold items match one to one (`tp` true positives).
    pub fn exact(tp: usize, predicted: usize, gold: usize) -> Self {
        Score::new(tp, predicted, tp, gold)
    }

    /// False positives (predictions not counted correct).
    pub fn false_positives(&self) -> usize {
        self.predicted - self.matched_predicted
    }

    /// False negatives (gold items not found).
    pub fn false_negatives(&self) -> usize {
        self.gold - self.matched_gold
    }
}

/// A labelled span of tokens `start..end` (end exclusive) in unit `unit` (a sentence).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LabelledSpan {
    pub unit: usize,
    pub label: String,
    pub start: usize,
    pub end: usize,
}

impl LabelledSpan {
    pub fn new(unit: usize, label: &str, start: usize, end: usize) -> Self {
        LabelledSpan {
            unit,
            label: label.to_string(),
            start,
            end,
        }
    }

    /// Whether the two spans share a unit, a label and at least one token.
    pub fn overlaps(&self, other: &LabelledSpan) -> bool {
        self.unit == other.unit
            && self.label == other.label
            && self.start < other.end
            && other.start < self.end
    }
}

/// The scores of one label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelScore {
    pub label: String,
    pub exact: Score,
    pub overlap: Score,
}

/// Span scores over all labels (micro-averaged) and per label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpanScores {
    /// Exact-span matching: a prediction is correct when a gold span has the same unit,
    /// label, start and end (seqeval's entity-level micro average).
    pub exact: Score,
    /// Overlap matching: a prediction is correct when it shares at least one token with a
    /// gold span of the same label in the same unit (precision); a gold span is found when
    /// at least one prediction of its label shares a token with it (recall). The matching
    /// is not one to one: one long prediction over two gold spans counts once in precision
    /// and finds both for recall, and two predictions inside one gold span are both correct.
    pub overlap: Score,
    /// Per label, in the order asked for, then any other label seen, sorted.
    pub per_label: Vec<LabelScore>,
}

type Groups<'a> = BTreeMap<(usize, &'a str), Vec<(usize, usize)>>;

/// Scores predicted spans against gold spans (duplicates are removed first).
///
/// `labels` fixes the order of the per-label rows; labels found in the data but not listed
/// are added after them.
pub fn score_spans(
    gold: &[LabelledSpan],
    predicted: &[LabelledSpan],
    labels: &[&str],
) -> SpanScores {
    let gold: BTreeSet<&LabelledSpan> = gold.iter().collect();
    let predicted: BTreeSet<&LabelledSpan> = predicted.iter().collect();
    // Gold and predicted spans grouped by (unit, label) for the overlap search.
    fn group<'a>(set: &BTreeSet<&'a LabelledSpan>) -> Groups<'a> {
        let mut map: Groups<'a> = BTreeMap::new();
        for s in set {
            map.entry((s.unit, s.label.as_str()))
                .or_default()
                .push((s.start, s.end));
        }
        map
    }
    let gold_by = group(&gold);
    let pred_by = group(&predicted);
    let overlaps_any = |by: &Groups, s: &LabelledSpan| {
        by.get(&(s.unit, s.label.as_str()))
            .is_some_and(|v| v.iter().any(|&(b, e)| s.start < e && b < s.end))
    };

    #[derive(Default, Clone, Copy)]
    struct Tally {
        gold: usize,
        predicted: usize,
        exact_tp: usize,
        overlap_pred: usize,
        overlap_gold: usize,
    }
    let mut per: BTreeMap<&str, Tally> = BTreeMap::new();
    for g in &gold {
        let t = per.entry(g.label.as_str()).or_default();
        t.gold += 1;
        if predicted.contains(g) {
            t.exact_tp += 1;
        }
        if overlaps_any(&pred_by, g) {
            t.overlap_gold += 1;
        }
    }
    for p in &predicted {
        let t = per.entry(p.label.as_str()).or_default();
        t.predicted += 1;
        if overlaps_any(&gold_by, p) {
            t.overlap_pred += 1;
        }
    }
    let mut order: Vec<&str> = labels.to_vec();
    order.extend(per.keys().filter(|l| !labels.contains(l)));
    let mut total = Tally::default();
    let per_label = order
        .iter()
        .map(|&label| {
            let t = per.get(label).copied().unwrap_or_default();
            total.gold += t.gold;
            total.predicted += t.predicted;
            total.exact_tp += t.exact_tp;
            total.overlap_pred += t.overlap_pred;
            total.overlap_gold += t.overlap_gold;
            LabelScore {
                label: label.to_string(),
                exact: Score::exact(t.exact_tp, t.predicted, t.gold),
                overlap: Score::new(t.overlap_pred, t.predicted, t.overlap_gold, t.gold),
            }
        })
        .collect();
    SpanScores {
        exact: Score::exact(total.exact_tp, total.predicted, total.gold),
        overlap: Score::new(
            total.overlap_pred,
            total.predicted,
            total.overlap_gold,
            total.gold,
        ),
        per_label,
    }
}

/// Scores which labels each unit carries, whatever their spans: the pairs (unit, label) of
/// the gold spans against those of the predicted spans. For PI-Extract this is the
/// data-type practice score: does the sentence state that data are collected (or shared, or
/// not) at all, as the gold says, before asking which words name the data.
pub fn score_unit_labels(gold: &[LabelledSpan], predicted: &[LabelledSpan]) -> Score {
    let pairs = |v: &[LabelledSpan]| -> BTreeSet<(usize, String)> {
        v.iter().map(|s| (s.unit, s.label.clone())).collect()
    };
    let (g, p) = (pairs(gold), pairs(predicted));
    Score::exact(g.intersection(&p).count(), p.len(), g.len())
}

/// Precision, recall and F1 averaged over categories.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Averaged {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// The score of one category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryScore {
    pub category: String,
    pub score: Score,
}

/// Set scores over units (segments) that each have a gold and a predicted set of categories.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetScores {
    /// Every (unit, category) decision pooled.
    pub micro: Score,
    /// The unweighted mean of the per-category precisions, recalls and F1s (the macro-F1 is
    /// the mean of the F1s, not the F1 of the mean precision and recall).
    pub macro_avg: Averaged,
    /// One row per category asked for, in that order.
    pub per_category: Vec<CategoryScore>,
}

/// Scores units' predicted category sets against their gold sets, over `categories` only
/// (categories outside the list, such as OPP-115's "Other", are ignored on both sides).
pub fn score_sets<'a, I>(units: I, categories: &[&str]) -> SetScores
where
    I: IntoIterator<Item = (&'a BTreeSet<String>, &'a BTreeSet<String>)>,
{
    // (tp, predicted, gold) per category
    let mut counts = vec![(0usize, 0usize, 0usize); categories.len()];
    for (gold, predicted) in units {
        for (i, c) in categories.iter().enumerate() {
            let g = gold.contains(*c);
            let p = predicted.contains(*c);
            counts[i].0 += usize::from(g && p);
            counts[i].1 += usize::from(p);
            counts[i].2 += usize::from(g);
        }
    }
    let per_category: Vec<CategoryScore> = categories
        .iter()
        .zip(&counts)
        .map(|(c, &(tp, p, g))| CategoryScore {
            category: c.to_string(),
            score: Score::exact(tp, p, g),
        })
        .collect();
    let (tp, p, g) = counts
        .iter()
        .fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
    let n = categories.len().max(1) as f64;
    let mean = |f: fn(&Score) -> f64| per_category.iter().map(|c| f(&c.score)).sum::<f64>() / n;
    SetScores {
        micro: Score::exact(tp, p, g),
        macro_avg: Averaged {
            precision: mean(|s| s.precision),
            recall: mean(|s| s.recall),
            f1: mean(|s| s.f1),
        },
        per_category,
    }
}

/// Micro score of sets of items over units: every unit's true positives, predictions and
/// gold items are pooled.
pub fn score_item_sets<'a, T, I>(units: I) -> Score
where
    T: Ord + 'a,
    I: IntoIterator<Item = (&'a BTreeSet<T>, &'a BTreeSet<T>)>,
{
    let (mut tp, mut p, mut g) = (0, 0, 0);
    for (gold, predicted) in units {
        tp += gold.intersection(predicted).count();
        p += predicted.len();
        g += gold.len();
    }
    Score::exact(tp, p, g)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn span(unit: usize, label: &str, start: usize, end: usize) -> LabelledSpan {
        LabelledSpan::new(unit, label, start, end)
    }

    /// Worked by hand.
    ///
    /// Sentence 0: "We collect your email address and share it with partners"
    ///   gold: COLLECT 2..5 ("your email address"), SHARE 2..5 (the same words, labelled
    ///   twice).
    ///   pred: COLLECT 3..5 ("email address": overlaps the gold COLLECT, not exact),
    ///         SHARE 2..5 (exact), NOT_SHARE 2..5 (wrong label: matches nothing).
    /// Sentence 1: gold COLLECT 0..2; pred COLLECT 0..2 (exact) and a duplicate of it
    ///   (counted once).
    /// Sentence 2: gold NOT_COLLECT 4..6; nothing predicted.
    ///
    /// Gold 4 spans, predicted 4 distinct spans.
    /// Exact: tp = SHARE 0:2..5 + COLLECT 1:0..2 = 2 → P = 2/4, R = 2/4, F1 = 0.5.
    /// Overlap: correct predictions = COLLECT 0:3..5, SHARE 0:2..5, COLLECT 1:0..2 = 3
    ///   (NOT_SHARE has no NOT_SHARE gold) → P = 3/4; found gold = COLLECT 0, SHARE 0,
    ///   COLLECT 1 = 3 (NOT_COLLECT missed) → R = 3/4; F1 = 0.75.
    /// Per label:
    ///   COLLECT: gold 2, pred 2, exact tp 1 → 0.5/0.5/0.5; overlap 2/2, 2/2 → 1/1/1.
    ///   SHARE: gold 1, pred 1, exact 1 → 1/1/1.
    ///   NOT_COLLECT: gold 1, pred 0 → P 0 (nothing predicted), R 0, F1 0.
    ///   NOT_SHARE: gold 0, pred 1 → P 0, R 0 (no gold), F1 0.
    /// Worked by hand: gold (0, COLLECT) twice over two spans, (0, SHARE), (2, NOT_SHARE);
    /// predicted (0, COLLECT) on other words, (1, COLLECT), (2, NOT_SHARE).
    /// Pairs: gold {0C, 0S, 2N} = 3, predicted {0C, 1C, 2N} = 3, common {0C, 2N} = 2
    /// → P = R = 2/3.
    #[test]
    fn unit_labels_ignore_span_boundaries() {
        let gold = vec![
            span(0, "COLLECT", 2, 5),
            span(0, "COLLECT", 7, 8),
            span(0, "SHARE", 2, 5),
            span(2, "NOT_SHARE", 0, 1),
        ];
        let pred = vec![
            span(0, "COLLECT", 9, 10),
            span(1, "COLLECT", 0, 2),
            span(2, "NOT_SHARE", 3, 4),
        ];
        let s = score_unit_labels(&gold, &pred);
        assert_eq!((s.matched_predicted, s.predicted, s.gold), (2, 3, 3));
        assert!(close(s.precision, 2.0 / 3.0) && close(s.recall, 2.0 / 3.0));
        assert_eq!(score_unit_labels(&gold, &[]).precision, 0.0);
    }

    #[test]
    fn spans_exact_overlap_double_label_and_wrong_label() {
        let gold = vec![
            span(0, "COLLECT", 2, 5),
            span(0, "SHARE", 2, 5),
            span(1, "COLLECT", 0, 2),
            span(2, "NOT_COLLECT", 4, 6),
        ];
        let pred = vec![
            span(0, "COLLECT", 3, 5),
            span(0, "SHARE", 2, 5),
            span(0, "NOT_SHARE", 2, 5),
            span(1, "COLLECT", 0, 2),
            span(1, "COLLECT", 0, 2),
        ];
        let s = score_spans(
            &gold,
            &pred,
            &["COLLECT", "NOT_COLLECT", "SHARE", "NOT_SHARE"],
        );
        assert_eq!((s.exact.predicted, s.exact.gold), (4, 4));
        assert_eq!(s.exact.matched_predicted, 2);
        assert!(close(s.exact.precision, 0.5) && close(s.exact.recall, 0.5));
        assert!(close(s.exact.f1, 0.5));
        assert_eq!(
            (s.overlap.matched_predicted, s.overlap.matched_gold),
            (3, 3)
        );
        assert!(close(s.overlap.precision, 0.75) && close(s.overlap.recall, 0.75));
        assert!(close(s.overlap.f1, 0.75));

        let row = |l: &str| s.per_label.iter().find(|r| r.label == l).unwrap().clone();
        let collect = row("COLLECT");
        assert!(close(collect.exact.f1, 0.5));
        assert!(close(collect.overlap.precision, 1.0) && close(collect.overlap.recall, 1.0));
        assert!(close(row("SHARE").exact.f1, 1.0));
        let not_collect = row("NOT_COLLECT");
        assert_eq!(
            (not_collect.exact.gold, not_collect.exact.predicted),
            (1, 0)
        );
        assert!(close(not_collect.exact.f1, 0.0));
        let not_share = row("NOT_SHARE");
        assert_eq!((not_share.exact.gold, not_share.exact.predicted), (0, 1));
        assert!(close(not_share.exact.precision, 0.0));
        let labels: Vec<&str> = s.per_label.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["COLLECT", "NOT_COLLECT", "SHARE", "NOT_SHARE"]);
    }

    /// Overlap is not one to one. Gold COLLECT 0..2 and 3..5; one prediction 0..5 covers
    /// both: overlap P = 1/1, R = 2/2; exact P = 0/1, R = 0/2.
    /// Two predictions 0..1 and 1..2 inside one gold span 0..2: overlap P = 2/2, R = 1/1.
    /// The same spans in another sentence (unit) never match.
    #[test]
    fn overlap_is_many_to_many_within_a_unit() {
        let gold = vec![span(0, "COLLECT", 0, 2), span(0, "COLLECT", 3, 5)];
        let s = score_spans(&gold, &[span(0, "COLLECT", 0, 5)], &["COLLECT"]);
        assert_eq!((s.overlap.matched_predicted, s.overlap.predicted), (1, 1));
        assert_eq!((s.overlap.matched_gold, s.overlap.gold), (2, 2));
        assert_eq!(s.exact.matched_predicted, 0);

        let gold = vec![span(0, "COLLECT", 0, 2)];
        let pred = vec![span(0, "COLLECT", 0, 1), span(0, "COLLECT", 1, 2)];
        let s = score_spans(&gold, &pred, &["COLLECT"]);
        assert!(close(s.overlap.precision, 1.0) && close(s.overlap.recall, 1.0));
        assert!(close(s.exact.f1, 0.0));

        let s = score_spans(&gold, &[span(1, "COLLECT", 0, 2)], &["COLLECT"]);
        assert!(close(s.overlap.f1, 0.0));
        // Adjacent spans (end == start) share no token.
        let s = score_spans(&gold, &[span(0, "COLLECT", 2, 4)], &["COLLECT"]);
        assert!(close(s.overlap.f1, 0.0));
    }

    /// Nothing predicted: P = 0 by convention, R = 0/3, F1 = 0, with the counts kept.
    #[test]
    fn empty_predictions_score_zero() {
        let gold = vec![
            span(0, "COLLECT", 0, 1),
            span(0, "SHARE", 0, 1),
            span(3, "SHARE", 2, 3),
        ];
        let s = score_spans(&gold, &[], &["COLLECT", "SHARE"]);
        assert_eq!((s.exact.predicted, s.exact.gold), (0, 3));
        assert!(close(s.exact.precision, 0.0) && close(s.exact.recall, 0.0));
        assert!(close(s.overlap.f1, 0.0));
        assert_eq!(s.exact.false_negatives(), 3);
        // And nothing at all.
        let s = score_spans(&[], &[], &["COLLECT"]);
        assert!(close(s.exact.f1, 0.0));
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    /// Three segments, categories A, B, C (and "Other", not scored):
    ///   seg 1: gold {A, B}, pred {A}
    ///   seg 2: gold {B, Other}, pred {B, C}
    ///   seg 3: gold {}, pred {A, Other}
    /// A: tp 1, pred 2, gold 1 → P .5, R 1, F1 2/3
    /// B: tp 1, pred 1, gold 2 → P 1, R .5, F1 2/3
    /// C: tp 0, pred 1, gold 0 → P 0, R 0, F1 0
    /// micro: tp 2, pred 4, gold 3 → P .5, R 2/3, F1 = 2·.5·(2/3)/(.5+2/3) = 4/7
    /// macro: P (.5+1+0)/3 = .5, R (1+.5+0)/3 = .5, F1 (2/3+2/3+0)/3 = 4/9
    #[test]
    fn set_micro_and_macro() {
        let units = [
            (set(&["A", "B"]), set(&["A"])),
            (set(&["B", "Other"]), set(&["B", "C"])),
            (set(&[]), set(&["A", "Other"])),
        ];
        let s = score_sets(units.iter().map(|(g, p)| (g, p)), &["A", "B", "C"]);
        assert_eq!(
            (s.micro.matched_predicted, s.micro.predicted, s.micro.gold),
            (2, 4, 3)
        );
        assert!(close(s.micro.precision, 0.5));
        assert!(close(s.micro.recall, 2.0 / 3.0));
        assert!(close(s.micro.f1, 4.0 / 7.0));
        assert!(close(s.macro_avg.precision, 0.5));
        assert!(close(s.macro_avg.recall, 0.5));
        assert!(close(s.macro_avg.f1, 4.0 / 9.0));
        assert!(close(s.per_category[0].score.f1, 2.0 / 3.0));
        assert_eq!(s.per_category[2].score.gold, 0);

        // Empty predictions: everything 0, support kept.
        let empty = set(&[]);
        let s = score_sets(units.iter().map(|(g, _)| (g, &empty)), &["A", "B", "C"]);
        assert_eq!((s.micro.predicted, s.micro.gold), (0, 3));
        assert!(close(s.micro.f1, 0.0) && close(s.macro_avg.f1, 0.0));
    }

    /// Policy 1: gold {x, y}, pred {y, z}; policy 2: gold {x}, pred {x}.
    /// tp 2, pred 3, gold 3 → P = R = F1 = 2/3. The same item in another policy is another
    /// item.
    #[test]
    fn item_sets_pool_over_units() {
        let units = [
            (set(&["x", "y"]), set(&["y", "z"])),
            (set(&["x"]), set(&["x"])),
        ];
        let s = score_item_sets(units.iter().map(|(g, p)| (g, p)));
        assert_eq!((s.matched_predicted, s.predicted, s.gold), (2, 3, 3));
        assert!(close(s.f1, 2.0 / 3.0));
    }
}
