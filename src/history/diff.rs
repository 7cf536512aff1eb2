//! What changed between versions of one organisation's policy, compared on what the
//! practices mean — kind, polarity, data types, recipients, purposes — not on wording: a
//! reworded sentence saying the same thing is no change. Each side of a change carries its
//! evidence sentence.

use std::collections::{BTreeMap, HashMap};

use oxigraph::model::Literal;
use serde::Serialize;

use super::cell;
use crate::store::{Store, StoreError};
use crate::vocab::ns;

/// Why a diff could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no organisation {0:?} in the store (give its domain, its name or its IRI)")]
    UnknownOrganisation(String),
    #[error("{0:?} names {1} organisations; give the domain or IRI of one: {2}")]
    Ambiguous(String, usize, String),
}

/// One policy version, or the removal of one (its file deleted from the repository).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionRef {
    pub policy: String,
    /// The archive date; for a removal, the day of the deleting commit.
    pub date: Option<String>,
    /// The commit time of a version read from git (of the deleting commit for a removal):
    /// orders versions of one day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub committed: Option<String>,
    /// Whether this stands for the removal of `policy` rather than for the version: from
    /// then on the organisation has no policy (until a later version), so a diff to it
    /// lists every statement of the version before as removed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
}

impl VersionRef {
    fn shown_date(&self) -> String {
        let day = self.date.clone().unwrap_or_else(|| "undated".into());
        if self.removed {
            format!("removed {day}")
        } else {
            day
        }
    }
}

/// The concept hierarchy of the ontology (`skos:broader`), by label: how `diff` tells a
/// narrower statement ("email address" where "contact information" was) from an unrelated
/// one.
#[derive(Debug, Clone, Default)]
pub struct Hierarchy {
    broader: HashMap<String, Vec<String>>,
}

/// How one set of concepts relates to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Same,
    /// Every concept only in the new set is narrower than one only in the old set, and every
    /// concept only in the old set has a narrower one in the new set.
    Narrower,
    /// The reverse.
    Broader,
    Other,
}

impl Hierarchy {
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Hierarchy {
        let mut broader: HashMap<String, Vec<String>> = HashMap::new();
        for (narrow, broad) in pairs {
            if narrow != broad {
                broader.entry(narrow).or_default().push(broad);
            }
        }
        Hierarchy { broader }
    }

    /// Whether `a` is (transitively) narrower than `b`.
    pub fn is_narrower(&self, a: &str, b: &str) -> bool {
        let mut seen = std::collections::HashSet::new();
        let mut todo = vec![a];
        while let Some(c) = todo.pop() {
            for up in self.broader.get(c).into_iter().flatten() {
                if up == b {
                    return true;
                }
                if seen.insert(up.as_str()) {
                    todo.push(up);
                }
            }
        }
        false
    }

    fn relation(&self, old: &[String], new: &[String]) -> Relation {
        let only_old: Vec<&String> = old.iter().filter(|c| !new.contains(c)).collect();
        let only_new: Vec<&String> = new.iter().filter(|c| !old.contains(c)).collect();
        if only_old.is_empty() && only_new.is_empty() {
            return Relation::Same;
        }
        let covers = |narrow: &[&String], broad: &[&String]| {
            !narrow.is_empty()
                && !broad.is_empty()
                && narrow
                    .iter()
                    .all(|n| broad.iter().any(|b| self.is_narrower(n, b)))
                && broad
                    .iter()
                    .all(|b| narrow.iter().any(|n| self.is_narrower(n, b)))
        };
        if covers(&only_new, &only_old) {
            Relation::Narrower
        } else if covers(&only_old, &only_new) {
            Relation::Broader
        } else {
            Relation::Other
        }
    }
}

/// What one practice says, reduced to its meaning, with one sentence saying it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// Practice kind (`collect`, `share`, `sell`, ...).
    pub kind: String,
    pub negated: bool,
    /// Labels of the data types, recipients and purposes, each sorted.
    pub data: Vec<String>,
    pub recipients: Vec<String>,
    pub purposes: Vec<String>,
    /// The evidence sentence (empty when the store holds none).
    pub evidence: String,
}

impl Statement {
    fn meaning(&self) -> Meaning<'_> {
        (
            &self.kind,
            self.negated,
            &self.data,
            &self.recipients,
            &self.purposes,
        )
    }
}

/// A rule pairing a removed statement with an added one as one change.
type Pairing<'a> = dyn Fn(&Statement, &Statement) -> bool + 'a;

type Meaning<'a> = (&'a str, bool, &'a [String], &'a [String], &'a [String]);

/// One difference between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum Change {
    /// Said by the newer version only.
    Added { new: Statement },
    /// Said by the older version only.
    Removed { old: Statement },
    /// The same kind of practice about the same data (or the same recipients and purposes
    /// with overlapping data) said differently: `fields` names what differs.
    Changed {
        fields: Vec<&'static str>,
        old: Statement,
        new: Statement,
    },
}

/// The differences between two versions of one organisation's policy.
#[derive(Debug, Clone, Serialize)]
pub struct VersionDiff {
    pub organisation: String,
    pub from: VersionRef,
    pub to: VersionRef,
    /// Statements both versions make.
    pub unchanged: usize,
    pub changes: Vec<Change>,
}

/// Compares the statements of two versions, without a concept hierarchy (see
/// [`compare_with`]).
pub fn compare(old: &[Statement], new: &[Statement]) -> (Vec<Change>, usize) {
    compare_with(old, new, &Hierarchy::default())
}

/// Compares the statements of two versions. Identical meanings cancel; what is left is
/// paired up as changes where the kind and data types agree (a flipped polarity, another
/// recipient); then where kind and polarity agree and the data types, recipients and
/// purposes are each the same or narrower (or each the same or broader) in the ontology's
/// hierarchy ("email address" for "contact information": `data (narrower)`); then where
/// kind, polarity, recipients and purposes agree and the data types overlap; the rest is
/// added or removed.
pub fn compare_with(
    old: &[Statement],
    new: &[Statement],
    hierarchy: &Hierarchy,
) -> (Vec<Change>, usize) {
    let old = distinct(old);
    let new = distinct(new);
    let new_meanings: std::collections::HashSet<Meaning> =
        new.iter().map(|s| s.meaning()).collect();
    let old_meanings: std::collections::HashSet<Meaning> =
        old.iter().map(|s| s.meaning()).collect();
    let unchanged = old
        .iter()
        .filter(|s| new_meanings.contains(&s.meaning()))
        .count();
    let mut removed: Vec<Option<&Statement>> = old
        .iter()
        .filter(|s| !new_meanings.contains(&s.meaning()))
        .map(Some)
        .collect();
    let mut added: Vec<Option<&Statement>> = new
        .iter()
        .filter(|s| !old_meanings.contains(&s.meaning()))
        .map(Some)
        .collect();
    let mut changes = Vec::new();
    let related = |a: &Statement, b: &Statement| {
        if a.kind != b.kind || a.negated != b.negated {
            return false;
        }
        let relations = [
            hierarchy.relation(&a.data, &b.data),
            hierarchy.relation(&a.recipients, &b.recipients),
            hierarchy.relation(&a.purposes, &b.purposes),
        ];
        relations.iter().all(|r| *r != Relation::Other)
            && (relations
                .iter()
                .all(|r| matches!(r, Relation::Same | Relation::Narrower))
                || relations
                    .iter()
                    .all(|r| matches!(r, Relation::Same | Relation::Broader)))
    };
    let passes: [&Pairing; 3] = [
        &|a, b| a.kind == b.kind && a.data == b.data,
        &related,
        &|a, b| {
            a.kind == b.kind
                && a.negated == b.negated
                && a.recipients == b.recipients
                && a.purposes == b.purposes
                && a.data.iter().any(|d| b.data.contains(d))
        },
    ];
    for pass in passes {
        for r in removed.iter_mut() {
            let Some(old) = *r else { continue };
            if let Some(a) = added
                .iter_mut()
                .find(|a| a.is_some_and(|new| pass(old, new)))
            {
                let new = a.take().unwrap();
                *r = None;
                changes.push(Change::Changed {
                    fields: differing(old, new, hierarchy),
                    old: old.clone(),
                    new: new.clone(),
                });
            }
        }
    }
    changes.extend(
        removed
            .into_iter()
            .flatten()
            .map(|s| Change::Removed { old: s.clone() }),
    );
    changes.extend(
        added
            .into_iter()
            .flatten()
            .map(|s| Change::Added { new: s.clone() }),
    );
    changes.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    (changes, unchanged)
}

fn sort_key(c: &Change) -> (u8, &str, bool, &[String]) {
    match c {
        Change::Added { new } => (0, &new.kind, new.negated, &new.data),
        Change::Removed { old } => (1, &old.kind, old.negated, &old.data),
        Change::Changed { old, .. } => (2, &old.kind, old.negated, &old.data),
    }
}

/// What differs between two paired statements; a set of concepts that became narrower or
/// broader in the hierarchy says so (`data (narrower)`).
fn differing(a: &Statement, b: &Statement, hierarchy: &Hierarchy) -> Vec<&'static str> {
    let mut out = Vec::new();
    if a.negated != b.negated {
        out.push("polarity");
    }
    for (old, new, names) in [
        (
            &a.data,
            &b.data,
            ["data", "data (narrower)", "data (broader)"],
        ),
        (
            &a.recipients,
            &b.recipients,
            [
                "recipients",
                "recipients (narrower)",
                "recipients (broader)",
            ],
        ),
        (
            &a.purposes,
            &b.purposes,
            ["purposes", "purposes (narrower)", "purposes (broader)"],
        ),
    ] {
        match hierarchy.relation(old, new) {
            Relation::Same => {}
            Relation::Other => out.push(names[0]),
            Relation::Narrower => out.push(names[1]),
            Relation::Broader => out.push(names[2]),
        }
    }
    out
}

/// One statement per meaning: the one with the shortest evidence sentence (the most to the
/// point), ties broken by the sentence, so the choice does not depend on store order.
fn distinct(statements: &[Statement]) -> Vec<Statement> {
    let mut by_meaning: BTreeMap<Meaning, &Statement> = BTreeMap::new();
    for s in statements {
        by_meaning
            .entry(s.meaning())
            .and_modify(|kept| {
                if (s.evidence.len(), &s.evidence) < (kept.evidence.len(), &kept.evidence) {
                    *kept = s;
                }
            })
            .or_insert(s);
    }
    by_meaning.into_values().cloned().collect()
}

fn quoted(s: &str) -> String {
    Literal::new_simple_literal(s).to_string()
}

/// Finds the organisation named by `name`: its domain, its name (`rdfs:label`) or its IRI.
pub fn organisation(store: &Store, name: &str) -> Result<String, DiffError> {
    let by_iri = if name.contains("://") && !name.contains(['<', '>', '"', ' ']) {
        format!(
            "UNION {{ BIND(<{name}> AS ?org) ?org a <{}Organisation> }}",
            ns::PP
        )
    } else {
        String::new()
    };
    let q = format!(
        "SELECT DISTINCT ?org WHERE {{ {{ ?org <{pp}domain> {lit} }} UNION {{ ?org a <{pp}Organisation> ; <{rdfs}label> {lit} }} {by_iri} }} ORDER BY ?org",
        pp = ns::PP,
        rdfs = ns::RDFS,
        lit = quoted(name),
    );
    let orgs: Vec<String> = store.select_union(&q)?.iter().map(|r| cell(r, 0)).collect();
    match orgs.len() {
        0 => Err(DiffError::UnknownOrganisation(name.to_string())),
        1 => Ok(orgs.into_iter().next().unwrap()),
        n => Err(DiffError::Ambiguous(name.to_string(), n, orgs.join(", "))),
    }
}

/// The versions of an organisation's policy, oldest first (by archive date, then commit
/// time: versions of one day in the order they were committed); undated ones last. A
/// version whose file was deleted is followed by its removal.
pub fn versions(store: &Store, org: &str) -> Result<Vec<VersionRef>, StoreError> {
    let q = format!(
        "SELECT DISTINCT ?policy ?date ?time ?removed WHERE {{ ?policy <{pp}organisation> <{org}> . OPTIONAL {{ ?policy <{pp}archived> ?date }} OPTIONAL {{ ?policy <{pp}gitCommitTime> ?time }} OPTIONAL {{ ?policy <{prov}invalidatedAtTime> ?removed }} }}",
        pp = ns::PP,
        prov = ns::PROV,
    );
    let some = |s: String| Some(s).filter(|s| !s.is_empty());
    let mut out: Vec<VersionRef> = Vec::new();
    for r in store.select_union(&q)? {
        let policy = cell(&r, 0);
        if let Some(removed) = some(cell(&r, 3)) {
            out.push(VersionRef {
                policy: policy.clone(),
                date: Some(removed.chars().take(10).collect()),
                committed: Some(removed),
                removed: true,
            });
        }
        out.push(VersionRef {
            policy,
            date: some(cell(&r, 1)),
            committed: some(cell(&r, 2)),
            removed: false,
        });
    }
    out.sort_by(|a, b| {
        let key = |v: &VersionRef| {
            (
                v.date.is_none(),
                v.date.clone(),
                v.committed.clone(),
                v.removed,
                v.policy.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    Ok(out)
}

/// The ontology's `skos:broader` links between concepts, by label.
fn hierarchy(store: &Store, labels: &HashMap<String, String>) -> Result<Hierarchy, StoreError> {
    let q = format!(
        "SELECT ?c ?b WHERE {{ GRAPH <{g}> {{ ?c <{skos}broader> ?b }} }}",
        g = ns::ONTOLOGY_GRAPH,
        skos = ns::SKOS
    );
    let label = |iri: String| {
        labels
            .get(&iri)
            .cloned()
            .unwrap_or_else(|| local_name(&iri).to_string())
    };
    Ok(Hierarchy::new(
        store
            .select(&q)?
            .iter()
            .map(|r| (label(cell(r, 0)), label(cell(r, 1)))),
    ))
}

/// Labels of the concepts, from the ontology graph.
fn labels(store: &Store) -> Result<HashMap<String, String>, StoreError> {
    let q = format!(
        "SELECT ?c ?l WHERE {{ GRAPH <{g}> {{ ?c <{skos}prefLabel> ?l FILTER (LANG(?l) = \"\" || LANGMATCHES(LANG(?l), \"en\")) }} }}",
        g = ns::ONTOLOGY_GRAPH,
        skos = ns::SKOS
    );
    Ok(store
        .select(&q)?
        .iter()
        .map(|r| (cell(r, 0), cell(r, 1)))
        .collect())
}

fn local_name(iri: &str) -> &str {
    iri.rsplit(['/', '#']).next().unwrap_or(iri)
}

/// The statements of one policy version.
pub fn statements(store: &Store, policy: &str) -> Result<Vec<Statement>, StoreError> {
    let labels = labels(store)?;
    statements_with(store, policy, &labels)
}

fn statements_with(
    store: &Store,
    policy: &str,
    labels: &HashMap<String, String>,
) -> Result<Vec<Statement>, StoreError> {
    // One-triple OPTIONALs, one pattern per column, unioned: a practice with three data types
    // and two recipients gives five rows, not six.
    let q = format!(
        "SELECT ?practice ?kind ?negated ?what ?value WHERE {{ GRAPH <{policy}> {{
            ?practice <{pp}statedIn> <{policy}> ; <{pp}kind> ?kind ; <{pp}negated> ?negated .
            {{ ?practice <{dpv}hasPersonalData> ?value BIND(\"data\" AS ?what) }}
            UNION {{ ?practice <{dpv}hasRecipient> ?value BIND(\"recipient\" AS ?what) }}
            UNION {{ ?practice <{dpv}hasPurpose> ?value BIND(\"purpose\" AS ?what) }}
            UNION {{ ?practice <{prov}wasDerivedFrom>/<{oa}hasSelector>/<{oa}exact> ?value BIND(\"evidence\" AS ?what) }}
            UNION {{ BIND(\"\" AS ?what) }}
        }} }}",
        pp = ns::PP,
        dpv = ns::DPV,
        prov = ns::PROV,
        oa = ns::OA,
    );
    let mut by_practice: BTreeMap<String, Statement> = BTreeMap::new();
    for row in store.select(&q)? {
        let s = by_practice
            .entry(cell(&row, 0))
            .or_insert_with(|| Statement {
                kind: local_name(&cell(&row, 1)).to_string(),
                negated: cell(&row, 2) == "true",
                data: Vec::new(),
                recipients: Vec::new(),
                purposes: Vec::new(),
                evidence: String::new(),
            });
        let value = cell(&row, 4);
        let label = || {
            labels
                .get(&value)
                .cloned()
                .unwrap_or_else(|| local_name(&value).to_string())
        };
        match cell(&row, 3).as_str() {
            "data" => s.data.push(label()),
            "recipient" => s.recipients.push(label()),
            "purpose" => s.purposes.push(label()),
            "evidence" => s.evidence = value,
            _ => {}
        }
    }
    let mut out: Vec<Statement> = by_practice.into_values().collect();
    for s in &mut out {
        for v in [&mut s.data, &mut s.recipients, &mut s.purposes] {
            v.sort();
            v.dedup();
        }
    }
    Ok(out)
}

/// The version in effect on `day`: the latest dated on or before it, else the earliest.
fn in_effect<'a>(versions: &'a [VersionRef], day: &str) -> Option<&'a VersionRef> {
    versions
        .iter()
        .rfind(|v| v.date.as_deref().is_some_and(|d| d <= day))
        .or_else(|| versions.first())
}

/// The diffs of an organisation's policy: between the versions in effect on `from` and on
/// `to` (the latest when not given) when either is given, else between each consecutive
/// pair of versions.
pub fn diff(
    store: &Store,
    org: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<VersionDiff>, DiffError> {
    let iri = organisation(store, org)?;
    let versions = versions(store, &iri)?;
    let labels = labels(store)?;
    let hierarchy = hierarchy(store, &labels)?;
    let pairs: Vec<(&VersionRef, &VersionRef)> = if from.is_some() || to.is_some() {
        let old = from
            .and_then(|d| in_effect(&versions, d))
            .or_else(|| versions.first());
        let new = to
            .and_then(|d| in_effect(&versions, d))
            .or_else(|| versions.last());
        match (old, new) {
            (Some(a), Some(b)) => vec![(a, b)],
            _ => Vec::new(),
        }
    } else {
        versions.windows(2).map(|w| (&w[0], &w[1])).collect()
    };
    let mut cache: HashMap<&str, Vec<Statement>> = HashMap::new();
    let mut out = Vec::new();
    let none = Vec::new();
    for (a, b) in pairs {
        for v in [a, b] {
            if !cache.contains_key(v.policy.as_str()) {
                cache.insert(&v.policy, statements_with(store, &v.policy, &labels)?);
            }
        }
        // A removed policy states nothing.
        let said = |v: &VersionRef| {
            if v.removed {
                &none
            } else {
                &cache[v.policy.as_str()]
            }
        };
        let (changes, unchanged) = compare_with(said(a), said(b), &hierarchy);
        out.push(VersionDiff {
            organisation: iri.clone(),
            from: a.clone(),
            to: b.clone(),
            unchanged,
            changes,
        });
    }
    Ok(out)
}

/// The diffs as an aligned, readable listing.
pub fn write_table(diffs: &[VersionDiff], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    if diffs.is_empty() {
        writeln!(out, "(only one version: nothing to compare)")?;
    }
    for d in diffs {
        // Two versions of one day are told apart by their commit times.
        let same_day = d.from.date == d.to.date && !d.to.removed;
        let date = |v: &VersionRef| match (&v.committed, same_day) {
            (Some(t), true) => format!("{} (committed {t})", v.shown_date()),
            _ => v.shown_date(),
        };
        writeln!(
            out,
            "{}  {} -> {}  ({} added, {} removed, {} changed, {} unchanged)",
            local_name(&d.organisation),
            date(&d.from),
            date(&d.to),
            d.changes
                .iter()
                .filter(|c| matches!(c, Change::Added { .. }))
                .count(),
            d.changes
                .iter()
                .filter(|c| matches!(c, Change::Removed { .. }))
                .count(),
            d.changes
                .iter()
                .filter(|c| matches!(c, Change::Changed { .. }))
                .count(),
            d.unchanged
        )?;
        let shown = |v: &VersionRef| {
            if v.removed {
                format!("(policy file deleted) {}", v.policy)
            } else {
                v.policy.clone()
            }
        };
        writeln!(out, "  from {}\n  to   {}", shown(&d.from), shown(&d.to))?;
        for c in &d.changes {
            match c {
                Change::Added { new } => {
                    writeln!(out, "  + added    {}", describe(new))?;
                    writeln!(out, "             new: {}", quote(&new.evidence))?;
                }
                Change::Removed { old } => {
                    writeln!(out, "  - removed  {}", describe(old))?;
                    writeln!(out, "             old: {}", quote(&old.evidence))?;
                }
                Change::Changed { fields, old, new } => {
                    writeln!(
                        out,
                        "  ~ changed  {}  [{}]",
                        describe(old),
                        fields.join(", ")
                    )?;
                    writeln!(out, "          to {}", describe(new))?;
                    writeln!(out, "             old: {}", quote(&old.evidence))?;
                    writeln!(out, "             new: {}", quote(&new.evidence))?;
                }
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

/// `NOT sell | data: email address | recipients: third parties | purposes: marketing`
pub fn describe(s: &Statement) -> String {
    let mut out = format!("{}{}", if s.negated { "NOT " } else { "" }, s.kind);
    for (name, values) in [
        ("data", &s.data),
        ("recipients", &s.recipients),
        ("purposes", &s.purposes),
    ] {
        if !values.is_empty() {
            out.push_str(&format!(" | {name}: {}", values.join(", ")));
        }
    }
    out
}

fn quote(sentence: &str) -> String {
    if sentence.is_empty() {
        "(no evidence sentence)".to_string()
    } else {
        format!(
            "\"{}\"",
            sentence.split_whitespace().collect::<Vec<_>>().join(" ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(kind: &str, negated: bool, data: &[&str], recipients: &[&str], ev: &str) -> Statement {
        Statement {
            kind: kind.into(),
            negated,
            data: data.iter().map(|s| s.to_string()).collect(),
            recipients: recipients.iter().map(|s| s.to_string()).collect(),
            purposes: Vec::new(),
            evidence: ev.into(),
        }
    }

    #[test]
    fn rewording_is_no_change_and_a_flipped_polarity_is_one() {
        let old = [
            st(
                "collect",
                false,
                &["email address"],
                &[],
                "We collect your email address.",
            ),
            st("sell", true, &[], &[], "We do not sell your data."),
            st(
                "share",
                false,
                &["location"],
                &["advertisers"],
                "We share location with advertisers.",
            ),
        ];
        let new = [
            st(
                "collect",
                false,
                &["email address"],
                &[],
                "Your email address is collected by us.",
            ),
            st("sell", false, &[], &[], "We may sell your data."),
            st("retain", false, &[], &[], "We keep data for a year."),
        ];
        let (changes, unchanged) = compare(&old, &new);
        assert_eq!(unchanged, 1);
        assert_eq!(changes.len(), 3, "{changes:?}");
        assert!(changes.contains(&Change::Added {
            new: new[2].clone()
        }));
        assert!(changes.contains(&Change::Removed {
            old: old[2].clone()
        }));
        assert!(changes.contains(&Change::Changed {
            fields: vec!["polarity"],
            old: old[1].clone(),
            new: new[1].clone(),
        }));
    }

    #[test]
    fn more_data_under_the_same_practice_is_a_change_of_data() {
        let old = [st("share", false, &["name"], &["third parties"], "a")];
        let new = [st(
            "share",
            false,
            &["location", "name"],
            &["third parties"],
            "b",
        )];
        let (changes, _) = compare(&old, &new);
        assert_eq!(
            changes,
            vec![Change::Changed {
                fields: vec!["data"],
                old: old[0].clone(),
                new: new[0].clone()
            }]
        );
    }

    #[test]
    fn a_narrower_data_type_is_a_change_not_a_removal_and_an_addition() {
        let h = Hierarchy::new([
            (
                "email address".to_string(),
                "contact information".to_string(),
            ),
            (
                "contact information".to_string(),
                "personal identifier".to_string(),
            ),
            ("precise location".to_string(), "location".to_string()),
        ]);
        assert!(h.is_narrower("email address", "personal identifier"));
        assert!(!h.is_narrower("personal identifier", "email address"));
        let old = [st("collect", false, &["contact information"], &[], "a")];
        let new = [st("collect", false, &["email address"], &[], "b")];
        let (changes, unchanged) = compare_with(&old, &new, &h);
        assert_eq!(unchanged, 0);
        assert_eq!(
            changes,
            vec![Change::Changed {
                fields: vec!["data (narrower)"],
                old: old[0].clone(),
                new: new[0].clone()
            }]
        );
        // The reverse is broader.
        let (changes, _) = compare_with(&new, &old, &h);
        assert!(
            matches!(&changes[..], [Change::Changed { fields, .. }] if fields == &["data (broader)"])
        );
        // Unrelated types stay a removal and an addition; without the hierarchy, so does this.
        let other = [st("collect", false, &["location"], &[], "c")];
        assert_eq!(compare_with(&old, &other, &h).0.len(), 2);
        assert_eq!(compare(&old, &new).0.len(), 2);
        // A narrower type with a flipped polarity is not the same statement made narrower.
        let denied = [st("collect", true, &["email address"], &[], "d")];
        assert_eq!(compare_with(&old, &denied, &h).0.len(), 2);
    }

    #[test]
    fn the_version_in_effect_is_the_latest_before_the_day() {
        let v = |d: &str| VersionRef {
            policy: d.into(),
            date: Some(d.into()),
            committed: None,
            removed: false,
        };
        let versions = [v("2017-01-01"), v("2018-06-01"), v("2019-01-01")];
        assert_eq!(
            in_effect(&versions, "2018-12-31").unwrap().policy,
            "2018-06-01"
        );
        assert_eq!(
            in_effect(&versions, "2010-01-01").unwrap().policy,
            "2017-01-01"
        );
    }
}
