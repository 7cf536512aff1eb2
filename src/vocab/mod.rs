//! The ontology files compiled into a lexicon: every SKOS concept of the data-type,
//! purpose, recipient, practice-kind and condition schemes with its labels, hierarchy,
//! DPV mapping and OPP-115 value, and one trie over the labels' normalised tokens that finds
//! them in tokenised sentences. Built once, shared read-only by every thread.

use std::collections::HashMap;
use std::path::Path;

use rustc_hash::FxHashMap;
use sophia::api::prelude::*;
use sophia::turtle::parser::turtle::TurtleParser;

use crate::text::Token;

/// Namespaces of the ontology.
pub mod ns {
    pub const PP: &str = "https://w3id.org/privacy-kg/ns#";
    pub const ONTOLOGY_GRAPH: &str = "https://w3id.org/privacy-kg/ns";
    pub const DATA: &str = "https://w3id.org/privacy-kg/data/";
    pub const PURPOSE: &str = "https://w3id.org/privacy-kg/purpose/";
    pub const RECIPIENT: &str = "https://w3id.org/privacy-kg/recipient/";
    pub const PRACTICE: &str = "https://w3id.org/privacy-kg/practice/";
    pub const CONDITION: &str = "https://w3id.org/privacy-kg/condition/";
    pub const DPV: &str = "https://w3id.org/dpv#";
    pub const PD: &str = "https://w3id.org/dpv/pd#";
    pub const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
    pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    pub const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
    pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
    pub const PROV: &str = "http://www.w3.org/ns/prov#";
    pub const OA: &str = "http://www.w3.org/ns/oa#";
    pub const DCT: &str = "http://purl.org/dc/terms/";
}

/// The ontology files, in load order, embedded in the binary.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "privacy-kg.ttl",
        include_str!("../../ontology/privacy-kg.ttl"),
    ),
    (
        "data-types.ttl",
        include_str!("../../ontology/data-types.ttl"),
    ),
    ("purposes.ttl", include_str!("../../ontology/purposes.ttl")),
    (
        "recipients.ttl",
        include_str!("../../ontology/recipients.ttl"),
    ),
    (
        "practices.ttl",
        include_str!("../../ontology/practices.ttl"),
    ),
    (
        "dpv-alignment.ttl",
        include_str!("../../ontology/dpv-alignment.ttl"),
    ),
];

/// The SHACL shapes file: it lives beside the ontology but describes the data, so it is
/// neither part of the lexicon nor loaded into the ontology graph.
pub const SHAPES_FILE: &str = "shapes.ttl";

/// Which concept scheme a concept belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    DataType,
    Purpose,
    Recipient,
    PracticeKind,
    Condition,
}

impl Scheme {
    fn from_iri(iri: &str) -> Option<Scheme> {
        Some(match iri.strip_prefix(ns::PP)? {
            "DataTypes" => Scheme::DataType,
            "Purposes" => Scheme::Purpose,
            "Recipients" => Scheme::Recipient,
            "PracticeKinds" => Scheme::PracticeKind,
            "Conditions" => Scheme::Condition,
            _ => return None,
        })
    }

    /// Schemes whose matches compete for the same words (longest wins): purposes and
    /// recipients ("marketing" or "marketing partners"). Data types, cues and conditions are
    /// matched on their own, so "sell your personal information" is both a purpose and data.
    fn group(self) -> u8 {
        match self {
            Scheme::DataType => 0,
            Scheme::Purpose | Scheme::Recipient => 1,
            Scheme::PracticeKind => 2,
            Scheme::Condition => 3,
        }
    }
}

/// Index of a concept in [`Vocabulary::concepts`].
pub type ConceptId = usize;

/// One SKOS concept of the lexicon.
#[derive(Debug, Clone)]
pub struct Concept {
    pub iri: String,
    pub scheme: Scheme,
    pub pref_label: String,
    /// Every label the extractor matches (pref, alt and hidden).
    pub labels: Vec<String>,
    pub broader: Vec<ConceptId>,
    /// The OPP-115 value (`skos:notation` typed `pp:opp115`).
    pub opp115: Option<String>,
    /// DPV terms from `skos:exactMatch`, `closeMatch` and `broadMatch`, exact first.
    pub dpv: Vec<String>,
}

impl Concept {
    /// The last segment of the IRI: `ppk:do-not-track` → `do-not-track`.
    pub fn local_name(&self) -> &str {
        self.iri.rsplit(['/', '#']).next().unwrap_or(&self.iri)
    }
}

/// Why the ontology could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum VocabError {
    #[error("ontology file {file}: {message}")]
    Parse { file: String, message: String },
    #[error("ontology folder {dir}: {source}")]
    Io {
        dir: String,
        #[source]
        source: std::io::Error,
    },
    #[error("ontology: {0}")]
    Invalid(String),
}

/// A lexicon match: a concept found over tokens `first..last` (exclusive) of a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LexiconMatch {
    pub concept: ConceptId,
    pub first: usize,
    pub last: usize,
}

/// The compiled lexicon and hierarchy.
pub struct Vocabulary {
    pub concepts: Vec<Concept>,
    /// Concept IRI → id. FxHash rather than SipHash: the rules ask [`Vocabulary::by_name`]
    /// for a few fixed concepts in every sentence (profiled: about 500 instructions a call
    /// with SipHash, 1.8% of extraction).
    by_iri: FxHashMap<String, ConceptId>,
    matcher: LabelTrie,
    /// The scheme of each concept, side by side: [`Vocabulary::find`] sorts a sentence's
    /// matches by [`Scheme::group`] and the rules ask it of every match.
    schemes: Vec<Scheme>,
    /// The Turtle sources, to load into the store beside the data.
    pub sources: Vec<(String, String)>,
    /// The concepts the rules name in every sentence, looked up once.
    pub known: KnownConcepts,
}

/// Concepts the extraction rules ask for by name in every sentence or practice: their
/// [`Vocabulary::by_name`] answers, looked up once when the vocabulary is built (profiled:
/// by_name, a string join and a hash look-up, was called about twice per sentence and cost
/// 1% of extraction's instructions). `None` where an overriding ontology lacks one.
#[derive(Debug, Clone, Copy, Default)]
pub struct KnownConcepts {
    /// `data:PersonalInformation`, the generic data type.
    pub personal_information: Option<ConceptId>,
    /// `data:ListedItem`, an unknown item of an enumeration of data.
    pub listed_item: Option<ConceptId>,
    /// `data:TrackingTechnology`.
    pub tracking_technology: Option<ConceptId>,
    /// `condition:Stated`, a condition stated in words the lexicon does not know.
    pub stated_condition: Option<ConceptId>,
}

impl std::fmt::Debug for Vocabulary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vocabulary")
            .field("concepts", &self.concepts.len())
            .field("labels", &self.matcher.labels)
            .finish()
    }
}

#[derive(Default)]
struct ConceptBuilder {
    schemes: Vec<String>,
    pref: Option<String>,
    labels: Vec<String>,
    broader: Vec<String>,
    opp115: Option<String>,
    exact: Vec<String>,
    close: Vec<String>,
    broad: Vec<String>,
    is_concept: bool,
}

impl Vocabulary {
    /// The ontology built into the binary.
    pub fn embedded() -> Result<Vocabulary, VocabError> {
        Self::from_sources(
            EMBEDDED
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
        )
    }

    /// The `*.ttl` files of a folder, replacing the embedded ones (`--ontology DIR`).
    pub fn from_dir(dir: &Path) -> Result<Vocabulary, VocabError> {
        let io = |source| VocabError::Io {
            dir: dir.display().to_string(),
            source,
        };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "ttl"))
            .filter(|p| p.file_name().is_none_or(|n| n != SHAPES_FILE))
            .collect();
        files.sort();
        let mut sources = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).map_err(io)?;
            sources.push((f.display().to_string(), text));
        }
        if sources.is_empty() {
            return Err(VocabError::Invalid(format!(
                "no .ttl files in {}",
                dir.display()
            )));
        }
        Self::from_sources(sources)
    }

    /// Compiles Turtle sources (name, text) into a vocabulary.
    pub fn from_sources(sources: Vec<(String, String)>) -> Result<Vocabulary, VocabError> {
        let mut builders: HashMap<String, ConceptBuilder> = HashMap::new();
        let skos = |l: &str| format!("{}{l}", ns::SKOS);
        let (in_scheme, pref, alt, hidden, broader, notation, exact, close, broad) = (
            skos("inScheme"),
            skos("prefLabel"),
            skos("altLabel"),
            skos("hiddenLabel"),
            skos("broader"),
            skos("notation"),
            skos("exactMatch"),
            skos("closeMatch"),
            skos("broadMatch"),
        );
        let rdf_type = format!("{}type", ns::RDF);
        let skos_concept = skos("Concept");
        let opp_datatype = format!("{}opp115", ns::PP);
        for (name, text) in &sources {
            let mut parse_error = None;
            let result = TurtleParser::new().parse_str(text).for_each_triple(|t| {
                let (ts, tp) = (t.s(), t.p());
                let Some(s) = ts.iri() else { return };
                let Some(p) = tp.iri() else { return };
                let (s, p) = (s.as_str().to_string(), p.as_str());
                let o = t.o();
                let b = builders.entry(s).or_default();
                let o_iri = o.iri().map(|i| i.as_str().to_string());
                let o_lit = o.lexical_form().map(|l| l.to_string());
                match p {
                    _ if p == rdf_type && o_iri.as_deref() == Some(skos_concept.as_str()) => {
                        b.is_concept = true;
                    }
                    _ if p == in_scheme => b.schemes.extend(o_iri),
                    _ if p == pref => {
                        if let Some(l) = o_lit {
                            if b.pref.is_none()
                                || o.language_tag().is_some_and(|t| t.as_str() == "en")
                            {
                                b.pref = Some(l.clone());
                            }
                            b.labels.push(l);
                        }
                    }
                    _ if p == alt || p == hidden => b.labels.extend(o_lit),
                    _ if p == broader => b.broader.extend(o_iri),
                    _ if p == notation
                        && o.datatype().is_some_and(|d| d.as_str() == opp_datatype) =>
                    {
                        b.opp115 = o_lit;
                    }
                    _ if p == exact => b.exact.extend(o_iri),
                    _ if p == close => b.close.extend(o_iri),
                    _ if p == broad => b.broad.extend(o_iri),
                    _ => {}
                }
            });
            if let Err(e) = result {
                parse_error = Some(e.to_string());
            }
            if let Some(message) = parse_error {
                return Err(VocabError::Parse {
                    file: name.clone(),
                    message,
                });
            }
        }
        let mut iris: Vec<(String, Scheme)> = builders
            .iter()
            .filter_map(|(iri, b)| {
                let scheme = b.schemes.iter().find_map(|s| Scheme::from_iri(s))?;
                (b.is_concept || b.pref.is_some()).then(|| (iri.clone(), scheme))
            })
            .collect();
        iris.sort();
        let by_iri: FxHashMap<String, ConceptId> = iris
            .iter()
            .enumerate()
            .map(|(i, (iri, _))| (iri.clone(), i))
            .collect();
        let mut concepts = Vec::with_capacity(iris.len());
        for (iri, scheme) in &iris {
            let b = builders.remove(iri).unwrap();
            let dpv_of = |v: &Vec<String>| -> Vec<String> {
                v.iter()
                    .filter(|i| i.starts_with("https://w3id.org/dpv"))
                    .cloned()
                    .collect()
            };
            let mut dpv = dpv_of(&b.exact);
            dpv.extend(dpv_of(&b.close));
            dpv.extend(dpv_of(&b.broad));
            let mut labels = b.labels;
            labels.sort();
            labels.dedup();
            concepts.push(Concept {
                iri: iri.clone(),
                scheme: *scheme,
                pref_label: b
                    .pref
                    .unwrap_or_else(|| iri.rsplit(['/', '#']).next().unwrap_or(iri).to_string()),
                labels,
                broader: b
                    .broader
                    .iter()
                    .filter_map(|i| by_iri.get(i).copied())
                    .collect(),
                opp115: b.opp115,
                dpv,
            });
        }
        if concepts.is_empty() {
            return Err(VocabError::Invalid(
                "no SKOS concepts in any known scheme".into(),
            ));
        }
        let mut matcher = LabelTrie::default();
        let mut key = String::new();
        for (id, c) in concepts.iter().enumerate() {
            for label in &c.labels {
                key.clear();
                normalise_phrase(label, &mut key);
                // Labels whose key is a single byte ("a", "i") would match noise.
                if key.len() >= 2 {
                    matcher.insert(&key, id);
                }
            }
        }
        matcher.finish();
        let schemes = concepts.iter().map(|c| c.scheme).collect();
        let mut vocabulary = Vocabulary {
            concepts,
            by_iri,
            matcher,
            schemes,
            sources,
            known: KnownConcepts::default(),
        };
        vocabulary.known = KnownConcepts {
            personal_information: vocabulary.by_name(ns::DATA, "PersonalInformation"),
            listed_item: vocabulary.by_name(ns::DATA, "ListedItem"),
            tracking_technology: vocabulary.by_name(ns::DATA, "TrackingTechnology"),
            stated_condition: vocabulary.by_name(ns::CONDITION, "Stated"),
        };
        Ok(vocabulary)
    }

    pub fn concept(&self, id: ConceptId) -> &Concept {
        &self.concepts[id]
    }

    /// The scheme of a concept (`concept(id).scheme`, from a dense array).
    pub fn scheme(&self, id: ConceptId) -> Scheme {
        self.schemes[id]
    }

    pub fn by_iri(&self, iri: &str) -> Option<ConceptId> {
        self.by_iri.get(iri).copied()
    }

    /// The concept whose IRI is `namespace` + `local` (`ns::DATA`, `"ListedItem"`), looked
    /// up without building a String: the extractor asks for a few such concepts in every
    /// sentence.
    pub fn by_name(&self, namespace: &str, local: &str) -> Option<ConceptId> {
        let mut buf = [0u8; 128];
        let n = namespace.len() + local.len();
        if n > buf.len() {
            return self.by_iri(&format!("{namespace}{local}"));
        }
        buf[..namespace.len()].copy_from_slice(namespace.as_bytes());
        buf[namespace.len()..n].copy_from_slice(local.as_bytes());
        // Two whole strs joined: still UTF-8.
        let iri = std::str::from_utf8(&buf[..n]).expect("joined strs are UTF-8");
        self.by_iri(iri)
    }

    /// The concept of a practice kind, by its local name (`collect`, `do-not-track`).
    pub fn practice_kind(&self, name: &str) -> Option<ConceptId> {
        self.by_name(ns::PRACTICE, name)
    }

    /// Whether `id` is `ancestor` or below it (`skos:broader*`).
    pub fn is_a(&self, id: ConceptId, ancestor: ConceptId) -> bool {
        let mut stack = vec![id];
        let mut seen = 0;
        while let Some(c) = stack.pop() {
            if c == ancestor {
                return true;
            }
            seen += 1;
            if seen > 64 {
                return false;
            }
            stack.extend(&self.concepts[c].broader);
        }
        false
    }

    /// The OPP-115 value of a concept, inherited from the nearest ancestor that has one.
    pub fn opp115(&self, id: ConceptId) -> Option<&str> {
        let mut stack = vec![id];
        let mut seen = 0;
        while let Some(c) = stack.pop() {
            if let Some(v) = &self.concepts[c].opp115 {
                return Some(v);
            }
            seen += 1;
            if seen > 64 {
                break;
            }
            stack.extend(self.concepts[c].broader.iter().rev());
        }
        None
    }

    /// Finds lexicon concepts in a tokenised sentence: labels matched on normalised tokens
    /// (case, hyphens and plural -s ignored), aligned to whole tokens, the longest match
    /// winning among overlapping data, purpose and recipient labels. Matches are sorted by
    /// their first token.
    pub fn find(
        &self,
        text: &str,
        tokens: &[Token],
        scratch: &mut MatchScratch,
    ) -> Vec<LexiconMatch> {
        let mut ids = std::mem::take(&mut scratch.ids);
        ids.clear();
        ids.extend(tokens.iter().map(|t| {
            self.matcher
                .token_word(&text[t.start..t.end], &mut scratch.key)
        }));
        let found = self.find_in_words(&ids, scratch);
        scratch.ids = ids;
        found
    }

    /// The word id of a token as it stands in the text: what [`Vocabulary::find`] matches
    /// labels on, for a caller that looks each distinct token up once
    /// ([`Vocabulary::find_in_words`]).
    pub fn word_id(&self, token: &str, scratch: &mut MatchScratch) -> u32 {
        self.matcher.token_word(token, &mut scratch.key)
    }

    /// [`Vocabulary::find`] over a sentence given as the [`Vocabulary::word_id`] of each
    /// of its tokens.
    pub fn find_in_words(&self, ids: &[u32], scratch: &mut MatchScratch) -> Vec<LexiconMatch> {
        let candidates = &mut scratch.candidates;
        candidates.clear();
        self.matcher.find_all(ids, candidates);
        // Longest first among matches starting at the same token, then greedy.
        candidates.sort_by_key(|m| {
            (
                self.schemes[m.concept].group(),
                m.first,
                usize::MAX - m.last,
                m.concept,
            )
        });
        candidates.dedup();
        let mut out: Vec<LexiconMatch> = Vec::with_capacity(candidates.len());
        let mut group_end = [0usize; 4];
        let mut last_kept: [Option<LexiconMatch>; 4] = [None; 4];
        for m in candidates.iter() {
            let g = self.schemes[m.concept].group() as usize;
            let same_span = last_kept[g].is_some_and(|k| k.first == m.first && k.last == m.last);
            if m.first >= group_end[g] || same_span {
                group_end[g] = group_end[g].max(m.last);
                last_kept[g] = Some(*m);
                out.push(*m);
            }
        }
        out.sort_by_key(|m| (m.first, m.last));
        out
    }
}

/// Reusable buffers for [`Vocabulary::find`], one per thread.
#[derive(Default)]
pub struct MatchScratch {
    /// The key of the token being looked up.
    key: String,
    /// The word id of each token of the sentence ([`NO_WORD`] when no label has it).
    ids: Vec<u32>,
    candidates: Vec<LexiconMatch>,
}

/// Word id of a token that occurs in no label: no match can run through it.
const NO_WORD: u32 = u32::MAX;

/// No trie node (a word that starts no label).
const NO_NODE: u32 = u32::MAX;

/// Every label as a path of word ids (its normalised tokens, interned) from a root.
///
/// A sentence is matched on the ids of its tokens: a label matches tokens `i..j` exactly
/// when its key, the tokens' keys joined by single spaces, equals the keys of tokens `i..j`
/// joined the same way (no key is empty or holds a space), which is what an overlapping
/// byte search over the joined keys accepted when the match began and ended on token
/// boundaries. Walking the trie from each token costs one hash look-up per token plus one
/// per step into a label, instead of a byte automaton in overlapping mode (profiled: that
/// search was the largest single cost of extraction).
#[derive(Default)]
struct LabelTrie {
    /// Normalised token → word id.
    words: FxHashMap<Box<str>, u32>,
    /// (node, word id) → child node; node 0 is the root.
    edges: FxHashMap<u64, u32>,
    /// Concepts of the labels ending at each node (`ends[node]`), while building.
    building: Vec<Vec<ConceptId>>,
    /// The child of the root for each word id, [`NO_NODE`] for words that start no label:
    /// the first step from every token, so an array rather than a hash look-up.
    root: Vec<u32>,
    /// Concepts of the labels ending at each node, as ranges of `concepts`.
    ends: Vec<(u32, u32)>,
    concepts: Vec<ConceptId>,
    /// How many labels were inserted.
    labels: usize,
    /// The words of `words` whose key is ASCII and at most [`SHORT_KEY`] bytes (nearly all),
    /// looked up without hashing a string or following a pointer to compare it.
    short: ShortWords,
}

/// Longest key held in [`ShortWords`].
const SHORT_KEY: usize = 16;

/// Longest ASCII token normalised on the stack by [`LabelTrie::token_word`]; longer ones
/// (rare) take the general path.
const STACK_TOKEN: usize = 48;

/// An open-addressing table from short ASCII keys to word ids: each key is packed,
/// zero-padded, into two u64s beside its length, so a look-up is a multiply, a few loads
/// and two integer compares. Profiled: turning each token into a word id through the
/// `FxHashMap<Box<str>, u32>` (hash the bytes, probe, memcmp against the boxed key) was
/// two-thirds of `Vocabulary::find`.
#[derive(Default)]
struct ShortWords {
    slots: Vec<ShortSlot>,
    /// log2 of `slots.len()`.
    bits: u32,
}

#[derive(Clone, Copy)]
struct ShortSlot {
    k0: u64,
    k1: u64,
    len: u32,
    /// [`NO_WORD`] for an empty slot.
    id: u32,
}

impl ShortWords {
    /// The key `buf[..len]` as two little-endian u64s, the bytes past its end zeroed: the
    /// packing both [`ShortWords::build`] and the look-up use, without copying a key of
    /// variable length.
    #[inline]
    fn key_words(buf: &[u8; SHORT_KEY], len: usize) -> (u64, u64) {
        let keep = |word: u64, bytes: usize| match bytes {
            0 => 0,
            1..=7 => word & (u64::MAX >> (64 - 8 * bytes)),
            _ => word,
        };
        let (lo, hi) = buf.split_at(8);
        (
            keep(u64::from_le_bytes(lo.try_into().expect("8 bytes")), len),
            keep(
                u64::from_le_bytes(hi.try_into().expect("8 bytes")),
                len.saturating_sub(8),
            ),
        )
    }

    fn slot(&self, k0: u64, k1: u64, len: u32) -> usize {
        let h = (k0 ^ k1.rotate_left(29) ^ u64::from(len).rotate_left(59))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> (64 - self.bits)) as usize
    }

    /// The table of `words`' short ASCII keys, at most half full.
    fn build<'a>(words: impl Iterator<Item = (&'a str, u32)> + Clone) -> ShortWords {
        let n = words.clone().count().max(1);
        let bits = (2 * n).next_power_of_two().trailing_zeros().max(4);
        let empty = ShortSlot {
            k0: 0,
            k1: 0,
            len: 0,
            id: NO_WORD,
        };
        let mut table = ShortWords {
            slots: vec![empty; 1 << bits],
            bits,
        };
        let mask = table.slots.len() - 1;
        for (w, id) in words {
            if w.len() > SHORT_KEY || !w.is_ascii() {
                continue;
            }
            let mut buf = [0u8; SHORT_KEY];
            buf[..w.len()].copy_from_slice(w.as_bytes());
            let (k0, k1) = Self::key_words(&buf, w.len());
            let len = w.len() as u32;
            let mut i = table.slot(k0, k1, len);
            while table.slots[i].id != NO_WORD {
                i = (i + 1) & mask;
            }
            table.slots[i] = ShortSlot { k0, k1, len, id };
        }
        table
    }

    /// The word id of a key of at most [`SHORT_KEY`] bytes, [`NO_WORD`] if none.
    #[cfg(test)]
    fn get(&self, key: &[u8]) -> u32 {
        let mut buf = [0u8; SHORT_KEY];
        buf[..key.len()].copy_from_slice(key);
        self.get_prefix(&buf, key.len())
    }

    /// The word id of the key `buf[..len]` (`len` at most [`SHORT_KEY`]; the bytes after
    /// it are ignored), [`NO_WORD`] if none.
    fn get_prefix(&self, buf: &[u8; SHORT_KEY], len: usize) -> u32 {
        if self.slots.is_empty() {
            return NO_WORD;
        }
        let (k0, k1) = Self::key_words(buf, len);
        let len = len as u32;
        let mask = self.slots.len() - 1;
        let mut i = self.slot(k0, k1, len);
        loop {
            let s = &self.slots[i];
            if s.id == NO_WORD {
                return NO_WORD;
            }
            if s.k0 == k0 && s.k1 == k1 && s.len == len {
                return s.id;
            }
            i = (i + 1) & mask;
        }
    }
}

impl LabelTrie {
    fn edge(node: u32, word: u32) -> u64 {
        (u64::from(node) << 32) | u64::from(word)
    }

    /// Adds a label by its key (normalised tokens joined by single spaces).
    fn insert(&mut self, key: &str, concept: ConceptId) {
        if self.building.is_empty() {
            self.building.push(Vec::new());
        }
        let mut node = 0u32;
        for w in key.split(' ') {
            let next_word = self.words.len() as u32;
            let word = *self.words.entry(w.into()).or_insert(next_word);
            let next_node = self.building.len() as u32;
            node = *self
                .edges
                .entry(Self::edge(node, word))
                .or_insert(next_node);
            if node == next_node {
                self.building.push(Vec::new());
            }
        }
        self.building[node as usize].push(concept);
        self.labels += 1;
    }

    /// Freezes the concept lists into one array and the root's edges into `root`.
    fn finish(&mut self) {
        self.root = vec![NO_NODE; self.words.len()];
        for (&edge, &child) in &self.edges {
            if edge >> 32 == 0 {
                self.root[(edge & u64::from(u32::MAX)) as usize] = child;
            }
        }
        self.short = ShortWords::build(self.words.iter().map(|(w, &id)| (&**w, id)));
        for list in std::mem::take(&mut self.building) {
            let start = self.concepts.len() as u32;
            self.concepts.extend(list);
            self.ends.push((start, self.concepts.len() as u32));
        }
    }

    /// The word id of a normalised token.
    fn word(&self, key: &str) -> u32 {
        self.words.get(key).copied().unwrap_or(NO_WORD)
    }

    /// The word id of a token as it stands in the text: `word` of its
    /// [`normalise_token`] key. ASCII tokens (nearly all) are normalised on the stack and
    /// looked up in [`ShortWords`]; `key` is a buffer for the others.
    fn token_word(&self, token: &str, key: &mut String) -> u32 {
        let bytes = token.as_bytes();
        if bytes.len() <= STACK_TOKEN && token.is_ascii() {
            let mut buf = [0u8; STACK_TOKEN];
            let n = normalise_ascii(bytes, &mut buf);
            let k = &buf[..n];
            return if n <= SHORT_KEY {
                let head: &[u8; SHORT_KEY] = buf[..SHORT_KEY].try_into().expect("16 bytes");
                self.short.get_prefix(head, n)
            } else {
                // An ASCII key: still UTF-8.
                self.word(std::str::from_utf8(k).expect("ASCII"))
            };
        }
        key.clear();
        normalise_token(token, key);
        self.word(key)
    }

    /// Every label occurrence in a sentence given as word ids, in no particular order.
    fn find_all(&self, ids: &[u32], out: &mut Vec<LexiconMatch>) {
        for first in 0..ids.len() {
            let Some(&node) = self.root.get(ids[first] as usize) else {
                continue;
            };
            if node == NO_NODE {
                continue;
            }
            self.emit(node, first, first + 1, out);
            let mut node = node;
            for (last, &word) in ids.iter().enumerate().skip(first + 1) {
                if word == NO_WORD {
                    break;
                }
                let Some(&child) = self.edges.get(&Self::edge(node, word)) else {
                    break;
                };
                node = child;
                self.emit(node, first, last + 1, out);
            }
        }
    }

    /// The matches of the labels ending at `node`, over tokens `first..last`.
    fn emit(&self, node: u32, first: usize, last: usize, out: &mut Vec<LexiconMatch>) {
        let (s, e) = self.ends[node as usize];
        out.extend(
            self.concepts[s as usize..e as usize]
                .iter()
                .map(|&concept| LexiconMatch {
                    concept,
                    first,
                    last,
                }),
        );
    }
}

/// Appends the matching key of one token: lowercase, without hyphens, apostrophes and dots,
/// plural endings folded ("E-mails" → "email", "cookies" and "cookie" → "cooky").
pub fn normalise_token(token: &str, out: &mut String) {
    let start = out.len();
    if token.is_ascii() {
        // Most tokens: the same as below, byte by byte.
        out.extend(
            token
                .bytes()
                .filter(|&b| !is_ascii_joiner(b))
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
    } else {
        for c in token.chars() {
            if matches!(c, '-' | '\'' | '’' | '.' | '‐' | '_') {
                continue;
            }
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        }
    }
    if out.len() == start {
        // A token of joiners only ("-", "."): keep it, so every token has a non-empty key.
        out.push_str(token);
        return;
    }
    let (keep, y) = fold_plural(&out.as_bytes()[start..]);
    // `keep` cuts off ASCII letters only, so it is a character boundary.
    out.truncate(start + keep);
    if y {
        out.push('y');
    }
}

/// The plural folding of [`normalise_token`] on a lowercased word without joiners: how many
/// of its bytes to keep, and whether a 'y' follows them ("cookies" → "cook" + y, "emails"
/// → "email").
fn fold_plural(word: &[u8]) -> (usize, bool) {
    let n = word.len();
    if n > 4 && word.ends_with(b"ies") {
        (n - 3, true)
    } else if n > 4 && word.ends_with(b"ie") {
        (n - 2, true)
    } else if n > 4
        && (word.ends_with(b"sses")
            || word.ends_with(b"xes")
            || word.ends_with(b"ches")
            || word.ends_with(b"shes"))
    {
        (n - 2, false)
    } else if n > 3
        && word.ends_with(b"s")
        && !word.ends_with(b"ss")
        && !word.ends_with(b"us")
        && !word.ends_with(b"is")
        && !word.ends_with(b"ys")
    {
        (n - 1, false)
    } else {
        (n, false)
    }
}

/// The ASCII characters [`normalise_token`] drops inside a word ("e-mail", "o'clock").
fn is_ascii_joiner(b: u8) -> bool {
    matches!(b, b'-' | b'\'' | b'.' | b'_')
}

/// [`normalise_token`] of an ASCII token of at most `out.len()` bytes, written to the
/// start of `out`; returns the key's length.
fn normalise_ascii(token: &[u8], out: &mut [u8]) -> usize {
    let mut n = 0;
    for &b in token {
        if !is_ascii_joiner(b) {
            out[n] = b.to_ascii_lowercase();
            n += 1;
        }
    }
    if n == 0 {
        out[..token.len()].copy_from_slice(token);
        return token.len();
    }
    let (keep, y) = fold_plural(&out[..n]);
    if y {
        // The 'y' replaces at least two bytes ("ies", "ie"), so it fits.
        out[keep] = b'y';
        keep + 1
    } else {
        keep
    }
}

/// The matching key of a phrase: its tokens normalised and joined by single spaces.
pub fn normalise_phrase(phrase: &str, out: &mut String) {
    let tokens = crate::text::tokens(phrase, 0, phrase.len());
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        normalise_token(&phrase[t.start..t.end], out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        let mut k = String::new();
        normalise_phrase(s, &mut k);
        k
    }

    #[test]
    fn normalisation_folds_case_hyphens_and_plurals() {
        assert_eq!(key("E-mail Addresses"), key("email address"));
        assert_eq!(key("cookies"), key("cookie"));
        assert_eq!(key("Third-Parties"), key("third-party"));
        assert_eq!(key("IP address"), "ip address");
        assert_ne!(key("us"), key("u"));
    }

    const MINI: &str = r#"
@prefix pp: <https://w3id.org/privacy-kg/ns#> .
@prefix ppd: <https://w3id.org/privacy-kg/data/> .
@prefix ppk: <https://w3id.org/privacy-kg/practice/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
ppd:ContactInformation a skos:Concept ; skos:inScheme pp:DataTypes ; skos:prefLabel "contact information"@en ;
    skos:notation "Contact"^^pp:opp115 .
ppd:EmailAddress a skos:Concept ; skos:inScheme pp:DataTypes ; skos:prefLabel "email address"@en ;
    skos:altLabel "e-mail"@en ; skos:broader ppd:ContactInformation .
ppd:Address a skos:Concept ; skos:inScheme pp:DataTypes ; skos:prefLabel "address"@en ; skos:broader ppd:ContactInformation .
ppk:collect a skos:Concept ; skos:inScheme pp:PracticeKinds ; skos:prefLabel "collect"@en ; skos:hiddenLabel "collects"@en .
"#;

    #[test]
    fn finds_longest_labels_on_token_boundaries() {
        let v = Vocabulary::from_sources(vec![("mini.ttl".into(), MINI.into())]).unwrap();
        let text = "We collect E-mail addresses and your address, not readdresses.";
        let tokens = crate::text::tokens(text, 0, text.len());
        let found = v.find(text, &tokens, &mut MatchScratch::default());
        let names: Vec<&str> = found
            .iter()
            .map(|m| v.concept(m.concept).local_name())
            .collect();
        assert_eq!(names, ["collect", "EmailAddress", "Address"]);
        let email = v
            .by_iri("https://w3id.org/privacy-kg/data/EmailAddress")
            .unwrap();
        let contact = v
            .by_iri("https://w3id.org/privacy-kg/data/ContactInformation")
            .unwrap();
        assert!(v.is_a(email, contact));
        assert_eq!(v.opp115(email), Some("Contact"));
    }

    /// The trie finds exactly the label occurrences that comparing every token span's
    /// key with every label's key finds (what the byte automaton it replaced accepted).
    #[test]
    fn the_label_trie_finds_every_label_on_token_boundaries() {
        let v = Vocabulary::embedded().unwrap();
        let mut keys: HashMap<String, Vec<ConceptId>> = HashMap::new();
        for (id, c) in v.concepts.iter().enumerate() {
            for label in &c.labels {
                let k = key(label);
                if k.len() >= 2 {
                    keys.entry(k).or_default().push(id);
                }
            }
        }
        let text = "We collect your E-mail addresses, IP address and device identifiers; \
            we may share personal information with advertising partners and service \
            providers for marketing purposes. Cookies, web beacons and the pages you visit \
            are logged. Ünïcödé naïve café — résumé’s data: credit card numbers & phone numbers.";
        let tokens = crate::text::tokens(text, 0, text.len());
        let mut ids = Vec::new();
        let mut k = String::new();
        for t in &tokens {
            k.clear();
            normalise_token(&text[t.start..t.end], &mut k);
            ids.push(v.matcher.word(&k));
        }
        let mut found = Vec::new();
        v.matcher.find_all(&ids, &mut found);
        let mut expected = Vec::new();
        for first in 0..tokens.len() {
            for last in first + 1..=tokens.len() {
                let span: Vec<String> = tokens[first..last]
                    .iter()
                    .map(|t| key(&text[t.start..t.end]))
                    .collect();
                for &concept in keys.get(&span.join(" ")).into_iter().flatten() {
                    expected.push(LexiconMatch {
                        concept,
                        first,
                        last,
                    });
                }
            }
        }
        let order = |m: &LexiconMatch| (m.first, m.last, m.concept);
        found.sort_by_key(order);
        expected.sort_by_key(order);
        assert!(expected.len() > 10, "{expected:?}");
        assert_eq!(found, expected);
    }

    /// ASCII tokens built from letters that exercise the plural folding and the joiners,
    /// of every length up to past the stack buffer, from a fixed seed.
    fn ascii_tokens() -> Vec<String> {
        const ALPHABET: &[u8] = b"aeisuxychSIEY-'._0Q";
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut out: Vec<String> = ["-", ".", "'", "_", "--", "ies", "cookies", "Cookies", "IES"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = 1 + (state % 60) as usize;
            let token = (0..len)
                .map(|i| {
                    let r = state.rotate_left(i as u32 * 5) ^ (i as u64).wrapping_mul(0x9E37);
                    char::from(ALPHABET[(r % ALPHABET.len() as u64) as usize])
                })
                .collect();
            out.push(token);
        }
        out
    }

    /// The stack normalisation of ASCII tokens is `normalise_token`'s.
    #[test]
    fn ascii_normalisation_matches_normalise_token() {
        let mut tokens = ascii_tokens();
        let v = Vocabulary::embedded().unwrap();
        tokens.extend(v.matcher.words.keys().map(|w| w.to_string()));
        for t in tokens.iter().filter(|t| t.len() <= STACK_TOKEN) {
            let mut expected = String::new();
            normalise_token(t, &mut expected);
            let mut buf = [0u8; STACK_TOKEN];
            let n = normalise_ascii(t.as_bytes(), &mut buf);
            assert_eq!(&buf[..n], expected.as_bytes(), "{t:?}");
        }
    }

    /// A token's word id through the short-key table is the id of its normalised key in
    /// the word map, for every word of the lexicon (as written, in capitals and plural) and
    /// for tokens that are not words.
    #[test]
    fn token_word_ids_match_the_word_map() {
        let v = Vocabulary::embedded().unwrap();
        let t = &v.matcher;
        let mut tokens = ascii_tokens();
        for w in t.words.keys() {
            tokens.push(w.to_string());
            tokens.push(w.to_uppercase());
            tokens.push(format!("{w}s"));
            tokens.push(format!("{w}-x"));
        }
        tokens.extend(
            ["naïve", "Café’s", "E-MAILS", "IP", "cookie", "a", "ÉTÉ"]
                .iter()
                .map(|s| s.to_string()),
        );
        let mut found = 0;
        let mut key = String::new();
        for token in &tokens {
            key.clear();
            normalise_token(token, &mut key);
            let expected = t.word(&key);
            found += usize::from(expected != NO_WORD);
            assert_eq!(
                t.token_word(token, &mut String::new()),
                expected,
                "{token:?}"
            );
        }
        // Words of the lexicon are found, and the check covered misses too.
        assert!(found >= t.words.len() / 2, "{found}");
        assert!(found < tokens.len());
        // Bytes after a short key do not count.
        for (w, &id) in t
            .words
            .iter()
            .filter(|(w, _)| w.len() <= SHORT_KEY && w.is_ascii())
        {
            let mut buf = [b'z'; SHORT_KEY];
            buf[..w.len()].copy_from_slice(w.as_bytes());
            assert_eq!(t.short.get_prefix(&buf, w.len()), id, "{w:?}");
        }
        // Short and long keys both occur among the lexicon's words.
        assert!(t.words.keys().any(|w| w.len() > SHORT_KEY));
        assert!(t.words.keys().all(|w| w.len() > SHORT_KEY
            || !w.is_ascii()
            || t.short.get(w.as_bytes()) == t.word(w)));
    }

    #[test]
    fn a_broken_ontology_names_its_file() {
        let err =
            Vocabulary::from_sources(vec![("bad.ttl".into(), "ppd:x a .".into())]).unwrap_err();
        assert!(err.to_string().contains("bad.ttl"), "{err}");
    }
}
