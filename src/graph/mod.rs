//! Extractions as RDF: deterministic IRIs for organisations, policy versions, practices and
//! evidence; one named graph per policy version; Web Annotation selectors tying every
//! practice to its sentence; and the JSONL record that external scorers read.

mod record;

use oxigraph::model::vocab::xsd;
use oxigraph::model::{
    GraphName, LiteralRef, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, TermRef,
};
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

/// The graph holding the VoID/DCAT description of the store (`publish` writes it).
pub fn description_graph(base: &str) -> String {
    format!("{base}void")
}

/// The graphs that describe the data rather than hold it, the ontology and the dataset
/// description: the description's entities per class leave them out.
pub fn meta_graphs(base: &str) -> Vec<String> {
    vec![ns::ONTOLOGY_GRAPH.to_string(), description_graph(base)]
}

/// The IRI of another distinct version of a policy whose plain IRI (`policy/{org}/{day}`)
/// is taken by a different text of the same organisation and day:
/// `policy/{org}/{day}-{first 12 hex digits of its SHA-256}`, and `-2`, `-3`, ... after
/// that in the unlikely case that one is taken too (`attempt` counts from 0). The first
/// version of a day keeps the plain IRI, so stores made before this scheme stay valid, and
/// the suffix depends only on the text, not on the order of loading.
pub fn other_version_iri(policy: &str, sha256: &str, attempt: usize) -> String {
    let digest = &sha256[..sha256.len().min(12)];
    match attempt {
        0 => format!("{policy}-{digest}"),
        n => format!("{policy}-{digest}-{}", n + 1),
    }
}

/// Moves quads made for the policy version `from` to the version `to`: its graph, its node
/// and the nodes minted under it (`{from}/practice/...`, `{from}/evidence/...`).
pub fn rename_policy(quads: &mut [Quad], from: &str, to: &str) {
    let moved = |iri: &str| -> Option<NamedNode> {
        let rest = iri.strip_prefix(from)?;
        (rest.is_empty() || rest.starts_with('/'))
            .then(|| NamedNode::new_unchecked(format!("{to}{rest}")))
    };
    for q in quads {
        if let NamedOrBlankNode::NamedNode(n) = &q.subject {
            if let Some(m) = moved(n.as_str()) {
                q.subject = m.into();
            }
        }
        if let oxigraph::model::Term::NamedNode(n) = &q.object {
            if let Some(m) = moved(n.as_str()) {
                q.object = m.into();
            }
        }
        if let GraphName::NamedNode(n) = &q.graph_name {
            if let Some(m) = moved(n.as_str()) {
                q.graph_name = m.into();
            }
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
    // "start-end" written into a buffer on the stack (this runs for every practice).
    use std::io::Write as _;
    let mut span = [0u8; 48];
    let mut w = &mut span[..];
    let _ = write!(w, "{}-{}", cp.at(p.evidence.0), cp.at(p.evidence.1));
    let written = 48 - w.len();
    h.update(&span[..written]);
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
    // The first 16 hex digits of the digest are those of its first 8 bytes.
    let digits = crate::corpus::hex(&h.finalize()[..8]);
    let mut iri = String::with_capacity(policy.len() + "/practice/".len() + digits.len());
    iri.push_str(policy);
    iri.push_str("/practice/");
    iri.push_str(&digits);
    iri
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
    let mut iri = String::new();
    push_evidence_iri(&mut iri, policy, start, end);
    iri
}

/// Appends [`evidence_iri`] to `out`.
fn push_evidence_iri(out: &mut String, policy: &str, start: usize, end: usize) {
    out.push_str(policy);
    out.push_str("/evidence/");
    let mut digits = itoa::Buffer::new();
    out.push_str(digits.format(start));
    out.push('-');
    out.push_str(digits.format(end));
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

/// Where the statements of one policy go, as borrowed terms: [`quads`] collects them as
/// Oxigraph quads for the bulk loader, [`write_nquads`] writes N-Quads text straight from
/// them, with no quad, node or string allocated per statement.
trait Sink {
    /// One statement `s p o` in the policy's graph; `s` and `p` are IRIs.
    fn add(&mut self, s: &str, p: &str, o: TermRef<'_>);
}

/// Collects quads in the policy's graph.
struct QuadSink {
    graph: GraphName,
    quads: Vec<Quad>,
}

impl Sink for QuadSink {
    fn add(&mut self, s: &str, p: &str, o: TermRef<'_>) {
        self.quads.push(Quad::new(
            NamedOrBlankNode::NamedNode(NamedNode::new_unchecked(s)),
            NamedNode::new_unchecked(p),
            o.into_owned(),
            self.graph.clone(),
        ));
    }
}

/// Appends N-Quads lines, byte for byte what Oxigraph's N-Quads serialiser writes for the
/// same quads.
struct NQuadsSink<'a> {
    out: &'a mut Vec<u8>,
    /// ` <graph> .\n`, the end of every line.
    tail: Vec<u8>,
}

impl NQuadsSink<'_> {
    fn iri(&mut self, iri: &str) {
        self.out.push(b'<');
        self.out.extend_from_slice(iri.as_bytes());
        self.out.push(b'>');
    }
}

impl Sink for NQuadsSink<'_> {
    fn add(&mut self, s: &str, p: &str, o: TermRef<'_>) {
        self.iri(s);
        self.out.push(b' ');
        self.iri(p);
        self.out.push(b' ');
        match o {
            TermRef::NamedNode(n) => self.iri(n.as_str()),
            TermRef::Literal(l) => {
                write_quoted(self.out, l.value());
                if let Some(language) = l.language() {
                    self.out.push(b'@');
                    self.out.extend_from_slice(language.as_bytes());
                } else if l.datatype() != xsd::STRING {
                    self.out.extend_from_slice(b"^^");
                    self.iri(l.datatype().as_str());
                }
            }
            other => {
                use std::io::Write;
                let _ = write!(self.out, "{other}");
            }
        }
        self.out.extend_from_slice(&self.tail);
    }
}

/// A literal's value as N-Triples writes it, exactly as Oxigraph's serialiser does
/// (`oxrdf::print_quoted_str`), but copying the runs that need no escape in one go: through
/// `fmt`, character by character, literal escaping was the costliest part of `extract
/// --format nq`'s serialisation.
fn write_quoted(out: &mut Vec<u8>, value: &str) {
    out.push(b'"');
    let bytes = value.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time past those that can need no escape (profiled: the byte
        // loop was most of the writer's own time; quotes are whole sentences).
        if let Some(chunk) = bytes.get(i..i + 8) {
            if !may_need_escape(u64::from_le_bytes(chunk.try_into().expect("8 bytes"))) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        let escape: Option<&[u8]> = match b {
            0x08 => Some(b"\\b"),
            b'\t' => Some(b"\\t"),
            b'\n' => Some(b"\\n"),
            0x0C => Some(b"\\f"),
            b'\r' => Some(b"\\r"),
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            0x00..=0x1F | 0x7F => Some(b""),
            // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are escaped too
            0xEF if bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) =>
            {
                Some(b"")
            }
            _ => None,
        };
        let Some(escape) = escape else {
            i += 1;
            continue;
        };
        out.extend_from_slice(&bytes[copied..i]);
        let c = value[i..].chars().next().expect("at a character boundary");
        if escape.is_empty() {
            use std::io::Write;
            let _ = write!(out, "\\u{:04X}", u32::from(c));
        } else {
            out.extend_from_slice(escape);
        }
        i += c.len_utf8();
        copied = i;
    }
    out.extend_from_slice(&bytes[copied..]);
    out.push(b'"');
}

/// Whether any of the eight bytes packed in `x` is one [`write_quoted`] must look at: a
/// control byte (below 0x20, or 0x7F), `"`, `\`, or 0xEF (the lead byte of U+FFFE and
/// U+FFFF). True exactly when one is: `(x - n·0x01..) & !x & 0x80..` is non-zero exactly
/// when some byte is below `n` (n ≤ 0x80; a borrow only marks bytes above one that is),
/// and `b ^ c` is zero exactly when `b == c`.
#[inline]
fn may_need_escape(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u64| x.wrapping_sub(n * ONES) & !x & HIGHS;
    let equal = |c: u8| below(x ^ (u64::from(c) * ONES), 1);
    (below(x, 0x20) | equal(b'"') | equal(b'\\') | equal(0x7F) | equal(0xEF)) != 0
}

/// Full IRIs of the terms written for every policy, spelled out once.
pub(crate) mod iri {
    pub const TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
    pub const LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
    pub const ORGANISATION_CLASS: &str = "https://w3id.org/privacy-kg/ns#Organisation";
    pub const POLICY_CLASS: &str = "https://w3id.org/privacy-kg/ns#PrivacyPolicy";
    pub const EVIDENCE_CLASS: &str = "https://w3id.org/privacy-kg/ns#Evidence";
    pub const PRACTICE_CLASS: &str = "https://w3id.org/privacy-kg/ns#Practice";
    pub const HAS_RULE: &str = "https://w3id.org/dpv#hasRule";
    pub const PROHIBITION: &str = "https://w3id.org/dpv#Prohibition";
    pub const DOMAIN: &str = "https://w3id.org/privacy-kg/ns#domain";
    pub const ORGANISATION: &str = "https://w3id.org/privacy-kg/ns#organisation";
    pub const ARCHIVED: &str = "https://w3id.org/privacy-kg/ns#archived";
    pub const SOURCE_FILE: &str = "https://w3id.org/privacy-kg/ns#sourceFile";
    pub const SHA256: &str = "https://w3id.org/privacy-kg/ns#sha256";
    pub const EXTRACTOR_VERSION: &str = "https://w3id.org/privacy-kg/ns#extractorVersion";
    pub const STATED_IN: &str = "https://w3id.org/privacy-kg/ns#statedIn";
    pub const KIND: &str = "https://w3id.org/privacy-kg/ns#kind";
    pub const NEGATED: &str = "https://w3id.org/privacy-kg/ns#negated";
    pub const ACTOR: &str = "https://w3id.org/privacy-kg/ns#actor";
    pub const THIRD_PARTY: &str = "https://w3id.org/privacy-kg/ns#ThirdParty";
    pub const MODALITY: &str = "https://w3id.org/privacy-kg/ns#modality";
    pub const MAY: &str = "https://w3id.org/privacy-kg/ns#May";
    pub const WILL: &str = "https://w3id.org/privacy-kg/ns#Will";
    pub const DOES: &str = "https://w3id.org/privacy-kg/ns#Does";
    pub const CONDITION: &str = "https://w3id.org/privacy-kg/ns#condition";
    pub const CONDITION_TEXT: &str = "https://w3id.org/privacy-kg/ns#conditionText";
    pub const MINIMUM_AGE: &str = "https://w3id.org/privacy-kg/ns#minimumAge";
    pub const PERSONAL_DATA: &str = "https://w3id.org/dpv#hasPersonalData";
    pub const PURPOSE: &str = "https://w3id.org/dpv#hasPurpose";
    pub const RECIPIENT: &str = "https://w3id.org/dpv#hasRecipient";
    pub const SOURCE: &str = "http://purl.org/dc/terms/source";
    pub const TITLE: &str = "http://purl.org/dc/terms/title";
    pub const DERIVED_FROM: &str = "http://www.w3.org/ns/prov#wasDerivedFrom";
    pub const SPECIFIC_RESOURCE: &str = "http://www.w3.org/ns/oa#SpecificResource";
    pub const HAS_SOURCE: &str = "http://www.w3.org/ns/oa#hasSource";
    pub const HAS_SELECTOR: &str = "http://www.w3.org/ns/oa#hasSelector";
    pub const QUOTE_SELECTOR: &str = "http://www.w3.org/ns/oa#TextQuoteSelector";
    pub const EXACT: &str = "http://www.w3.org/ns/oa#exact";
    pub const PREFIX: &str = "http://www.w3.org/ns/oa#prefix";
    pub const SUFFIX: &str = "http://www.w3.org/ns/oa#suffix";
    pub const POSITION_SELECTOR: &str = "http://www.w3.org/ns/oa#TextPositionSelector";
    pub const START: &str = "http://www.w3.org/ns/oa#start";
    pub const END: &str = "http://www.w3.org/ns/oa#end";
}

fn node(iri: &str) -> TermRef<'_> {
    TermRef::NamedNode(NamedNodeRef::new_unchecked(iri))
}

fn plain(value: &str) -> TermRef<'_> {
    TermRef::Literal(LiteralRef::new_simple_literal(value))
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
    let mut sink = QuadSink {
        graph: GraphName::NamedNode(NamedNode::new_unchecked(&ids.policy)),
        quads: Vec::with_capacity(16 + extraction.practices.len() * 14),
    };
    emit(&ids, doc, seg, extraction, vocab, &mut sink);
    (ids, sink.quads)
}

/// Appends the quads of one policy version to `out` as N-Quads, exactly as [`quads`] then
/// Oxigraph's N-Quads serialiser would, without building the quads. Returns the policy's
/// identity and the number of quads written.
pub fn write_nquads(
    doc: &Document,
    seg: &Segmented,
    extraction: &Extraction,
    vocab: &Vocabulary,
    options: &GraphOptions,
    out: &mut Vec<u8>,
) -> (PolicyIds, usize) {
    let ids = PolicyIds::new(doc, &options.base);
    // Room for the whole document at once (about 5 KB of N-Quads per practice on the
    // ToS;DR corpus), rather than growing by doubling and copying what was written.
    out.reserve(4096 + extraction.practices.len() * 6 * 1024);
    let tail = format!(" <{}> .\n", ids.policy).into_bytes();
    let mut counter = Counting {
        inner: NQuadsSink { out, tail },
        n: 0,
    };
    emit(&ids, doc, seg, extraction, vocab, &mut counter);
    let n = counter.n;
    (ids, n)
}

/// A sink that counts what passes through it.
struct Counting<S> {
    inner: S,
    n: usize,
}

impl<S: Sink> Sink for Counting<S> {
    fn add(&mut self, s: &str, p: &str, o: TermRef<'_>) {
        self.n += 1;
        self.inner.add(s, p, o);
    }
}

/// The statements of one policy version. Facts that follow from others are left out: a
/// practice's class (the domain of `pp:kind`), its data controller (the policy's
/// organisation), its DPV processing (the kind's `skos:exactMatch`), `dpv:hasRule
/// dpv:Prohibition` (`pp:negated true`) and a first-party actor (the default); see
/// docs/graph.md for the query that derives them.
fn emit(
    ids: &PolicyIds,
    doc: &Document,
    seg: &Segmented,
    extraction: &Extraction,
    vocab: &Vocabulary,
    sink: &mut impl Sink,
) {
    let policy = ids.policy.as_str();
    let org = ids.organisation.as_str();

    sink.add(org, iri::TYPE, node(iri::ORGANISATION_CLASS));
    sink.add(org, iri::LABEL, plain(&ids.organisation_name));
    if let Some(domain) = &doc.meta.domain {
        sink.add(org, iri::DOMAIN, plain(domain));
    }
    sink.add(policy, iri::TYPE, node(iri::POLICY_CLASS));
    sink.add(policy, iri::ORGANISATION, node(org));
    if let Some(date) = &doc.meta.archived {
        sink.add(
            policy,
            iri::ARCHIVED,
            TermRef::Literal(LiteralRef::new_typed_literal(date, xsd::DATE)),
        );
    }
    if let Some(url) = &doc.meta.source_url {
        if let Ok(url) = NamedNodeRef::new(url) {
            sink.add(policy, iri::SOURCE, TermRef::NamedNode(url));
        }
    }
    if let Some(title) = &doc.meta.title {
        sink.add(policy, iri::TITLE, plain(title));
    }
    sink.add(policy, iri::SOURCE_FILE, plain(&doc.id));
    sink.add(policy, iri::SHA256, plain(&doc.sha256));
    sink.add(
        policy,
        iri::EXTRACTOR_VERSION,
        plain(crate::EXTRACTOR_VERSION),
    );

    let cp = CodePoints::new(&seg.text);
    // Only ever asked whether a span is new: its order never reaches the output.
    let mut evidence_done = rustc_hash::FxHashSet::default();
    let sale = vocab.by_name(ns::PURPOSE, "SaleOfData");
    let mut kind_iri = String::new();
    let (mut ev, mut quote, mut position) = (String::new(), String::new(), String::new());
    let mut seen = Vec::new();
    // Two practices with one IRI say the same (the IRI hashes all the graph says of them,
    // the condition's wording aside): the graph gets the first, so that a document's
    // statements are distinct and a build can count what it adds by counting what it feeds.
    let mut practices_done = rustc_hash::FxHashSet::default();
    for p in &extraction.practices {
        let practice = practice_iri(policy, p, vocab, &cp);
        if !practices_done.insert(practice.clone()) {
            continue;
        }
        let practice = practice.as_str();
        // Typed although pp:kind implies it: SHACL targets and linked-data browsers go by
        // rdf:type, and they read the graph without an RDFS reasoner.
        sink.add(practice, iri::TYPE, node(iri::PRACTICE_CLASS));
        sink.add(practice, iri::STATED_IN, node(policy));
        kind_iri.clear();
        kind_iri.push_str(ns::PRACTICE);
        kind_iri.push_str(p.kind.as_str());
        sink.add(practice, iri::KIND, node(&kind_iri));
        sink.add(
            practice,
            iri::NEGATED,
            TermRef::Literal(LiteralRef::new_typed_literal(
                if p.negated { "true" } else { "false" },
                xsd::BOOLEAN,
            )),
        );
        if p.negated {
            // DPV's own way to say "not done", for DPV tools that know no pp:negated; rare
            // enough to cost nothing.
            sink.add(practice, iri::HAS_RULE, node(iri::PROHIBITION));
        }
        if p.actor == Actor::ThirdParty {
            sink.add(practice, iri::ACTOR, node(iri::THIRD_PARTY));
        }
        sink.add(
            practice,
            iri::MODALITY,
            node(match p.modality {
                Modality::May => iri::MAY,
                Modality::Will => iri::WILL,
                Modality::Does => iri::DOES,
            }),
        );
        seen.clear();
        let mut concept = |sink: &mut dyn FnMut(&str), id| {
            if !seen.contains(&id) {
                seen.push(id);
                sink(&vocab.concept(id).iri);
            }
        };
        for m in &p.data {
            concept(
                &mut |c| sink.add(practice, iri::PERSONAL_DATA, node(c)),
                m.concept,
            );
        }
        for m in &p.purposes {
            concept(
                &mut |c| sink.add(practice, iri::PURPOSE, node(c)),
                m.concept,
            );
        }
        if p.kind == crate::extract::PracticeKind::Sell {
            if let Some(sale) = sale {
                concept(&mut |c| sink.add(practice, iri::PURPOSE, node(c)), sale);
            }
        }
        for m in &p.recipients {
            concept(
                &mut |c| sink.add(practice, iri::RECIPIENT, node(c)),
                m.concept,
            );
        }
        if let Some(c) = &p.condition {
            sink.add(
                practice,
                iri::CONDITION,
                node(&vocab.concept(c.concept).iri),
            );
            sink.add(
                practice,
                iri::CONDITION_TEXT,
                plain(&seg.text[c.start..c.end]),
            );
        }
        if let Some(age) = p.minimum_age {
            sink.add(
                practice,
                iri::MINIMUM_AGE,
                TermRef::Literal(LiteralRef::new_typed_literal(
                    itoa::Buffer::new().format(age),
                    xsd::INTEGER,
                )),
            );
        }
        let (start, end) = (cp.at(p.evidence.0), cp.at(p.evidence.1));
        // evidence_iri, quote and position IRIs and the offsets written into reused
        // buffers: `format!` per practice was a visible part of the writer's own time.
        ev.clear();
        push_evidence_iri(&mut ev, policy, start, end);
        let ev = ev.as_str();
        sink.add(practice, iri::DERIVED_FROM, node(ev));
        if evidence_done.insert((start, end)) {
            quote.clear();
            quote.push_str(ev);
            quote.push_str("/quote");
            position.clear();
            position.push_str(ev);
            position.push_str("/position");
            let (quote, position) = (quote.as_str(), position.as_str());
            sink.add(ev, iri::TYPE, node(iri::EVIDENCE_CLASS));
            sink.add(ev, iri::TYPE, node(iri::SPECIFIC_RESOURCE));
            sink.add(ev, iri::HAS_SOURCE, node(policy));
            sink.add(ev, iri::HAS_SELECTOR, node(quote));
            sink.add(ev, iri::HAS_SELECTOR, node(position));
            sink.add(quote, iri::TYPE, node(iri::QUOTE_SELECTOR));
            sink.add(
                quote,
                iri::EXACT,
                plain(&seg.text[p.evidence.0..p.evidence.1]),
            );
            let (before, after) = quote_context(&seg.text, p.evidence.0, p.evidence.1);
            if !before.is_empty() {
                sink.add(quote, iri::PREFIX, plain(before));
            }
            if !after.is_empty() {
                sink.add(quote, iri::SUFFIX, plain(after));
            }
            sink.add(position, iri::TYPE, node(iri::POSITION_SELECTOR));
            let mut digits = itoa::Buffer::new();
            sink.add(
                position,
                iri::START,
                TermRef::Literal(LiteralRef::new_typed_literal(
                    digits.format(start),
                    xsd::INTEGER,
                )),
            );
            sink.add(
                position,
                iri::END,
                TermRef::Literal(LiteralRef::new_typed_literal(
                    digits.format(end),
                    xsd::INTEGER,
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both clauses state one practice (same kind, data and sentence), so both have one IRI:
    /// the graph says it once, and a document's quads are distinct (a build counts what it
    /// adds to the store by counting them).
    #[test]
    fn a_practice_stated_twice_in_a_sentence_is_written_once() {
        let vocab = Vocabulary::embedded().unwrap();
        let doc = Document {
            id: "acme.txt".into(),
            source: "acme.txt".into(),
            format: crate::corpus::Format::Text,
            text: "Acme Privacy Policy\n\nWe collect your email address, and we also collect your email address from partners.\n".into(),
            meta: Default::default(),
            sha256: "0".repeat(64),
            warnings: Vec::new(),
        };
        let p = crate::pipeline::process(doc, &vocab, &mut Default::default());
        let iris: Vec<String> = p
            .extraction
            .practices
            .iter()
            .map(|x| practice_iri("https://e.org/p", x, &vocab, &CodePoints::new(&p.seg.text)))
            .collect();
        assert!(
            iris.len() == 2 && iris[0] == iris[1],
            "the extraction should give two practices with one IRI: {iris:?}"
        );
        let (_, quads) = quads(
            &p.doc,
            &p.seg,
            &p.extraction,
            &vocab,
            &GraphOptions::default(),
        );
        let distinct: std::collections::HashSet<&Quad> = quads.iter().collect();
        assert_eq!(distinct.len(), quads.len(), "{quads:#?}");
        let typed_practices = quads
            .iter()
            .filter(|q| q.object.to_string() == format!("<{}>", iri::PRACTICE_CLASS))
            .count();
        assert_eq!(typed_practices, 1);
        let mut nq = Vec::new();
        let (_, written) = write_nquads(
            &p.doc,
            &p.seg,
            &p.extraction,
            &vocab,
            &GraphOptions::default(),
            &mut nq,
        );
        assert_eq!(written, quads.len());
    }

    #[test]
    fn literals_are_written_as_oxigraph_writes_them() {
        let values = [
            "plain",
            "quote \" and back\\slash",
            "tab\tline\nreturn\rbell\u{8}feed\u{c}nul\u{0}esc\u{1b}del\u{7f}",
            "non-characters \u{fffe}\u{ffff} and \u{fffd} ’curly’ é 😀",
            "",
        ];
        for v in values {
            for literal in [
                oxigraph::model::Literal::new_simple_literal(v),
                oxigraph::model::Literal::new_language_tagged_literal_unchecked(v, "en"),
                oxigraph::model::Literal::new_typed_literal(v, xsd::DATE),
            ] {
                let mut out = Vec::new();
                NQuadsSink {
                    out: &mut out,
                    tail: b" .\n".to_vec(),
                }
                .add("http://s", "http://p", literal.as_ref().into());
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    format!("<http://s> <http://p> {literal} .\n")
                );
            }
        }
    }

    /// The eight-byte skip of `write_quoted` never passes over a byte that needs an escape:
    /// generated strings with escapes, non-characters and multi-byte characters at every
    /// offset are written as Oxigraph writes them, and `may_need_escape` agrees with a
    /// byte-by-byte test on every single byte value at every position.
    #[test]
    fn quoted_literals_match_oxigraph_at_every_offset() {
        for b in 0..=255u8 {
            let flagged = b < 0x20 || matches!(b, b'"' | b'\\' | 0x7F | 0xEF);
            for pos in 0..8 {
                for fill in [b'a', b' ', 0x80, 0xFF, 0x21] {
                    let mut word = [fill; 8];
                    word[pos] = b;
                    let fill_flagged = fill < 0x20 || matches!(fill, b'"' | b'\\' | 0x7F | 0xEF);
                    assert_eq!(
                        may_need_escape(u64::from_le_bytes(word)),
                        flagged || fill_flagged,
                        "{b:#x} at {pos} among {fill:#x}"
                    );
                }
            }
        }
        const PIECES: &[&str] = &[
            "a",
            "We",
            " ",
            "\"",
            "\\",
            "\t",
            "\n",
            "\r",
            "\u{8}",
            "\u{c}",
            "\u{0}",
            "\u{1b}",
            "\u{7f}",
            "\u{1f}",
            "\u{fffe}",
            "\u{ffff}",
            "\u{fffd}",
            "\u{feff}",
            "’",
            "é",
            "😀",
            "\u{ef}",
            "\u{ff}",
            "\u{ef00}",
            "0123456789",
            "data.",
        ];
        let mut next = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15u64);
        for _ in 0..20_000 {
            let mut v = String::new();
            for _ in 0..next(24) {
                v.push_str(PIECES[next(PIECES.len())]);
            }
            let mut out = Vec::new();
            write_quoted(&mut out, &v);
            let literal = oxigraph::model::Literal::new_simple_literal(&v);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                literal.to_string(),
                "{v:?}"
            );
        }
    }

    #[test]
    fn evidence_iris_spell_their_offsets_in_decimal() {
        assert_eq!(evidence_iri("p", 0, 1234), "p/evidence/0-1234");
        assert_eq!(
            evidence_iri("p", usize::MAX, 10),
            format!("p/evidence/{}-10", usize::MAX)
        );
    }

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
    fn renaming_a_policy_moves_its_graph_and_the_nodes_under_it_only() {
        let iri = |s: &str| NamedNode::new_unchecked(s);
        let p = "https://x.org/policy/a.com/2018-01-01";
        let other = "https://x.org/policy/a.com/2018-01-01-0123456789ab";
        assert_eq!(other_version_iri(p, "0123456789abcdef", 0), other);
        assert_eq!(
            other_version_iri(p, "0123456789abcdef", 1),
            format!("{other}-2")
        );
        let mut quads = vec![
            Quad::new(
                iri(&format!("{p}/practice/1")),
                iri("https://x.org/statedIn"),
                iri(p),
                GraphName::NamedNode(iri(p)),
            ),
            Quad::new(
                iri(p),
                iri("https://x.org/organisation"),
                iri("https://x.org/policy/a.com/2018-01-01x"),
                GraphName::NamedNode(iri(p)),
            ),
        ];
        rename_policy(&mut quads, p, other);
        assert_eq!(
            quads[0].subject.to_string(),
            format!("<{other}/practice/1>")
        );
        assert_eq!(quads[0].object.to_string(), format!("<{other}>"));
        assert_eq!(quads[0].graph_name.to_string(), format!("<{other}>"));
        assert_eq!(quads[1].subject.to_string(), format!("<{other}>"));
        // An IRI that only starts with the same characters is another node.
        assert_eq!(
            quads[1].object.to_string(),
            "<https://x.org/policy/a.com/2018-01-01x>"
        );
    }

    #[test]
    fn base_must_end_in_a_separator() {
        assert!(check_base("https://example.org/kg/").is_ok());
        assert!(check_base("https://example.org/kg").is_err());
        assert!(check_base("not an iri/").is_err());
    }
}
