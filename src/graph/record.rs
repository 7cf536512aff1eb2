//! The JSONL extraction record: one line per document, a contract that external scorers
//! read. Offsets are Unicode code points into the normalised text, end exclusive.

use serde::Serialize;

use super::{practice_iri, PolicyIds};
use crate::corpus::Document;
use crate::extract::{Extraction, Mention};
use crate::text::{CodePoints, Segmented};
use crate::vocab::Vocabulary;

#[derive(Debug, Serialize)]
pub struct Record {
    pub id: String,
    pub source: String,
    pub iri: String,
    pub organization: OrganisationRecord,
    pub archived: Option<String>,
    pub source_url: Option<String>,
    pub sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    pub practices: Vec<PracticeRecord>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct OrganisationRecord {
    pub name: String,
    pub domain: Option<String>,
    pub iri: String,
}

#[derive(Debug, Serialize)]
pub struct PracticeRecord {
    pub iri: String,
    pub kind: &'static str,
    pub negated: bool,
    pub actor: &'static str,
    pub modality: &'static str,
    pub evidence: SpanRecord,
    pub data: Vec<MentionRecord>,
    pub recipients: Vec<MentionRecord>,
    pub purposes: Vec<MentionRecord>,
    pub condition: Option<MentionRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_age: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct SpanRecord {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct MentionRecord {
    pub concept: String,
    pub label: String,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

impl Record {
    pub fn new(
        doc: &Document,
        seg: &Segmented,
        extraction: &Extraction,
        vocab: &Vocabulary,
        base: &str,
        with_text: bool,
    ) -> Record {
        let ids = PolicyIds::new(doc, base);
        let cp = CodePoints::new(&seg.text);
        let mention = |m: &Mention| {
            let c = vocab.concept(m.concept);
            MentionRecord {
                concept: c.iri.clone(),
                label: c.pref_label.clone(),
                start: cp.at(m.start),
                end: cp.at(m.end),
                text: seg.text[m.start..m.end].to_string(),
            }
        };
        let practices = extraction
            .practices
            .iter()
            .map(|p| PracticeRecord {
                iri: practice_iri(&ids.policy, p, vocab, &cp),
                kind: p.kind.as_str(),
                negated: p.negated,
                actor: p.actor.as_str(),
                modality: p.modality.as_str(),
                evidence: SpanRecord {
                    start: cp.at(p.evidence.0),
                    end: cp.at(p.evidence.1),
                    text: seg.text[p.evidence.0..p.evidence.1].to_string(),
                },
                data: p.data.iter().map(mention).collect(),
                recipients: p.recipients.iter().map(mention).collect(),
                purposes: p.purposes.iter().map(mention).collect(),
                condition: p.condition.as_ref().map(mention),
                minimum_age: p.minimum_age,
            })
            .collect();
        let mut warnings = doc.warnings.clone();
        warnings.extend(extraction.warnings.iter().cloned());
        Record {
            id: doc.id.clone(),
            source: doc.source.clone(),
            iri: ids.policy.clone(),
            organization: OrganisationRecord {
                name: ids.organisation_name.clone(),
                domain: doc.meta.domain.clone(),
                iri: ids.organisation.clone(),
            },
            archived: doc.meta.archived.clone(),
            source_url: doc.meta.source_url.clone(),
            sha256: doc.sha256.clone(),
            text: with_text.then(|| seg.text.clone()),
            practices,
            warnings,
        }
    }
}
