//! Extractions as RDF: deterministic IRIs for organisations, policy versions, practices and
//! evidence; one named graph per policy version; Web Annotation selectors tying every
//! practice to its sentence; and the JSONL record that external scorers read.

mod record;

use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use sha2::{Digest, Sha256};

use crate::corpus::Document;
use crate::extract::{Actor, Extraction, Modality, Practice};
use crate::text::{CodePoints, Segmented};
use crate::vocab::{ns, Vocabulary};

pub use record::{MentionRecord, PracticeRecord, Record};

/// The default base IRI of the data.
pub const DEFAULT_BASE: &str = "https://w3id.org/privacy-kg/id/";

/// Where the data's IRIs live.
#[derive(Debug, Clone)]
pub struct GraphOptions {
    /// Base IRI, ending in `/` or `#`.
    pub base: String,
}

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions {
            base: DEFAULT_BASE.to_string(),
        }
    }
}

/// Why a graph could not be made.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error("invalid IRI {iri}: {message}")]
    Iri { iri: String, message: String },
}

/// The identity of a policy version and its organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyIds {
    pub organisation: String,
    pub organisation_name: String,
    pub policy: String,
}

impl PolicyIds {
    pub fn new(doc: &Document, base: &str) -> PolicyIds {
        let name = doc
            .meta
            .organization
            .clone()
            .or_else(|| doc.meta.domain.clone())
            .unwrap_or_else(|| fallback_name(&doc.id));
        let org_key = doc.meta.domain.clone().unwrap_or_else(|| slug(&name));
        let version = doc
            .meta
            .archived
            .clone()
            .unwrap_or_else(|| doc.sha256[..12].to_string());
        PolicyIds {
            organisation: format!("{base}org/{org_key}"),
            organisation_name: name,
            policy: format!("{base}policy/{org_key}/{version}"),
        }
    }
}

/// A name for a document that names nobody: its file stem.
fn fallback_name(id: &str) -> String {
    let stem = std::path::Path::new(id)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(id);
    format!("unknown {stem}")
}

/// Lowercase ASCII letters, digits, dots and hyphens; everything else folded to one hyphen.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches(['-', '.']).to_string();
    if out.is_empty() {
        "unnamed".to_string()
    } else {
        out.chars().take(80).collect()
    }
}

/// The IRI of a practice: a hash over what makes it this practice.
pub fn practice_iri(policy: &str, p: &Practice, vocab: &Vocabulary, cp: &CodePoints) -> String {
    let mut h = Sha256::new();
    h.update(p.kind.as_str());
    // Modality too: one sentence can state the same practice as fact and as possibility
    // ("we do ... we may ..."), and those are two practices, not one node with two modalities.
    h.update([
        p.negated as u8,
        (p.actor == Actor::ThirdParty) as u8,
        p.modality as u8,
    ]);
    h.update(format!("{}-{}", cp.at(p.evidence.0), cp.at(p.evidence.1)));
    let mut concepts: Vec<&str> = p
        .data
        .iter()
        .chain(&p.recipients)
        .chain(&p.purposes)
        .chain(&p.condition)
        .map(|m| vocab.concept(m.concept).iri.as_str())
        .collect();
    concepts.sort_unstable();
    concepts.dedup();
    for c in concepts {
        h.update(c);
        h.update([0]);
    }
    if let Some(age) = p.minimum_age {
        h.update(age.to_le_bytes());
    }
    format!(
        "{policy}/practice/{}",
        &crate::corpus::hex(&h.finalize())[..16]
    )
}

/// How many characters of context a text-quote selector keeps on each side of the quote:
/// enough to tell apart a sentence a policy repeats, few enough to keep the graph small.
pub const QUOTE_CONTEXT_CHARS: usize = 32;

/// The text just before byte offset `start` and just after byte offset `end` (both on char
/// boundaries), at most [`QUOTE_CONTEXT_CHARS`] characters each: the `oa:prefix` and
/// `oa:suffix` of a Web Annotation text-quote selector.
pub fn quote_context(text: &str, start: usize, end: usize) -> (&str, &str) {
    let before = &text[..start];
    let from = before
        .char_indices()
        .rev()
        .nth(QUOTE_CONTEXT_CHARS - 1)
        .map(|(i, _)| i)
        .unwrap_or(0);
    let after = &text[end..];
    let to = after
        .char_indices()
        .nth(QUOTE_CONTEXT_CHARS)
        .map(|(i, _)| i)
        .unwrap_or(after.len());
    (&before[from..], &after[..to])
}

/// The IRI of the evidence node of a sentence.
pub fn evidence_iri(policy: &str, start: usize, end: usize) -> String {
    format!("{policy}/evidence/{start}-{end}")
}

fn nn(iri: &str) -> NamedNode {
    NamedNode::new_unchecked(iri)
}

fn term(ns: &str, local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{ns}{local}"))
}

/// Checks that a base IRI is usable: absolute, ending in `/` or `#`.
pub fn check_base(base: &str) -> Result<(), GraphError> {
    NamedNode::new(base).map_err(|e| GraphError::Iri {
        iri: base.to_string(),
        message: e.to_string(),
    })?;
    if !(base.ends_with('/') || base.ends_with('#')) {
        return Err(GraphError::Iri {
            iri: base.to_string(),
            message: "a base IRI must end with / or #".to_string(),
        });
    }
    Ok(())
}

/// The quads of one policy version, all in the graph named by the policy IRI.
pub fn quads(
    doc: &Document,
    seg: &Segmented,
    extraction: &Extraction,
    vocab: &Vocabulary,
    options: &GraphOptions,
) -> (PolicyIds, Vec<Quad>) {
    let ids = PolicyIds::new(doc, &options.base);
    let g = GraphName::NamedNode(nn(&ids.policy));
    let mut out = Vec::with_capacity(16 + extraction.practices.len() * 16);
    let mut add = |s: &NamedNode, p: NamedNode, o: Term| {
        out.push(Quad::new(
            NamedOrBlankNode::NamedNode(s.clone()),
            p,
            o,
            g.clone(),
        ));
    };
    let pp = |l: &str| term(ns::PP, l);
    let policy = nn(&ids.policy);
    let org = nn(&ids.organisation);

    add(&org, rdf::TYPE.into(), pp("Organisation").into());
    add(
        &org,
        rdfs::LABEL.into(),
        Literal::new_simple_literal(&ids.organisation_name).into(),
    );
    if let Some(domain) = &doc.meta.domain {
        add(
            &org,
            pp("domain"),
            Literal::new_simple_literal(domain).into(),
        );
    }
    add(&policy, rdf::TYPE.into(), pp("PrivacyPolicy").into());
    add(&policy, pp("organisation"), org.clone().into());
    if let Some(date) = &doc.meta.archived {
        add(
            &policy,
            pp("archived"),
            Literal::new_typed_literal(date, xsd::DATE).into(),
        );
    }
    if let Some(url) = &doc.meta.source_url {
        if let Ok(url) = NamedNode::new(url) {
            add(&policy, term(ns::DCT, "source"), url.into());
        }
    }
    if let Some(title) = &doc.meta.title {
        add(
            &policy,
            term(ns::DCT, "title"),
            Literal::new_simple_literal(title).into(),
        );
    }
    add(
        &policy,
        pp("sourceFile"),
        Literal::new_simple_literal(&doc.id).into(),
    );
    add(
        &policy,
        pp("sha256"),
        Literal::new_simple_literal(&doc.sha256).into(),
    );
    add(
        &policy,
        pp("extractorVersion"),
        Literal::new_simple_literal(crate::EXTRACTOR_VERSION).into(),
    );

    let cp = CodePoints::new(&seg.text);
    let mut evidence_done = std::collections::HashSet::new();
    let sale = vocab.by_iri(&format!("{}SaleOfData", ns::PURPOSE));
    for p in &extraction.practices {
        let iri = nn(&practice_iri(&ids.policy, p, vocab, &cp));
        add(&iri, rdf::TYPE.into(), pp("Practice").into());
        add(&iri, pp("statedIn"), policy.clone().into());
        add(&iri, pp("kind"), term(ns::PRACTICE, p.kind.as_str()).into());
        add(&iri, pp("negated"), Literal::from(p.negated).into());
        if p.negated {
            add(
                &iri,
                term(ns::DPV, "hasRule"),
                term(ns::DPV, "Prohibition").into(),
            );
        }
        add(
            &iri,
            pp("actor"),
            pp(match p.actor {
                Actor::FirstParty => "FirstParty",
                Actor::ThirdParty => "ThirdParty",
            })
            .into(),
        );
        add(
            &iri,
            pp("modality"),
            pp(match p.modality {
                Modality::May => "May",
                Modality::Will => "Will",
                Modality::Does => "Does",
            })
            .into(),
        );
        add(&iri, term(ns::DPV, "hasDataController"), org.clone().into());
        if let Some(kind) = vocab.practice_kind(p.kind.as_str()) {
            if let Some(processing) = vocab
                .concept(kind)
                .dpv
                .iter()
                .find(|d| d.starts_with(ns::DPV))
            {
                add(&iri, term(ns::DPV, "hasProcessing"), nn(processing).into());
            }
        }
        let mut seen = std::collections::HashSet::new();
        for m in &p.data {
            if seen.insert(m.concept) {
                add(
                    &iri,
                    term(ns::DPV, "hasPersonalData"),
                    nn(&vocab.concept(m.concept).iri).into(),
                );
            }
        }
        for m in &p.purposes {
            if seen.insert(m.concept) {
                add(
                    &iri,
                    term(ns::DPV, "hasPurpose"),
                    nn(&vocab.concept(m.concept).iri).into(),
                );
            }
        }
        if p.kind == crate::extract::PracticeKind::Sell {
            if let Some(sale) = sale {
                if seen.insert(sale) {
                    add(
                        &iri,
                        term(ns::DPV, "hasPurpose"),
                        nn(&vocab.concept(sale).iri).into(),
                    );
                }
            }
        }
        for m in &p.recipients {
            if seen.insert(m.concept) {
                add(
                    &iri,
                    term(ns::DPV, "hasRecipient"),
                    nn(&vocab.concept(m.concept).iri).into(),
                );
            }
        }
        if let Some(c) = &p.condition {
            add(
                &iri,
                pp("condition"),
                nn(&vocab.concept(c.concept).iri).into(),
            );
            add(
                &iri,
                pp("conditionText"),
                Literal::new_simple_literal(&seg.text[c.start..c.end]).into(),
            );
        }
        if let Some(age) = p.minimum_age {
            add(&iri, pp("minimumAge"), Literal::from(i64::from(age)).into());
        }
        let (start, end) = (cp.at(p.evidence.0), cp.at(p.evidence.1));
        let ev = nn(&evidence_iri(&ids.policy, start, end));
        add(&iri, term(ns::PROV, "wasDerivedFrom"), ev.clone().into());
        if evidence_done.insert((start, end)) {
            let quote = nn(&format!("{}/quote", ev.as_str()));
            let position = nn(&format!("{}/position", ev.as_str()));
            add(&ev, rdf::TYPE.into(), pp("Evidence").into());
            add(
                &ev,
                rdf::TYPE.into(),
                term(ns::OA, "SpecificResource").into(),
            );
            add(&ev, term(ns::OA, "hasSource"), policy.clone().into());
            add(&ev, term(ns::OA, "hasSelector"), quote.clone().into());
            add(&ev, term(ns::OA, "hasSelector"), position.clone().into());
            add(
                &quote,
                rdf::TYPE.into(),
                term(ns::OA, "TextQuoteSelector").into(),
            );
            add(
                &quote,
                term(ns::OA, "exact"),
                Literal::new_simple_literal(&seg.text[p.evidence.0..p.evidence.1]).into(),
            );
            let (before, after) = quote_context(&seg.text, p.evidence.0, p.evidence.1);
            if !before.is_empty() {
                add(
                    &quote,
                    term(ns::OA, "prefix"),
                    Literal::new_simple_literal(before).into(),
                );
            }
            if !after.is_empty() {
                add(
                    &quote,
                    term(ns::OA, "suffix"),
                    Literal::new_simple_literal(after).into(),
                );
            }
            add(
                &position,
                rdf::TYPE.into(),
                term(ns::OA, "TextPositionSelector").into(),
            );
            add(
                &position,
                term(ns::OA, "start"),
                Literal::from(start as i64).into(),
            );
            add(
                &position,
                term(ns::OA, "end"),
                Literal::from(end as i64).into(),
            );
        }
    }
    (ids, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_iri_safe() {
        assert_eq!(slug("imgwg Communications"), "imgwg-communications");
        assert_eq!(slug("  "), "unnamed");
        assert_eq!(slug("AT&T Inc."), "at-t-inc");
    }

    #[test]
    fn quote_context_is_the_text_around_the_quote_in_characters() {
        let text = "ééé We sell nothing. After this comes more text than thirty-two characters.";
        let start = text.find("We").unwrap();
        let end = text.find(" After").unwrap();
        let (before, after) = quote_context(text, start, end);
        assert_eq!(before, "ééé ");
        assert_eq!(after.chars().count(), QUOTE_CONTEXT_CHARS);
        assert!(after.starts_with(" After this"));
        let long = "x".repeat(40) + "Q";
        let (before, after) = quote_context(&long, 40, 41);
        assert_eq!(before, "x".repeat(QUOTE_CONTEXT_CHARS));
        assert_eq!(after, "");
    }

    #[test]
    fn base_must_end_in_a_separator() {
        assert!(check_base("https://example.org/kg/").is_ok());
        assert!(check_base("https://example.org/kg").is_err());
        assert!(check_base("not an iri/").is_err());
    }
}
