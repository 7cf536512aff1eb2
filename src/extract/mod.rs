//! Practices from sentences: lexicon mentions (data types, purposes, recipients), practice
//! cues, negation, modality, actor, condition and minimum age, with list items inheriting
//! their lead-in, anaphora ("this information", "these third parties") resolved to the
//! sentence before, and section headings lending their data types. Every practice keeps the
//! sentence it came from and the rule that produced it.

mod clause;

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

use crate::text::{BlockKind, Segmented, Token};
use crate::vocab::{ConceptId, LexiconMatch, MatchScratch, Scheme, Vocabulary};

use clause::{Clause, Words};

/// What a practice does with data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PracticeKind {
    Collect,
    Use,
    Share,
    Sell,
    Retain,
    Protect,
    Choice,
    Access,
    Change,
    DoNotTrack,
    Audience,
}

impl PracticeKind {
    pub const ALL: [PracticeKind; 11] = [
        PracticeKind::Collect,
        PracticeKind::Use,
        PracticeKind::Share,
        PracticeKind::Sell,
        PracticeKind::Retain,
        PracticeKind::Protect,
        PracticeKind::Choice,
        PracticeKind::Access,
        PracticeKind::Change,
        PracticeKind::DoNotTrack,
        PracticeKind::Audience,
    ];

    /// The name used in JSONL records and as the local name of its `ppk:` concept.
    pub fn as_str(self) -> &'static str {
        match self {
            PracticeKind::Collect => "collect",
            PracticeKind::Use => "use",
            PracticeKind::Share => "share",
            PracticeKind::Sell => "sell",
            PracticeKind::Retain => "retain",
            PracticeKind::Protect => "protect",
            PracticeKind::Choice => "choice",
            PracticeKind::Access => "access",
            PracticeKind::Change => "change",
            PracticeKind::DoNotTrack => "do-not-track",
            PracticeKind::Audience => "audience",
        }
    }

    pub fn parse(s: &str) -> Option<PracticeKind> {
        PracticeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Kinds whose practices are about personal data (and so take data mentions from
    /// context when their sentence names none).
    /// Collection, use, disclosure or sale: what PI-Extract labels.
    fn is_data_handling(self) -> bool {
        matches!(
            self,
            PracticeKind::Collect | PracticeKind::Use | PracticeKind::Share | PracticeKind::Sell
        )
    }

    fn is_about_data(self) -> bool {
        matches!(
            self,
            PracticeKind::Collect
                | PracticeKind::Use
                | PracticeKind::Share
                | PracticeKind::Sell
                | PracticeKind::Retain
                | PracticeKind::Protect
        )
    }
}

/// Who performs a practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    FirstParty,
    ThirdParty,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::FirstParty => "first-party",
            Actor::ThirdParty => "third-party",
        }
    }
}

/// How firmly a practice is stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modality {
    /// "may", "might", "can", "could"
    May,
    /// "will", "shall", "must", "would"
    Will,
    /// plain present tense: "we collect"
    Does,
}

impl Modality {
    pub fn as_str(self) -> &'static str {
        match self {
            Modality::May => "may",
            Modality::Will => "will",
            Modality::Does => "does",
        }
    }
}

/// A concept found in the text: byte offsets into the normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mention {
    pub concept: ConceptId,
    pub start: usize,
    pub end: usize,
}

/// One stated practice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Practice {
    pub kind: PracticeKind,
    pub negated: bool,
    pub actor: Actor,
    pub modality: Modality,
    /// The sentence it was stated in (index into [`Segmented::sentences`]).
    pub sentence: usize,
    /// Byte range of the evidence (the sentence) in the normalised text.
    pub evidence: (usize, usize),
    pub data: Vec<Mention>,
    pub recipients: Vec<Mention>,
    pub purposes: Vec<Mention>,
    pub condition: Option<Mention>,
    pub minimum_age: Option<u32>,
    /// Which rule produced it, for `explain`.
    pub rule: &'static str,
}

/// Everything extracted from one document: the hand-off from `extract` to `graph`.
#[derive(Debug, Clone, Default)]
pub struct Extraction {
    pub practices: Vec<Practice>,
    pub warnings: Vec<String>,
}

/// Reusable per-thread buffers.
#[derive(Default)]
pub struct Scratch {
    doc_tokens: DocTokens,
    matches: MatchScratch,
    refine: RefineBuffers,
    /// The lowercase copies of a sentence's capitalised tokens ([`Words::new`]).
    lower: String,
}

/// What was found in one sentence, kept for the sentences after it.
#[derive(Default, Clone)]
struct SentenceFacts {
    data: Vec<Mention>,
    recipients: Vec<Mention>,
    purposes: Vec<Mention>,
}

/// Who wrote the policy, as plain data from the document's metadata or, without it, from
/// the text's own declarations ([`Owner::found_in`]): the names under which the text may
/// call itself ("Google processes …" in Google's policy is the first party,
/// not a third party named Google). Keys are lowercase letters and digits only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owner {
    keys: Vec<String>,
}

/// Legal-form words dropped from an organisation's name before comparing.
const LEGAL_FORMS: &[&str] = &[
    "inc",
    "llc",
    "ltd",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "gmbh",
    "sa",
    "ag",
    "limited",
    "group",
    "the",
];

impl Owner {
    /// The owner known by a registrable domain ("google.com" → "google") and/or an
    /// organisation name ("Bank of America Corporation" → "bankofamerica").
    pub fn new(domain: Option<&str>, organization: Option<&str>) -> Owner {
        let mut keys = Vec::new();
        if let Some(d) = domain {
            let label = d.trim_start_matches("www.").split('.').next().unwrap_or("");
            keys.push(compact(label));
        }
        if let Some(o) = organization {
            keys.push(name_key(o));
        }
        keys.retain(|k| k.len() >= 2);
        keys.dedup();
        Owner { keys }
    }

    /// Whether `name` (as written in the text) names the owner: "Google", "Google's",
    /// "Bank of America", "Example Inc.".
    pub fn is(&self, name: &str) -> bool {
        if self.keys.is_empty() {
            return false;
        }
        let name = name.strip_suffix("'s").unwrap_or(name);
        let words: Vec<&str> = name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .filter(|w| !LEGAL_FORMS.contains(&w.to_lowercase().as_str()))
            .collect();
        let key = compact(&words.concat());
        !key.is_empty() && self.keys.contains(&key)
    }
}

/// Capitalised words that open a sentence without naming anyone.
const NOT_NAMES: &[&str] = &[
    "this",
    "that",
    "it",
    "which",
    "who",
    "he",
    "she",
    "they",
    "everyone",
    "anyone",
    "one",
    "each",
    "also",
    "then",
    "only",
    "generally",
    "and",
    "or",
    "but",
    "if",
    "when",
];

/// Words that end an owner's name in a title or greeting: "Welcome to the Acme Privacy
/// Center", "Acme Online Privacy Policy".
const TITLE_WORDS: &[&str] = &[
    "privacy",
    "policy",
    "notice",
    "statement",
    "center",
    "centre",
    "online",
    "website",
    "websites",
    "site",
    "sites",
    "web",
    "app",
    "apps",
    "service",
    "services",
    "terms",
    "cookie",
    "cookies",
    "data",
    "our",
    "your",
];

/// 'Acme Inc. ("Acme", "we", "us")': a name, then a bracket that gives it the first
/// person. Group 1 is the name, group 2 the bracket's text. Like the other owner patterns
/// that run over a whole document, with ASCII word boundaries: next to a curly quote or an
/// accent a Unicode `\b` sends the regex crate to its slowest engine (PikeVM) for the rest
/// of the text (these three were 17% of extraction's CPU time). Its lazy DFA (Unicode `\w`
/// in a repeated group) outgrows the regex crate's default 2 MB cache on a long policy and
/// falls back to the PikeVM: with 8 MB it ran 2.5× as fast over the ToS;DR texts (0.18 →
/// 0.073 s, the same 822 matches).
static OWNER_DECLARATION: LazyLock<Regex> = LazyLock::new(|| {
    RegexBuilder::new(
        r#"(?-u:\b)((?:[A-Z][\w'&.-]*,? ){0,5}[A-Z][\w'&.-]*,?)\s*\(([^()]{0,80}?["“'‘]\s*(?:we|us|our)(?-u:\b)[^()]{0,60})\)"#,
    )
    .dfa_size_limit(8 << 20)
    .build()
    .unwrap()
});

/// "Welcome to Acme", "Welcome to the Acme Privacy Center": group 1 holds the name and
/// what follows it.
static OWNER_GREETING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)Welcome to (?:the )?((?:[A-Z][\w'&-]* ?){1,6})").unwrap()
});

/// "At Acme, we …", "At Acme Media, our customers …": the owner introducing itself.
static OWNER_AT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)At (?:the )?((?:[A-Z][\w'&.-]* ?){1,5})\s*,\s*(?:we|our)(?-u:\b)").unwrap()
});

/// "Acme Privacy Policy", "The Acme Online Privacy Notice": a title that names its owner.
static OWNER_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[Tt]he )?((?:[A-Z][\w'&-]* ){1,6})(?:Online |Website |Web Site )?Privacy (?:Policy|Notice|Statement)\b").unwrap()
});

/// "Microsoft uses the data we collect", "Acme only uses the personal information that we
/// receive": a name whose data "we" handle is the name the policy's first person goes by.
/// Group 1 is the name. ASCII word boundaries: this runs over every document, and a Unicode
/// `\b` keeps the regex crate off its fast DFA (whole-corpus extraction took 40% longer).
static OWNER_SELF_REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)([A-Z][A-Za-z0-9_'&.-]*(?: [A-Z][A-Za-z0-9_'&.-]*){0,3}) (?:(?:also|may|will|only|then|generally|primarily|can|might) )*(?:uses|collects|processes|stores|shares|receives|use|collect|process|store|share|receive) (?:the |any |all |such |this )?(?:personal )?(?:information|data)(?: that)? we(?-u:\b)",
    )
    .unwrap()
});

/// 'The term "Bank of America" or "we" or "us" …', 'the terms "Acme", "we" and "our"': a
/// definition of the first person. Group 1 is the name.
static OWNER_TERM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?-u:\b)[Tt]he terms? ["“] ?([A-Z][^"”]{1,40}?) ?["”],? (?:or |and )?["“] ?(?:we|us|our)(?-u:\b)"#)
        .unwrap()
});

/// Names of the owner at most kept from a text: a document may declare a few (the company,
/// its short name, its service), but more means the pattern caught something else.
const MAX_OWNER_NAMES: usize = 8;

impl Owner {
    /// The owner as the text names itself, for a document without metadata: declarations
    /// ('Acme Inc. ("Acme", "we", "our")', "At Acme, we …"), a greeting ("Welcome to Acme")
    /// and a title in the first five sentences ("Acme Privacy Policy").
    pub fn found_in(doc: &Segmented) -> Owner {
        let mut owner = Owner::default();
        for c in OWNER_DECLARATION.captures_iter(&doc.text) {
            owner.add_name(leading_capitalised(&c[1]));
            // 'Acme Media ("Acme", "we")': the short name the text will use.
            for quoted in c[2].split(['"', '“', '”']).map(str::trim) {
                if quoted.chars().next().is_some_and(char::is_uppercase) {
                    owner.add_name(quoted.trim_end_matches(','));
                }
            }
        }
        for c in OWNER_AT.captures_iter(&doc.text) {
            owner.add_name(leading_capitalised(&c[1]));
        }
        for c in OWNER_GREETING.captures_iter(&doc.text) {
            owner.add_name(leading_capitalised(&c[1]));
        }
        for i in 0..doc.sentences.len().min(5) {
            if let Some(c) = OWNER_TITLE.captures(doc.sentence_text(i)) {
                owner.add_name(leading_capitalised(&c[1]));
            }
        }
        for name in self_references(doc) {
            owner.add_name(name);
        }
        owner
    }

    /// This owner with the names the text gives its first person ([`self_references`]):
    /// the Bing policy's "Microsoft uses the data we collect" makes Microsoft the first
    /// party there too. `None` when the text gives none (one scan of the text either way).
    fn named_in(&self, doc: &Segmented) -> Option<Owner> {
        let mut named: Option<Owner> = None;
        for name in self_references(doc) {
            named.get_or_insert_with(|| self.clone()).add_name(name);
        }
        named
    }

    fn add_name(&mut self, name: &str) {
        let key = name_key(name);
        if key.len() >= 2 && !self.keys.contains(&key) && self.keys.len() < MAX_OWNER_NAMES {
            self.keys.push(key);
        }
    }

    fn is_known(&self) -> bool {
        !self.keys.is_empty()
    }
}

/// The names the text gives its first person: [`OWNER_TERM`] definitions and
/// [`OWNER_SELF_REFERENCE`] subjects.
fn self_references(doc: &Segmented) -> impl Iterator<Item = &str> {
    let defined = OWNER_TERM
        .captures_iter(&doc.text)
        .map(|c| c.get(1).map_or("", |g| g.as_str()));
    let subjects = OWNER_SELF_REFERENCE
        .captures_iter(&doc.text)
        .map(|c| leading_capitalised(c.get(1).map_or("", |g| g.as_str())))
        // A sentence's first word is capitalised whatever it is: "This uses the data we …"
        // names no one.
        .filter(|name| !name.is_empty() && !NOT_NAMES.contains(&name.to_lowercase().as_str()));
    defined.chain(subjects)
}

/// The capitalised words a name starts with, up to a title word: "Acme Privacy Center" →
/// "Acme".
fn leading_capitalised(text: &str) -> &str {
    let text = text.trim_start();
    let mut end = 0;
    let mut at = 0;
    for w in text.split(' ') {
        let word = w.trim().trim_end_matches([',', '.']);
        if !word.is_empty()
            && (!word.chars().next().is_some_and(char::is_uppercase)
                || TITLE_WORDS.contains(&word.to_lowercase().as_str()))
        {
            break;
        }
        at += w.len();
        end = at;
        at += 1;
    }
    &text[..end.min(text.len())]
}

/// An organisation's name as an owner key: its words without legal forms ("Bank of America
/// Corporation" → "bankofamerica").
fn name_key(name: &str) -> String {
    let words: Vec<&str> = name
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .filter(|w| !LEGAL_FORMS.contains(&w.to_lowercase().as_str()))
        .collect();
    compact(&words.concat())
}

fn compact(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Extracts the practices of a segmented document whose owner is not known.
pub fn extract(doc: &Segmented, vocab: &Vocabulary, scratch: &mut Scratch) -> Extraction {
    extract_for(doc, &Owner::default(), vocab, scratch)
}

/// Extracts the practices of a segmented document written by `owner`.
pub fn extract_for(
    doc: &Segmented,
    owner: &Owner,
    vocab: &Vocabulary,
    scratch: &mut Scratch,
) -> Extraction {
    let found;
    let owner = if !owner.is_known() {
        found = Owner::found_in(doc);
        &found
    } else if let Some(named) = owner.named_in(doc) {
        found = named;
        &found
    } else {
        owner
    };
    let mut out = Extraction::default();
    let (foreign, warning) = foreign_blocks(doc);
    out.warnings.extend(warning);
    let mut facts: Vec<SentenceFacts> = Vec::with_capacity(doc.sentences.len());
    let mut heading_data: Vec<Option<Vec<Mention>>> = vec![None; doc.blocks.len()];
    let is_heading = |i: usize| doc.blocks[doc.sentences[i].block].kind == BlockKind::Heading;
    let mut doc_tokens = std::mem::take(&mut scratch.doc_tokens);
    doc_tokens.fill(
        doc,
        vocab,
        |i| {
            !foreign[doc.sentences[i].block]
                && (!is_heading(i) || is_date_line(doc.sentence_text(i)))
        },
        &mut scratch.matches,
    );
    for (i, sentence) in doc.sentences.iter().enumerate() {
        let heading = is_heading(i);
        let date_line = is_date_line(doc.sentence_text(i));
        if (heading && !date_line) || foreign[sentence.block] {
            // Headings name topics ("How we use information"), not practices; they lend
            // their data types to their section instead.
            facts.push(SentenceFacts::default());
            continue;
        }
        let (from, to) = doc_tokens.sentences[i];
        let tokens = &doc_tokens.tokens[from..to];
        let words = doc_tokens.words(&doc.text, i);
        let matches = refine_mentions(
            vocab.find_in_words(&doc_tokens.ids[from..to], &mut scratch.matches),
            &words,
            vocab,
            &mut scratch.refine,
        );
        let block = &doc.blocks[sentence.block];
        let mut ctx = SentenceContext {
            doc,
            owner,
            vocab,
            index: i,
            tokens,
            words: &words,
            matches: &matches,
            previous: previous_facts(&facts, doc, i),
            section_data: block
                .section
                .and_then(|h| section_data(doc, vocab, h, &mut heading_data, scratch)),
        };
        let title = heading || looks_like_title(doc.sentence_text(i));
        let mut practices = if title {
            // "Last updated: May 1, 2015": a dated heading states that the policy changes.
            if date_line {
                whole_sentence_practice(&ctx, PracticeKind::Change, None, "date-line")
                    .into_iter()
                    .collect()
            } else {
                Vec::new()
            }
        } else {
            sentence_practices(&mut ctx)
        };
        if practices.is_empty() && block.kind == BlockKind::ListItem {
            if let Some(lead) = block.lead_in {
                practices = list_item_practices(&mut ctx, lead, scratch);
            }
        }
        if practices.is_empty() && !title {
            practices.extend(inclusion_practice(&ctx, &out.practices));
        }
        if practices.is_empty() && !heading {
            practices.extend(item_practice(&ctx, &out.practices));
        }
        if clause::lists_activities(&words) || defines_technology(&ctx) {
            practices.retain(|p| !p.kind.is_data_handling());
        }
        drop_umbrella_subjects(&ctx, &mut practices);
        facts.push(SentenceFacts {
            data: mentions_of(&ctx, Scheme::DataType, 0, tokens.len()),
            recipients: mentions_of(&ctx, Scheme::Recipient, 0, tokens.len()),
            purposes: mentions_of(&ctx, Scheme::Purpose, 0, tokens.len()),
        });
        // A sentence with only anaphora passes on what it resolved to.
        if let Some(last) = facts.last_mut() {
            for p in &practices {
                if last.data.is_empty() {
                    last.data = p.data.clone();
                }
                if last.recipients.is_empty() {
                    last.recipients = p.recipients.clone();
                }
            }
        }
        out.practices.extend(practices);
    }
    scratch.doc_tokens = doc_tokens;
    out
}

/// The tokens of a document's extracted sentences, each with its lexicon word id
/// ([`Vocabulary::word_id`]) and its lowercase word ([`Words`]), both worked out once per
/// distinct token of the document: a policy uses a few hundred words thousands of times,
/// and normalising and looking up every occurrence, then lowercasing it again for the
/// rules, was a fifth of extraction's instructions (profiled). Kept in [`Scratch`], so its
/// buffers are allocated per thread, not per document or sentence.
#[derive(Default)]
pub struct DocTokens {
    tokens: Vec<Token>,
    ids: Vec<u32>,
    /// Each token's lowercase word: a range of `lower`, or ([`SAME_AS_TOKEN`], 0) when it
    /// is the token itself.
    words: Vec<(u32, u32)>,
    lower: String,
    /// Each sentence's range of `tokens` (empty for a sentence not extracted).
    sentences: Vec<(usize, usize)>,
}

/// See [`DocTokens::words`].
const SAME_AS_TOKEN: u32 = u32::MAX;

impl DocTokens {
    /// Tokenises the sentences of `doc` for which `extracted` holds.
    fn fill(
        &mut self,
        doc: &Segmented,
        vocab: &Vocabulary,
        extracted: impl Fn(usize) -> bool,
        matches: &mut MatchScratch,
    ) {
        self.tokens.clear();
        self.ids.clear();
        self.words.clear();
        self.lower.clear();
        self.sentences.clear();
        // Room for the distinct tokens of a typical policy (about one per 16 bytes of
        // text at most), so the map rarely grows while it is filled.
        let mut seen: rustc_hash::FxHashMap<&str, (u32, u32, u32)> =
            rustc_hash::FxHashMap::with_capacity_and_hasher(
                doc.text.len() / 16 + 16,
                Default::default(),
            );
        for (i, s) in doc.sentences.iter().enumerate() {
            let from = self.tokens.len();
            if extracted(i) {
                crate::text::push_tokens(&doc.text, s.start, s.end, &mut self.tokens);
                for t in &self.tokens[from..] {
                    let w = &doc.text[t.start..t.end];
                    let &mut (id, start, end) = seen.entry(w).or_insert_with(|| {
                        let id = vocab.word_id(w, matches);
                        let start = self.lower.len() as u32;
                        if clause::push_lowercase(w, &mut self.lower) {
                            (id, start, self.lower.len() as u32)
                        } else {
                            (id, SAME_AS_TOKEN, 0)
                        }
                    });
                    self.ids.push(id);
                    self.words.push((start, end));
                }
            }
            self.sentences.push((from, self.tokens.len()));
        }
    }

    /// The words of sentence `i`, as [`Words::new`] gives them.
    fn words<'a>(&'a self, text: &'a str, i: usize) -> Words<'a> {
        let (from, to) = self.sentences[i];
        Words::from_lowercase(
            self.tokens[from..to]
                .iter()
                .zip(&self.words[from..to])
                .map(|(t, &(start, end))| {
                    if start == SAME_AS_TOKEN {
                        &text[t.start..t.end]
                    } else {
                        &self.lower[start as usize..end as usize]
                    }
                })
                .collect(),
        )
    }
}

static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:last|recently)\s+(?:updated|revised|modified|amended|changed|update|revision|modification)\b|\beffective\s+(?:date|as\s+of|on)\b",
    )
    .unwrap()
});

/// "Last updated: June 23, 2015", "Effective date: January 19, 2013": the line that dates
/// a policy version.
fn is_date_line(sentence: &str) -> bool {
    sentence.len() < 200 && DATE_LINE.is_match(sentence)
}

/// A heading run into the text ("How We Use and Share Your Personal Information"): most
/// of its longer words are capitalised and it does not end as a sentence does. It names
/// topics, not practices.
fn looks_like_title(sentence: &str) -> bool {
    let trimmed = sentence.trim_end();
    // "Other Information Collected And Shared Within Our Services.", "Your Information
    // Storage and Processing:": a heading that kept a period or colon has every longer word
    // capitalised.
    if let Some(body) = trimmed
        .strip_suffix('.')
        .or_else(|| trimmed.strip_suffix(':'))
    {
        return fully_capitalised(body, 4);
    }
    mostly_capitalised(trimmed, 3)
}

/// Every word of four letters or more capitalised, with at least `min_words` of them.
fn fully_capitalised(text: &str, min_words: usize) -> bool {
    let mut long = 0;
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4 && w.chars().all(char::is_alphabetic))
    {
        if !w.chars().next().is_some_and(char::is_uppercase) {
            return false;
        }
        long += 1;
    }
    long >= min_words
}

/// At least `min_words` words of four letters or more, four in five of them capitalised.
fn mostly_capitalised(text: &str, min_words: usize) -> bool {
    let long: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4 && w.chars().all(char::is_alphabetic))
        .collect();
    let capitalised = long
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    long.len() >= min_words && capitalised * 5 >= long.len() * 4
}

/// "This information may include your IP address and browser type": a category that refers
/// back is spelled out by the data after the inclusion verb; those items are what the
/// practice is about, so the umbrella phrase is no data mention of its own. Only when the
/// practice keeps data named after the verb.
fn drop_umbrella_subjects(ctx: &SentenceContext, practices: &mut [Practice]) {
    let words = ctx.words;
    for at in 0..words.len() {
        if !words.is_any(at, INCLUSION_VERBS) || words.get(at) == "included" {
            continue;
        }
        let mut e = at;
        while e > 0
            && words.is_any(
                e - 1,
                &[
                    "may",
                    "can",
                    "might",
                    "could",
                    "will",
                    "also",
                    "typically",
                    "generally",
                ],
            )
        {
            e -= 1;
        }
        if e == 0 || !words.is_any(e - 1, GENERIC_HEADS) {
            continue;
        }
        let end = ctx.tokens[e - 1].end;
        let after = ctx.tokens[at].end;
        for p in practices.iter_mut() {
            let Some(d) = p.data.iter().find(|d| d.end == end).copied() else {
                continue;
            };
            let Some(s) = ctx.tokens.iter().position(|t| t.start == d.start) else {
                continue;
            };
            let referring = words.is_any(s, &["this", "these", "that", "those", "such"]);
            if referring && p.data.iter().any(|m| m.start >= after) {
                p.data.retain(|m| *m != d);
            }
        }
    }
}

/// Verbs that introduce what a data category contains: "This information may include
/// your IP address and browser type."
const INCLUSION_VERBS: &[&str] = &[
    "include",
    "includes",
    "included",
    "consist",
    "consists",
    "contain",
    "contains",
    "comprise",
    "comprises",
];

/// A sentence with no cue that lists what some data include ("This information may include
/// your browser type and the pages you view") states the practice of the sentence before
/// it on the listed data: the nearest earlier data practice within three sentences, or
/// collection by the first party where there is none (a policy lists data it collects).
fn inclusion_practice(ctx: &SentenceContext, earlier: &[Practice]) -> Option<Practice> {
    let words = ctx.words;
    let at = (0..words.len()).find(|&i| words.is_any(i, INCLUSION_VERBS))?;
    if inclusion_is_instruction(words, at) {
        return None;
    }
    if reader_access_subject(words, at) {
        return None;
    }
    let data = mentions_of(ctx, Scheme::DataType, 0, ctx.tokens.len());
    if data.is_empty() {
        return None;
    }
    let template = earlier
        .iter()
        .rev()
        .take_while(|p| p.sentence + 3 >= ctx.index)
        .find(|p| p.kind.is_about_data() && p.kind != PracticeKind::Protect && !p.data.is_empty());
    let (kind, negated, actor) = template
        .map_or((PracticeKind::Collect, false, Actor::FirstParty), |p| {
            (p.kind, p.negated, p.actor)
        });
    let mut p = whole_sentence_practice(ctx, kind, None, "inclusion")?;
    p.negated = negated;
    p.actor = actor;
    p.data = data;
    Some(p)
}

/// Verbs of the reader reaching their own data: "information you can access", "data you
/// can view or edit".
const READER_ACCESS_VERBS: &[&str] = &[
    "access", "view", "review", "edit", "update", "correct", "see", "change", "manage", "modify",
    "download",
];

/// "Examples of information you can access include …": the subject of the inclusion verb
/// is data the reader can reach, so the list names what the reader sees, not what the
/// service collects.
fn reader_access_subject(words: &Words, at: usize) -> bool {
    (0..at).any(|i| {
        words.get(i) == "you"
            && words.is_any(i + 1, &["can", "may", "might", "could"])
            && (i + 2..(i + 4).min(at)).any(|k| words.is_any(k, READER_ACCESS_VERBS))
    })
}

/// A verbless sentence that starts with data ("Device information such as your hardware
/// model and IP address.", "Your username, password and email", "For example: name and
/// email address when you register") is an item of a list written as paragraphs: it
/// states the practice of the nearest earlier data practice within four sentences on the
/// data it names. Without such a practice nearby it states nothing (a heading or caption).
fn item_practice(ctx: &SentenceContext, earlier: &[Practice]) -> Option<Practice> {
    let words = ctx.words;
    let mut start = 0;
    if words.is_any(0, &["for", "e.g.", "examples", "example"]) {
        start = (0..words.len().min(4)).find(|&i| words.is_any(i, &[":", ","]))? + 1;
    }
    while words.is_any(start, &["-", "*", "•", "·", ")"]) {
        start += 1;
    }
    let data = mentions_of(ctx, Scheme::DataType, 0, ctx.tokens.len());
    let first = data.first()?;
    if first.start != ctx.tokens.get(start)?.start {
        return None;
    }
    // "Cookies are small files …", "Information we collect may be associated …": a
    // sentence with a finite verb is not an item; a technology is not personal data.
    if (0..words.len()).any(|i| words.is_any(i, ITEM_VERBS)) {
        return None;
    }
    if ctx.is_tracking(first.concept) {
        return None;
    }
    // "Contact information.", "Information You Provide to Us": a caption or heading, not
    // an item; an item lists data or qualifies its first one ("… such as", "… you post").
    let first_end = ctx.tokens.iter().position(|t| t.end == first.end)? + 1;
    let qualified = words.is_any(first_end, ITEM_QUALIFIERS);
    let personal = data.iter().filter(|m| !ctx.is_tracking(m.concept)).count();
    let short = words.len() < 7 || words.get(words.len() - 1) == ":";
    if !(personal >= 2 || (qualified && !short))
        || looks_like_caption(ctx.doc.sentence_text(ctx.index))
    {
        return None;
    }
    let template = earlier
        .iter()
        .rev()
        .take_while(|p| p.sentence + 4 >= ctx.index)
        .find(|p| {
            matches!(
                p.kind,
                PracticeKind::Collect
                    | PracticeKind::Use
                    | PracticeKind::Share
                    | PracticeKind::Sell
            ) && !p.data.is_empty()
        })?;
    let mut p = whole_sentence_practice(ctx, template.kind, None, "item")?;
    p.negated = template.negated;
    p.actor = template.actor;
    p.data = data;
    Some(p)
}

/// Finite verbs and auxiliaries that make a sentence a statement rather than a list item.
const ITEM_VERBS: &[&str] = &[
    "is", "are", "was", "were", "may", "will", "can", "could", "would", "should", "does", "do",
    "has", "have", "must", "might",
];
/// Words after an item's first data mention that qualify it: "Device information such as
/// …", "Messages you send", "Email address when you sign up".
const ITEM_QUALIFIERS: &[&str] = &[
    "such",
    "like",
    "(",
    "when",
    "you",
    "that",
    "we",
    "required",
    "of",
    "from",
    "including",
    "provided",
    "collected",
    "for",
    "about",
    "related",
    "associated",
    "which",
    ":",
    "-",
];

/// Most longer words capitalised, ending or not with a period: "Information You Provide to
/// Us."
fn looks_like_caption(sentence: &str) -> bool {
    mostly_capitalised(sentence, 2)
}

/// "Please include your name and account number", "if you would like to opt out, include
/// your mailing address", "be sure to include": the reader is told what to put in a
/// request; nothing is said about what the service collects.
fn inclusion_is_instruction(words: &Words, at: usize) -> bool {
    let whole = Clause {
        start: 0,
        end: words.len(),
    };
    if clause::is_instruction_to_reader(words, &whole, at) {
        return true;
    }
    if !words.is_any(at, &["include", "contain", "consist", "comprise"]) {
        return false;
    }
    let mut j = at;
    while j > 0 && words.get(j - 1) == "also" {
        j -= 1;
    }
    j == 0
        || words.is_any(j - 1, &[",", ";", ":"])
        || (words.get(j - 1) == "to" && words.get(j.saturating_sub(2)) == "sure")
}

struct SentenceContext<'a> {
    doc: &'a Segmented,
    owner: &'a Owner,
    vocab: &'a Vocabulary,
    index: usize,
    tokens: &'a [Token],
    words: &'a Words<'a>,
    matches: &'a [LexiconMatch],
    /// What a sentence just before was about, for anaphora (borrowed, not copied per
    /// sentence: few sentences use it).
    previous: Option<&'a SentenceFacts>,
    section_data: Option<&'a [Mention]>,
}

impl SentenceContext<'_> {
    /// Whether a concept is a tracking technology (a cookie, a pixel, …), which the rules
    /// treat as a means of collection rather than as personal data.
    fn is_tracking(&self, concept: ConceptId) -> bool {
        self.vocab
            .known
            .tracking_technology
            .is_some_and(|t| self.vocab.is_a(concept, t))
    }
}

/// The facts of the nearest earlier sentence in the same or the previous block that names
/// data, for "this information" and "these third parties".
fn previous_facts<'f>(
    facts: &'f [SentenceFacts],
    doc: &Segmented,
    i: usize,
) -> Option<&'f SentenceFacts> {
    let block = doc.sentences[i].block;
    (i.saturating_sub(3)..i)
        .rev()
        .find(|&j| {
            doc.sentences[j].block + 2 >= block
                && (!facts[j].data.is_empty() || !facts[j].recipients.is_empty())
        })
        .map(|j| &facts[j])
}

/// Data types named by a section's heading ("Cookies", "Log Files").
fn section_data<'c>(
    doc: &Segmented,
    vocab: &Vocabulary,
    heading: usize,
    cache: &'c mut [Option<Vec<Mention>>],
    scratch: &mut Scratch,
) -> Option<&'c [Mention]> {
    if cache[heading].is_none() {
        let b = &doc.blocks[heading];
        let tokens = crate::text::tokens(&doc.text, b.start, b.end);
        let found = vocab.find(&doc.text, &tokens, &mut scratch.matches);
        let data = found
            .iter()
            .filter(|m| vocab.scheme(m.concept) == Scheme::DataType)
            .map(|m| Mention {
                concept: m.concept,
                start: tokens[m.first].start,
                end: tokens[m.last - 1].end,
            })
            .collect();
        cache[heading] = Some(data);
    }
    cache[heading].as_deref().filter(|d| !d.is_empty())
}

/// Words that belong to a data mention when they precede it: "your name", "any other
/// information", "the information".
const DETERMINERS: &[&str] = &[
    "your",
    "the",
    "any",
    "such",
    "this",
    "that",
    "these",
    "those",
    "their",
    "our",
    "its",
    "all",
    "other",
    "additional",
    "certain",
    "some",
    "his",
    "her",
    "my",
    "a",
    "an",
    "each",
    "same",
];
/// Heads of generic data phrases the lexicon leaves alone because, bare, they match too much.
const GENERIC_HEADS: &[&str] = &["information", "data", "info", "details"];
/// After a bare "information", words that make it data about someone: "information we
/// collect", "information that you provide", "information collected by cookies".
const GENERIC_QUALIFIERS: &[&str] = &[
    "we",
    "you",
    "that",
    "which",
    "collected",
    "provided",
    "submitted",
    "gathered",
    "received",
    "obtained",
    "stored",
    "sent",
];
/// Words that end an unlisted item of an enumeration: a relative clause, a preposition or
/// a verb begins there ("the pages you view", "a description of the page").
const ITEM_END: &[&str] = &[
    "that",
    "which",
    "who",
    "whom",
    "you",
    "we",
    "they",
    "it",
    "is",
    "are",
    "was",
    "were",
    "be",
    "may",
    "can",
    "will",
    "used",
    "associated",
    "collected",
    "from",
    "to",
    "for",
    "on",
    "in",
    "with",
    "when",
    "about",
    "by",
    "at",
    "through",
    "via",
    "including",
    "such",
    "as",
    "etc",
    "of",
    "if",
    "where",
    "other",
    "\"",
    "'s",
    "also",
    "not",
    "but",
];
/// First words that show an enumeration "item" is a clause or predicate, not data.
const NOT_ITEM_HEADS: &[&str] = &[
    "improve",
    "provide",
    "deliver",
    "remember",
    "make",
    "help",
    "does",
    "do",
    "is",
    "are",
    "send",
    "contact",
    "allow",
    "enable",
    "ensure",
    "prevent",
    "protect",
    "process",
    "respond",
    "offer",
    "show",
    "display",
    "keep",
    "track",
    "analyze",
    "analyse",
    "understand",
    "measure",
    "manage",
    "operate",
    "maintain",
    "create",
    "communicate",
    "customize",
    "personalize",
    "many",
    "more",
    "most",
    "some",
    "how",
    "what",
    "why",
    "when",
    "where",
    "who",
    "described",
    "e.g.",
    "i.e.",
    "e.g",
    "i.e",
    "etc",
    "however",
    "include",
    "includes",
    "including",
    "without",
    "participate",
    "register",
    "subscribe",
    "buy",
    "so",
    "then",
    "also",
    "only",
    "not",
    "please",
    "click",
    "visit",
];
/// Words that open a list of examples of what comes before them ("including X", "e.g. X",
/// "like X"; "such as X" is checked as two words).
const EXAMPLE_OPENERS: &[&str] = &["including", "e.g.", "like"];
/// Separators of enumeration items.
const ITEM_SEPARATORS: &[&str] = &[",", ";", "and", "or", "(", ")", "/", "&", "and/or", ":"];
/// Words after which an enumeration starts ("such as date, time and ...").
const LIST_OPENERS: &[&str] = &[
    "as",
    "including",
    "include",
    "includes",
    "like",
    ":",
    "e.g.",
];

/// Before a one-word data mention, these make it a channel or an event, not data: "by
/// email", "each email", "by phone".
const CHANNEL: &[&str] = &[
    "by", "via", "through", "an", "each", "every", "per", "send", "sending", "sends",
];

/// Adjusts lexicon matches to the span a reader would mark: data mentions take their
/// determiners ("your name"), a determiner or practice verb before a bare "information"
/// makes a generic data mention ("the information", "collect information"), and one-word
/// mentions used as a channel ("by email") are dropped.
fn refine_mentions(
    mut matches: Vec<LexiconMatch>,
    words: &Words,
    vocab: &Vocabulary,
    buffers: &mut RefineBuffers,
) -> Vec<LexiconMatch> {
    let RefineBuffers {
        covered,
        other_taken,
        taken,
        starts,
        enumeration,
    } = buffers;
    let generic = vocab.known.personal_information;
    let is_data = |m: &LexiconMatch| vocab.scheme(m.concept) == Scheme::DataType;
    matches.retain(|m| {
        !(is_data(m) && m.last == m.first + 1 && m.first > 0 && words.is_any(m.first - 1, CHANNEL))
    });
    // "to address any problem", "to contact the winners": a one-word data type used as a
    // verb after "to" and before its object.
    matches.retain(|m| {
        !(is_data(m)
            && m.last == m.first + 1
            && m.first > 0
            && words.get(m.first - 1) == "to"
            && words.is_any(
                m.last,
                &[
                    "any", "the", "a", "an", "our", "your", "these", "this", "such", "all", "them",
                    "you", "us", "their",
                ],
            ))
    });
    // "certain information about you", "the pages you visit": the annotators' span is the
    // noun phrase up to its head; a relative clause or "about …" after it is not part of
    // it (the lexicon label still decides the concept).
    for m in matches.iter_mut().filter(|m| is_data(m)) {
        if let Some(k) = (m.first + 1..m.last).find(|&k| words.is_any(k, MENTION_CUT)) {
            m.last = k;
        }
    }
    // "credit card payments", "data collection technologies", "email newsletters": a data
    // word that modifies another head names that thing, not data.
    matches.retain(|m| !(is_data(m) && words.is_any(m.last, NOT_DATA_HEADS)));
    // "your location information", "user agent information": a generic head right after a
    // lexicon match is the head of its noun phrase.
    // One buffer for the match starts, then the cue ends: one allocation per sentence.
    starts.clear();
    starts.extend(matches.iter().map(|m| m.first));
    for m in matches.iter_mut().filter(|m| is_data(m)) {
        if words.is_any(m.last, GENERIC_HEADS) && !starts.contains(&m.last) {
            m.last += 1;
        }
    }
    // "[time and date of calls]", "[the name of the application]": a measure or label
    // noun takes its "of" phrase, up to a short noun phrase that is not data itself.
    starts.clear();
    starts.extend(matches.iter().map(|m| m.first));
    for m in matches.iter_mut().filter(|m| is_data(m)) {
        if !words.is_any(m.last - 1, OF_HEADS) || words.get(m.last) != "of" {
            continue;
        }
        let mut e = m.last + 1;
        while words.is_any(e, DETERMINERS) && e < m.last + 3 {
            e += 1;
        }
        let head_start = e;
        while e < words.len()
            && e < head_start + 3
            && !starts.contains(&e)
            && words
                .get(e)
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-')
            && !words.is_any(e, ITEM_END)
            && !words.is_any(e, ITEM_SEPARATORS)
        {
            e += 1;
        }
        let next_is_data = starts.contains(&e) && e < head_start + 3;
        if e > head_start && !next_is_data {
            m.last = e;
        }
    }
    falses_into(covered, words.len());
    for m in matches.iter().filter(|m| is_data(m)) {
        covered[m.first..m.last].iter_mut().for_each(|c| *c = true);
    }
    let cue_ends = starts;
    cue_ends.clear();
    cue_ends.extend(
        matches
            .iter()
            .filter(|m| vocab.scheme(m.concept) == Scheme::PracticeKind)
            .map(|m| m.last),
    );
    falses_into(other_taken, words.len());
    for m in matches.iter().filter(|m| !is_data(m)) {
        other_taken[m.first..m.last]
            .iter_mut()
            .for_each(|c| *c = true);
    }
    if let Some(generic) = generic {
        for (i, &done) in covered.iter().enumerate() {
            if done || !words.is_any(i, GENERIC_HEADS) || words.is_any(i + 1, NOT_DATA_HEADS) {
                continue;
            }
            let determined = i > 0 && words.is_any(i - 1, DETERMINERS);
            let object_of_cue = cue_ends
                .iter()
                .any(|&e| e == i || (e + 1 == i && words.get(e) == "us"));
            // "information we collect", "information about you", "Information you give
            // us": the head of a noun phrase whose modifier says whose data it is.
            // "information about your visits", "information on nearby devices",
            // "information regarding your transactions": what the data describe.
            let qualified = words.is_any(i + 1, GENERIC_QUALIFIERS)
                || (words.get(i + 1) == "about" && words.is_any(i + 2, &["you", "your"]))
                || (words.is_any(i + 1, &["about", "on", "regarding", "concerning"])
                    && !words.is_any(i + 2, &["this", "these", "how", "our", "the", "what"]));
            // "Data may be collected through our services", "Information is shared only
            // …": a bare generic head as the subject that opens the sentence.
            let opening_subject = i == 0
                && words.is_any(
                    1,
                    &[
                        "may", "might", "will", "would", "can", "could", "is", "are", "was",
                        "were", "shall",
                    ],
                );
            let qualified = qualified || opening_subject;
            let looked_up = i > 0 && words.is_any(i - 1, &["more", "further"]);
            // "the following types of information", "categories of data"
            let kind_of = i >= 2
                && words.get(i - 1) == "of"
                && words.is_any(
                    i - 2,
                    &[
                        "types",
                        "kinds",
                        "categories",
                        "pieces",
                        "sorts",
                        "forms",
                        "type",
                        "kind",
                        "category",
                        "piece",
                    ],
                );
            // "two types of information: …", "we collect two basic kinds of data": a counted
            // classification announces the data that follow, which are the mentions.
            let counted = kind_of
                && i >= 3
                && (words.is_any(i - 3, COUNTS)
                    || (i >= 4
                        && words.is_any(i - 3, &["basic", "main", "general", "different"])
                        && words.is_any(i - 4, COUNTS)));
            // "device event information", "anonymous analytics data": a generic head with
            // its own modifiers names data.
            let premodified =
                i > 0 && !covered[i - 1] && !other_taken[i - 1] && is_premodifier(words.get(i - 1));
            if (determined || object_of_cue || qualified || premodified || kind_of)
                && !looked_up
                && !counted
            {
                matches.push(LexiconMatch {
                    concept: generic,
                    first: i,
                    last: i + 1,
                });
            }
        }
    }
    // Tokens taken by any match: a mention never grows into another mention or a cue.
    falses_into(taken, words.len());
    for m in matches.iter() {
        taken[m.first..m.last].iter_mut().for_each(|c| *c = true);
    }
    for m in matches
        .iter_mut()
        .filter(|m| vocab.scheme(m.concept) == Scheme::DataType)
    {
        let own = m.first;
        m.first = premodifiers_start(words, taken, m.first);
        m.first = coordinated_adjective_start(words, taken, m.first);
        loop {
            // "guarantee that the information …": "that" before another determiner is a
            // conjunction.
            while m.first > 0
                && words.is_any(m.first - 1, DETERMINERS)
                && !covered_before(covered, m.first)
                && !(words.is_any(m.first - 1, &["that", "this"])
                    && words.is_any(m.first, DETERMINERS))
            {
                m.first -= 1;
            }
            // "your device's unique identifier", "a user's email address": the possessor
            // belongs to the noun phrase, with its own determiner.
            let possessive = m.first > 0
                && !taken[m.first - 1]
                && {
                    let w = words.get(m.first - 1);
                    (w.ends_with("'s") || w.ends_with("s'")) && w.len() > 2
                }
                && !words.is_any(
                    m.first - 1,
                    &[
                        "it's", "that's", "what's", "there's", "here's", "let's", "who's",
                    ],
                );
            // "your devices unique identifier", "our subscribers names": a possessive that
            // lost its apostrophe, after a possessive determiner.
            let bare_possessive = m.first >= 2
                && !taken[m.first - 1]
                && {
                    let w = words.get(m.first - 1);
                    w.len() > 3
                        && w.ends_with('s')
                        && !w.ends_with("ss")
                        && w.chars().all(|c| c.is_ascii_lowercase())
                        && !words.is_any(m.first - 1, NOT_BARE_POSSESSIVE)
                }
                && words.is_any(m.first - 2, &["your", "our", "their", "its"]);
            if !possessive && !bare_possessive {
                break;
            }
            m.first -= 1;
        }
        taken[m.first..own].iter_mut().for_each(|c| *c = true);
    }
    if let Some(item) = vocab.known.listed_item {
        let found = enumeration_items(words, &matches, vocab, enumeration);
        matches.extend(found.into_iter().map(|(first, last)| LexiconMatch {
            concept: item,
            first,
            last,
        }));
    }
    matches.sort_by_key(|m| (m.first, m.last));
    merge_adjacent_data(&mut matches, words, vocab);
    matches
}

/// "your profile picture", "referring website addresses", "video viewing information": two
/// data mentions with nothing between them are one noun phrase, named by its head (the
/// second). A repeated phrase ("log data Log data", a heading run into its text) or a second
/// phrase with its own determiner starts a new one.
fn merge_adjacent_data(matches: &mut Vec<LexiconMatch>, words: &Words, vocab: &Vocabulary) {
    let is_data = |m: &LexiconMatch| vocab.scheme(m.concept) == Scheme::DataType;
    let mut k = 0;
    while k + 1 < matches.len() {
        let (a, b) = (matches[k], matches[k + 1]);
        let same_words = b.last - b.first == a.last - a.first
            && (0..a.last - a.first).all(|i| words.get(a.first + i) == words.get(b.first + i));
        let joined = is_data(&a)
            && is_data(&b)
            && a.last == b.first
            && !same_words
            && !words.is_any(b.first, DETERMINERS)
            && !words.is_any(b.first, ITEM_SEPARATORS)
            && !matches[k + 2..]
                .iter()
                .any(|c| c.first < b.last && !is_data(c));
        if joined {
            matches[k + 1].first = a.first;
            matches.remove(k);
        } else {
            k += 1;
        }
    }
}

/// Words in "s" that are no possessor after "your"/"our": "your is", "our services".
const NOT_BARE_POSSESSIVE: &[&str] = &[
    "this",
    "does",
    "always",
    "sometimes",
    "perhaps",
    "thus",
    "plus",
    "unless",
    "whereas",
    "services",
    "sites",
    "websites",
    "products",
    "apps",
    "applications",
    "systems",
    "servers",
    "records",
    "files",
    "settings",
    "options",
    "preferences",
    "choices",
    "rights",
];

/// Makes `v` `n` times false, keeping its allocation (`resize`, not `vec![false; n]`, whose
/// calloc glibc serves without its per-thread cache: profiled, the per-sentence flag
/// vectors made calloc a visible cost).
fn falses_into(v: &mut Vec<bool>, n: usize) {
    v.clear();
    v.resize(n, false);
}

/// The per-sentence flag and position buffers of [`refine_mentions`] and
/// [`enumeration_items`], kept in [`Scratch`]: allocated per thread rather than several
/// times per sentence (profiled: 2.7 million allocations for 91,000 sentences, five of them
/// per sentence here).
#[derive(Default)]
pub struct RefineBuffers {
    covered: Vec<bool>,
    other_taken: Vec<bool>,
    taken: Vec<bool>,
    starts: Vec<usize>,
    enumeration: EnumerationBuffers,
}

/// See [`RefineBuffers`].
#[derive(Default)]
pub struct EnumerationBuffers {
    is_data: Vec<bool>,
    is_other: Vec<bool>,
    accepted: Vec<bool>,
    segments: Vec<(usize, usize)>,
}

/// Numbers that count kinds of data: "two types of information".
const COUNTS: &[&str] = &["two", "three", "four", "five", "2", "3", "4", "5", "both"];

/// Items of an enumeration of data that the lexicon does not know: in "we gather date,
/// time, your IP address and browser type", "date" and "time" sit between known data
/// items, so they are data too. An unknown item counts when the items on both sides are
/// data, or when it is the last item ("…, X and Y") after a data item, or the first item
/// after "such as"/"including"/":" before a data item. Items are cut before a relative
/// clause or preposition and are at most five words long.
fn enumeration_items(
    words: &Words,
    matches: &[LexiconMatch],
    vocab: &Vocabulary,
    buffers: &mut EnumerationBuffers,
) -> Vec<(usize, usize)> {
    let EnumerationBuffers {
        is_data,
        is_other,
        accepted,
        segments,
    } = buffers;
    let n = words.len();
    // Every item found is next to a data mention (or describes one): without any, none.
    if !matches
        .iter()
        .any(|m| vocab.scheme(m.concept) == Scheme::DataType)
    {
        return Vec::new();
    }
    falses_into(is_data, n);
    falses_into(is_other, n);
    for m in matches {
        let mark = match vocab.scheme(m.concept) {
            Scheme::DataType => &mut *is_data,
            Scheme::Purpose | Scheme::Recipient | Scheme::PracticeKind => &mut *is_other,
            _ => continue,
        };
        mark[m.first..m.last].iter_mut().for_each(|c| *c = true);
    }
    // Segments: maximal runs of non-separator tokens.
    segments.clear();
    let mut i = 0;
    while i < n {
        if words.is_any(i, ITEM_SEPARATORS) {
            i += 1;
            continue;
        }
        let s = i;
        while i < n && !words.is_any(i, ITEM_SEPARATORS) {
            i += 1;
        }
        segments.push((s, i));
    }
    // An accepted item counts as data for its neighbours ("such as crashes, system
    // activity, hardware settings, browser type"), so the search repeats until nothing
    // new is found.
    falses_into(accepted, segments.len());
    let mut out = Vec::new();
    // "page interaction information (such as scrolling, clicks and mouse-overs)": the items
    // of a "such as" / "including" / "e.g." list right after a data mention are examples
    // of that data, whatever the lexicon knows of them.
    for k in 0..segments.len() {
        let seg = segments[k];
        let Some(j) =
            (seg.0..seg.1).find(|&j| words.is_any(j, EXAMPLE_OPENERS) || words.get(j) == "as")
        else {
            continue;
        };
        let opener = if words.get(j) != "as" {
            j
        } else if j > seg.0 && words.get(j - 1) == "such" {
            j - 1
        } else {
            continue;
        };
        let mut p = opener;
        if opener == seg.0 {
            while p > 0 && words.is_any(p - 1, &["(", ","]) {
                p -= 1;
            }
        }
        // "information about your use of the site, such as pages you visit": the examples
        // are of the data the prepositional phrase describes.
        let described = |p: usize| {
            (p.saturating_sub(10)..p.saturating_sub(2)).any(|x| {
                is_data[x]
                    && !is_data[x + 1]
                    && words.is_any(x + 1, &["about", "on", "regarding", "concerning"])
                    && !(x + 1..p).any(|y| words.is_any(y, ITEM_SEPARATORS) && words.get(y) != "(")
            })
        };
        // "we ask for information such as your name, birth date and occupation": a bare
        // generic head, no mention of its own, still announces data examples.
        let generic_before = |p: usize| words.is_any(p - 1, GENERIC_HEADS);
        if p == 0 || !(is_data[p - 1] || described(p) || generic_before(p)) || j + 1 >= seg.1 {
            continue;
        }
        let mut q = k;
        let mut start = j + 1;
        loop {
            let (from, to) = (start, segments[q].1);
            if !accepted[q] && !(from..to).any(|x| is_data[x]) {
                let mut end = from;
                if words.get(from) == "other" && from + 1 < to {
                    end += 1;
                }
                while end < to && !words.is_any(end, ITEM_END) && words.get(end) != "." {
                    end += 1;
                }
                let end = if other_non_data(words, from, end) {
                    from
                } else {
                    end
                };
                let head = words.get(from);
                let noun = end > from
                    && end - from <= 4
                    && !words.is_any(from, NOT_ITEM_HEADS)
                    && !words.is_any(from, &["whether", "you", "us", "them", "yourself"])
                    && !head.ends_with("ly")
                    && !(from..end).all(|x| words.is_any(x, DETERMINERS))
                    && !(from..end).any(|x| is_other[x])
                    && (from..end).any(|x| words.get(x).chars().any(char::is_alphabetic));
                if noun {
                    accepted[q] = true;
                    out.push((from, end));
                }
            }
            let same_list = q + 1 < segments.len()
                && (segments[q].1..segments[q + 1].0)
                    .all(|x| words.is_any(x, &[",", "and", "or", "/"]));
            if !same_list {
                break;
            }
            q += 1;
            start = segments[q].0;
        }
    }
    for _ in 0..4 {
        let found_before = out.len();
        for (k, seg) in segments.iter().enumerate() {
            let data_at =
                |j: usize| accepted[j] || (segments[j].0..segments[j].1).any(|x| is_data[x]);
            if data_at(k) {
                continue;
            }
            let next = segments.get(k + 1).copied();
            let prev_data = k > 0 && data_at(k - 1);
            let next_data = k + 1 < segments.len() && data_at(k + 1);
            let before = |j: usize| j > 0 && words.is_any(j - 1, &["and", "or"]);
            let closes =
                next.is_none_or(|x| (seg.1..x.0).any(|j| matches!(words.get(j), ";" | ":" | ")")));
            let mut start = seg.0;
            // Between two data items, or the last of three or more ("…, X and Y"). Two
            // unknown items may stand together between data items of one list ("your phone
            // number, calling-party number, forwarding numbers, time of calls").
            let same_list = |a: usize, b: usize| {
                (segments[a].1..segments[b].0).all(|j| words.is_any(j, &[",", "and", "or", "/"]))
            };
            let data_left = prev_data
                || (k >= 2 && data_at(k - 2) && same_list(k - 2, k - 1) && same_list(k - 1, k));
            let data_right = next_data
                || (k + 2 < segments.len()
                    && data_at(k + 2)
                    && same_list(k, k + 1)
                    && same_list(k + 1, k + 2));
            let between = ((prev_data && next_data)
                || (data_left && data_right && same_list(k - 1, k) && same_list(k, k + 1)))
                && !words.is_any(seg.0.wrapping_sub(1), &[":"]);
            let last_item = prev_data && before(seg.0) && closes && k >= 2 && data_at(k - 2);
            let candidate = if between || last_item {
                true
            } else if next_data && !prev_data {
                // "such as date, time": the first item follows a list opener in its segment.
                match (seg.0..seg.1)
                    .rev()
                    .find(|&j| words.is_any(j, LIST_OPENERS))
                {
                    Some(j) if j + 1 < seg.1 => {
                        start = j + 1;
                        true
                    }
                    _ => false,
                }
            } else {
                false
            };
            if !candidate {
                continue;
            }
            let mut end = start;
            // "… and other content you post": "other" opens the item, it does not end it.
            if words.get(start) == "other" && start + 1 < seg.1 {
                end += 1;
            }
            while end < seg.1 && !words.is_any(end, ITEM_END) && words.get(end) != "." {
                end += 1;
            }
            if other_non_data(words, start, end) {
                continue;
            }
            let len = end - start;
            let alphabetic = (start..end).any(|j| words.get(j).chars().any(char::is_alphabetic));
            let only_determiners = (start..end).all(|j| words.is_any(j, DETERMINERS));
            let other_concept = (start..end).any(|j| is_other[j]);
            // A verb, adverb or adjective heads a clause or a predicate, not a data item:
            // "improve our visitors' experiences", "commercially available", "interesting".
            let head = (start..end)
                .find(|&j| !words.is_any(j, DETERMINERS))
                .map_or("", |j| words.get(j));
            let not_a_noun = head.ends_with("ly")
                || (head.ends_with("ing") && end - start == 1)
                || words.is_any(start, NOT_ITEM_HEADS)
                || head.ends_with("able")
                || head.ends_with("ful");
            if len == 0 || len > 5 || !alphabetic || only_determiners || other_concept || not_a_noun
            {
                continue;
            }
            accepted[k] = true;
            out.push((start, end));
        }
        if out.len() == found_before {
            break;
        }
    }
    out
}

/// "other technologies", "other purposes", "other sites": an "other …" list item whose head
/// names no data.
fn other_non_data(words: &Words, start: usize, end: usize) -> bool {
    end > start + 1
        && words.get(start) == "other"
        && (words.is_any(end - 1, NOT_DATA_HEADS)
            || words.is_any(
                end - 1,
                &[
                    "purposes", "services", "sites", "websites", "means", "ways", "reasons",
                ],
            ))
}

/// Nouns that measure or label something and take it in an "of" phrase: "time and date of
/// your search", "duration of calls", "the name of the application".
const OF_HEADS: &[&str] = &[
    "time",
    "date",
    "duration",
    "type",
    "types",
    "name",
    "kind",
    "version",
    "length",
    "frequency",
];

/// Heads that a data word before them only modifies: "[credit card] payments", "[data]
/// collection technologies", "[email] newsletters" name payments, technologies and
/// messages, not data.
const NOT_DATA_HEADS: &[&str] = &[
    "collection",
    "processing",
    "payments",
    "payment",
    "problems",
    "interactions",
    "newsletters",
    "newsletter",
    "messages",
    "distribution",
    "campaigns",
    "notifications",
    "notification",
    "alerts",
    "practices",
    "technologies",
    "technology",
    "methods",
    "providers",
    "provider",
    // "the credit card processor", "payment card processors", "the appropriate credit
    // card company": the party that handles the data, not the data.
    "processor",
    "processors",
    "company",
    "companies",
    "issuer",
    "issuers",
];

/// Words inside a lexicon match where the noun phrase of the mention ends: a relative
/// clause ("the pages you visit", "information that identifies you") or "about …".
const MENTION_CUT: &[&str] = &["you", "we", "that", "which", "who", "about", "they", "i"];

/// Words that never premodify a data noun: function words, pronouns, auxiliaries, and the
/// verbs that take data as their object ("provide email address").
const NOT_PREMODIFIER: &[&str] = &[
    "of",
    "to",
    "for",
    "with",
    "from",
    "by",
    "at",
    "in",
    "on",
    "about",
    "as",
    "via",
    "through",
    "into",
    "over",
    "under",
    "after",
    "before",
    "during",
    "upon",
    "within",
    "without",
    "between",
    "among",
    "than",
    "like",
    "per",
    "including",
    "such",
    "and",
    "or",
    "but",
    "nor",
    "so",
    "if",
    "when",
    "while",
    "because",
    "whether",
    "unless",
    "where",
    "how",
    "why",
    "we",
    "you",
    "they",
    "it",
    "he",
    "she",
    "us",
    "them",
    "i",
    "me",
    "who",
    "which",
    "that",
    "what",
    "whose",
    "whom",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "am",
    "has",
    "have",
    "had",
    "do",
    "does",
    "did",
    "may",
    "might",
    "can",
    "could",
    "will",
    "would",
    "shall",
    "should",
    "must",
    "not",
    "no",
    "more",
    "most",
    "less",
    "only",
    "also",
    "just",
    "even",
    "very",
    "much",
    "many",
    "then",
    "there",
    "here",
    "now",
    "please",
    "e.g.",
    "i.e.",
    "etc",
    "provide",
    "give",
    "send",
    "enter",
    "submit",
    "share",
    "request",
    "require",
    "ask",
    "obtain",
    "keep",
    "store",
    "view",
    "visit",
    "access",
    "update",
    "delete",
    "change",
    "correct",
    "contact",
    "verify",
    "confirm",
    "protect",
    "disclose",
    "include",
    "contain",
    "identify",
    "display",
    "post",
    "create",
    "choose",
    "receive",
    "link",
    "associate",
    "combine",
    "process",
    "track",
    "record",
    "log",
    "use",
    "collect",
    "retain",
    "transfer",
    "sell",
    "rent",
    "trade",
    "know",
    "see",
    "find",
    "make",
    "let",
    "help",
    "allow",
    "enable",
    "ensure",
    "remove",
    "review",
    "edit",
    "limit",
    "gather",
    "same",
    "both",
    "own",
    "new",
    "following",
    "above",
    "below",
    "following",
    "non",
    "either",
    "neither",
    "each",
    "every",
    "any",
    "all",
    "other",
    "some",
    "few",
    "several",
    "various",
    "specific",
    "particular",
    "certain",
    "additional",
    "further",
    "relevant",
    "necessary",
    "required",
    "requested",
    "optional",
    "generally",
];
/// "-ing" words that premodify data ("browsing history", "billing address"); other "-ing"
/// words before a mention are verbs or prepositions ("including", "using").
const ING_PREMODIFIERS: &[&str] = &[
    "browsing",
    "billing",
    "shipping",
    "mailing",
    "banking",
    "viewing",
    "purchasing",
    "shopping",
    "listening",
    "reading",
    "searching",
    "networking",
    "tracking",
    "booking",
    "login",
    "logging",
    "messaging",
    "calling",
    "routing",
];

/// Whether a word can premodify a data noun inside its noun phrase.
fn is_premodifier(w: &str) -> bool {
    if w.is_empty() || !w.chars().all(|c| c.is_alphabetic() || c == '-') || w.starts_with('-') {
        return false;
    }
    if NOT_PREMODIFIER.contains(&w) || w.ends_with("ly") || w.ends_with("'s") {
        return false;
    }
    if w.ends_with("ing") {
        return ING_PREMODIFIERS.contains(&w);
    }
    // Plural nouns and third-person verbs ("provides", "allows") rarely premodify.
    !w.ends_with('s') || w.ends_with("ss") || w.ends_with("us") || w.len() <= 3
}

/// Where a data mention starts once the nouns and adjectives before its lexicon label are
/// included ("[unique device identifiers]", "[session identification number]",
/// "[Internet Protocol (IP) address]"): at most three words, and an acronym in brackets.
fn premodifiers_start(words: &Words, taken: &[bool], first: usize) -> usize {
    let mut f = first;
    let mut added = 0;
    while f > 0 && added < 3 {
        // "Internet Protocol ( "IP" ) address": a bracketed acronym is part of the phrase.
        if words.get(f - 1) == ")" {
            let open = (f.saturating_sub(5)..f - 1)
                .rev()
                .find(|&j| words.get(j) == "(");
            let Some(open) = open else { break };
            let inside_ok = (open + 1..f - 1).all(|j| {
                let w = words.get(j);
                w == "\"" || w == "'" || (w.len() <= 5 && w.chars().all(char::is_alphabetic))
            }) && open + 1 < f - 1;
            let before_ok = open > 0 && is_premodifier(words.get(open - 1)) && !taken[open - 1];
            if !(inside_ok && before_ok) {
                break;
            }
            f = open;
            continue;
        }
        // A determiner ends the noun phrase on the left ("give Google your address");
        // the determiner step includes it.
        if taken[f - 1] || words.is_any(f - 1, DETERMINERS) || !is_premodifier(words.get(f - 1)) {
            break;
        }
        f -= 1;
        added += 1;
    }
    f
}

/// Adjectives coordinated with the mention's own premodifier: "[aggregate or anonymous
/// data]", "[personal and non-personal information]", "[physical or postal address]".
fn coordinated_adjective_start(words: &Words, taken: &[bool], first: usize) -> usize {
    if first < 2 || !words.is_any(first - 1, &["and", "or"]) || taken[first - 2] {
        return first;
    }
    let w = words.get(first - 2);
    let adjective = [
        "al", "ic", "ous", "ate", "ated", "ified", "ive", "ary", "ble", "ical", "ional",
    ]
    .iter()
    .any(|s| w.ends_with(s))
        && is_premodifier(w)
        && w.len() > 3;
    if adjective {
        first - 2
    } else {
        first
    }
}

/// Whether the token before `first` already belongs to another data mention.
fn covered_before(covered: &[bool], first: usize) -> bool {
    first >= 1 && covered[first - 1]
}

fn mention(ctx: &SentenceContext, m: &LexiconMatch) -> Mention {
    Mention {
        concept: m.concept,
        start: ctx.tokens[m.first].start,
        end: ctx.tokens[m.last - 1].end,
    }
}

/// Ages written out in words ("under the age of thirteen").
const AGE_WORDS: &[&str] = &[
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty-one",
];

/// "the age of 13" states an age limit; the word "age" there is not personal data.
fn is_age_limit(ctx: &SentenceContext, m: &LexiconMatch) -> bool {
    let is_number = |w: &str| {
        (!w.is_empty() && w.bytes().all(|b| b.is_ascii_digit())) || AGE_WORDS.contains(&w)
    };
    let number = ctx.words.get(m.last + 1);
    if ctx.words.get(m.last) == "of" && is_number(number) {
        return true;
    }
    // "under age 13", "13 years of age", "the age of majority"
    ctx.words.get(m.last - 1) == "age"
        && (is_number(ctx.words.get(m.last))
            || (m.first >= 2
                && ctx.words.get(m.first - 1) == "of"
                && ctx.words.is_any(m.first - 2, &["years", "year"]))
            || (ctx.words.get(m.last) == "of" && ctx.words.get(m.last + 1) == "majority"))
}

fn mentions_of(ctx: &SentenceContext, scheme: Scheme, from: usize, to: usize) -> Vec<Mention> {
    ctx.matches
        .iter()
        .filter(|m| m.first >= from && m.last <= to && ctx.vocab.scheme(m.concept) == scheme)
        .filter(|m| scheme != Scheme::DataType || !is_age_limit(ctx, m))
        .map(|m| mention(ctx, m))
        .collect()
}

/// A practice cue found in a clause.
struct Cue {
    kind: PracticeKind,
    first: usize,
    last: usize,
    /// The tokens whose data mentions the cue governs (its subject and object); `None`
    /// for the whole clause.
    scope: Option<(usize, usize)>,
}

fn cues_in(ctx: &SentenceContext, clause: &Clause) -> Vec<Cue> {
    let mut cues = Vec::new();
    for m in ctx.matches {
        if m.first < clause.start || m.last > clause.end {
            continue;
        }
        let c = ctx.vocab.concept(m.concept);
        if c.scheme != Scheme::PracticeKind {
            continue;
        }
        let Some(mut kind) = PracticeKind::parse(c.local_name()) else {
            continue;
        };
        // Only for the cues of this clause (it scans the sentence's matches).
        let topic_at = chain_start(ctx, m.first);
        // "Acme stores your email address": retention by the service, and its collection.
        let owner_stores =
            kind == PracticeKind::Retain && stored_by_owner(ctx, clause, m.first, m.last);
        let real = owner_stores || clause::cue_is_real(ctx.words, kind, m.first, m.last);
        if !real || clause::is_topic_not_practice(ctx.words, topic_at) {
            continue;
        }
        if matches!(kind, PracticeKind::Collect | PracticeKind::Use) && modifies_data(ctx, m.first)
        {
            continue;
        }
        if clause::is_instruction_to_reader(ctx.words, clause, m.first) {
            continue;
        }
        // The reader's own control over data, and advice to the reader, state no
        // practice of the service.
        if kind.is_data_handling()
            && (clause::reader_controls(ctx.words, clause, m.first)
                || clause::is_advice(ctx.words, clause, m.first))
        {
            continue;
        }
        // "when you share information publicly", "once you have shared content with other
        // services": what the reader does, under a condition, is no practice of the service.
        if kind == PracticeKind::Share
            && readers_conditional_act(ctx.words, m.first)
            && !clause::is_given_to_us(ctx.words, clause, m.last)
        {
            continue;
        }
        // "you share information when you post a review": the reader gives the data to
        // the service; with no recipient named, the service collects it.
        let reader_shares = kind == PracticeKind::Share
            && clause::reader_is_subject(ctx.words, m.first)
            && !(m.last..clause.end).any(|i| ctx.words.is_any(i, &["with", "publicly"]))
            && !ctx.matches.iter().any(|r| {
                r.first >= m.last
                    && r.last <= clause.end
                    && ctx.vocab.scheme(r.concept) == Scheme::Recipient
            });
        if reader_shares {
            kind = PracticeKind::Collect;
        }
        if kind == PracticeKind::Share
            && (clause::is_given_to_us(ctx.words, clause, m.last)
                || is_given_to_owner(ctx, clause, m.first, m.last))
        {
            kind = PracticeKind::Collect;
        }
        // "A unique email address must be supplied to register", "you may be invited to
        // provide personal information to enhance your experience": a handover whose "to"
        // opens a purpose names no receiver; what the reader hands over, or what is handed
        // over with no giver named, the service collects.
        if kind == PracticeKind::Share
            && m.last > m.first + 1
            && ctx.words.get(m.last - 1) == "to"
            && purpose_starts(ctx, m.last - 1)
            && (ctx.words.get(m.first).ends_with("ed") || reader_gives(ctx.words, m.first))
        {
            kind = PracticeKind::Collect;
        }
        // "to share information with you about our products", "purposes disclosed to you":
        // telling the reader is not a disclosure to another party.
        if kind == PracticeKind::Share && clause::is_told_to_reader(ctx.words, clause, m.last) {
            continue;
        }
        // Checked again once a disclosure to us became a collection ("the information
        // you disclose", "the data you have provided to us"), and from the first verb of a
        // coordination ("the information we collect or receive").
        if matches!(kind, PracticeKind::Collect | PracticeKind::Use)
            && (modifies_data(ctx, m.first) || modifies_data(ctx, topic_at))
        {
            continue;
        }
        cues.push(Cue {
            kind,
            first: m.first,
            last: m.last,
            scope: None,
        });
        if owner_stores {
            cues.push(Cue {
                kind: PracticeKind::Collect,
                first: m.first,
                last: m.last,
                scope: None,
            });
        }
    }
    // "We provide the information to trusted partners under confidentiality agreements":
    // a cue of another kind does not hide the handover.
    if !cues.iter().any(|q| q.kind.is_data_handling()) {
        cues.extend(handover_cue(ctx, clause));
    }
    cues
}

/// "reddit stores the IP addresses", "Valve also stores a unique key", "we will store":
/// the first party storing data, named or as "we", in the active voice, holds it, so it
/// collected it; "is stored", "to store" and "for 90 days" alone state retention only.
fn stored_by_owner(ctx: &SentenceContext, clause: &Clause, first: usize, last: usize) -> bool {
    let words = ctx.words;
    if last != first + 1 || !words.is_any(first, &["store", "stores"]) {
        return false;
    }
    let j = clause::start_of_run_before(
        words,
        first,
        &[
            "also",
            "may",
            "will",
            "only",
            "then",
            "might",
            "can",
            "automatically",
            "generally",
            "currently",
            "securely",
            // "we do not store", "Acme never stores": the negation is the cue's own
            "not",
            "never",
            "do",
            "does",
        ],
        5,
    );
    j > clause.start
        && (words.get(j - 1) == "we"
            || names_owner(ctx, j - 1, j)
            // "reddit stores …", "when you sign in, Valve stores …": a one-word subject
            // opening the clause or following a comma, that the lexicon does not know
            // (neither data nor another party), is the service's own name.
            || ((j - 1 == clause.start || words.get(j - 2) == ",")
                && words.get(j - 1).chars().all(char::is_alphabetic)
                && !words.is_any(j - 1, NOT_STORING_SUBJECTS)
                && !ctx.matches.iter().any(|r| r.first < j && r.last >= j)))
}

/// Subjects that open a clause before "store(s)" without being the service.
const NOT_STORING_SUBJECTS: &[&str] = &[
    "you",
    "they",
    "it",
    "this",
    "these",
    "those",
    "which",
    "that",
    "who",
    "cookies",
    "cookie",
    "browsers",
    "browser",
    "devices",
    "device",
    "partners",
    "providers",
    "others",
];

/// "when you share", "if you have disclosed", "once you choose to post": the reader as the
/// subject of the verb at `cue`, in a clause opened by a conjunction of time or condition.
fn readers_conditional_act(words: &Words, cue: usize) -> bool {
    let j = clause::start_of_run_before(
        words,
        cue,
        &[
            "can", "may", "might", "will", "also", "have", "has", "choose", "to", "decide", "ever",
            "already",
        ],
        usize::MAX,
    );
    j >= 2
        && words.get(j - 1) == "you"
        && words.is_any(
            j - 2,
            &["when", "whenever", "once", "if", "where", "after", "before"],
        )
}

/// "you provide", "you may be asked to provide", "users are invited to supply": the reader
/// is the subject of the verb at `cue`, through modals and a passive request.
fn reader_gives(words: &Words, cue: usize) -> bool {
    let j = clause::start_of_run_before(
        words,
        cue,
        &[
            "can",
            "may",
            "might",
            "will",
            "also",
            "to",
            "choose",
            "be",
            "are",
            "asked",
            "invited",
            "required",
            "requested",
            "need",
            "want",
            "wish",
        ],
        6,
    );
    j > 0 && words.is_any(j - 1, &["you", "users", "visitors", "customers"])
}

/// "the information you send to Acme", "data sent to Acme", "share it with Acme" in Acme's
/// own policy: what is handed to the owner is collected by the first party, as "to us" is.
/// As in [`clause::is_given_to_us`], the first "with" names who receives the data.
fn is_given_to_owner(
    ctx: &SentenceContext,
    clause: &Clause,
    cue_first: usize,
    cue_last: usize,
) -> bool {
    let words = ctx.words;
    if words.is_any(cue_last - 1, &["to", "with"]) && cue_last > cue_first + 1 {
        return owner_at(ctx, cue_last);
    }
    for i in cue_last..clause.end.min(cue_last + 8) {
        if words.is_any(i, &["to", "with"]) && owner_at(ctx, i + 1) {
            return true;
        }
        if words.get(i) == "with" {
            return false;
        }
    }
    false
}

/// Whether the owner's name (after an optional "the") starts at token `i`: "Acme",
/// "the Acme Group", "Acme's".
fn owner_at(ctx: &SentenceContext, i: usize) -> bool {
    let first = if ctx.words.get(i) == "the" { i + 1 } else { i };
    first < ctx.tokens.len()
        && ctx.doc.text[ctx.tokens[first].start..]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
        && (first + 1..=(first + 4).min(ctx.tokens.len())).any(|k| names_owner(ctx, first, k))
}

/// Verbs of handing something over, which the lexicon lists only in fixed phrases.
const HANDOVER_VERBS: &[&str] = &[
    "provide",
    "provides",
    "give",
    "gives",
    "supply",
    "supplies",
    "furnish",
    "furnishes",
    "send",
    "sends",
];

/// Nouns that name another party as the receiver of a handover, besides
/// [`THIRD_PARTY_SUBJECTS`]: "give that business your name", "provide it to a potential
/// buyer", "send it to sites you sign in to".
const RECEIVERS: &[&str] = &[
    "business",
    "businesses",
    "party",
    "counter-party",
    "counterparty",
    "organization",
    "organizations",
    "organisation",
    "organisations",
    "entity",
    "entities",
    "buyer",
    "buyers",
    "purchaser",
    "purchasers",
    "acquirer",
    "successor",
    "sites",
    "websites",
];

/// "We provide the information to trusted partners", "we do not give that business your
/// name", "we provide these companies only with the information they need", "we make your
/// email address available to advertisers": a handover verb whose data goes to another
/// party is a disclosure. The other party is a recipient (after at most two modifiers:
/// "to carefully selected partners") or a third-party noun; "us" and "you" are not others.
fn handover_cue(ctx: &SentenceContext, clause: &Clause) -> Option<Cue> {
    let words = ctx.words;
    let scheme_at = |i: usize, scheme: Scheme| {
        ctx.matches
            .iter()
            .find(|m| m.first == i && ctx.vocab.scheme(m.concept) == scheme)
    };
    let other_at = |i: usize| {
        scheme_at(i, Scheme::Recipient).is_some()
            || (i..(i + 3).min(clause.end))
                .any(|k| words.is_any(k, THIRD_PARTY_SUBJECTS) || words.is_any(k, RECEIVERS))
            || (i + 1..(i + 3).min(clause.end)).any(|k| {
                scheme_at(k, Scheme::Recipient).is_some()
                    && !(i..k).any(|j| words.is_any(j, &["to", "with", ",", "and", "or"]))
            })
    };
    for v in clause.start..clause.end {
        let make = words.is_any(v, &["make", "makes"]);
        if !(words.is_any(v, HANDOVER_VERBS) || make) || clause::reader_is_subject(words, v) {
            continue;
        }
        // "give that business your name": recipient first, then the data.
        let mut k = v + 1;
        while k < clause.end && words.is_any(k, DETERMINERS) {
            k += 1;
        }
        let recipient_first = other_at(k) && !words.is_any(k, &["us", "you"]) && !owner_at(ctx, k);
        // The data: a mention starting within three words of the verb (or of "with").
        let data = (v + 1..(v + 9).min(clause.end)).find_map(|i| scheme_at(i, Scheme::DataType));
        let Some(d) = data else { continue };
        if make
            && !(d.last..(d.last + 3).min(clause.end))
                .any(|i| words.is_any(i, &["available", "accessible"]) && words.get(i + 1) == "to")
        {
            continue;
        }
        // "provide aggregated data about how users use the services to third parties": the
        // receiver may follow what describes the data, up to a comma.
        let to_other = (d.last..(d.last + 10).min(clause.end))
            .take_while(|&i| !words.is_any(i, &[",", ";", ":"]))
            .find(|&i| {
                words.is_any(i, &["to", "with"])
                    && (i < d.last + 3 || {
                        let mut r = i + 1;
                        while r < clause.end && words.is_any(r, DETERMINERS) {
                            r += 1;
                        }
                        other_at(r)
                    })
            })
            .is_some_and(|i| {
                let mut r = i + 1;
                while r < clause.end && words.is_any(r, DETERMINERS) {
                    r += 1;
                }
                !words.is_any(r, &["us", "you", "your"]) && other_at(r) && !owner_at(ctx, r)
            });
        if (recipient_first && d.first <= k + 6) || (to_other && d.first <= v + 4) {
            return Some(Cue {
                kind: PracticeKind::Share,
                first: v,
                last: v + 1,
                scope: None,
            });
        }
    }
    None
}

/// Words that join coordinated cue verbs: "how we collect, use, and share".
const CUE_CHAIN: &[&str] = &[
    ",", "and", "or", "and/or", "/", "also", "may", "might", "can", "will", "we",
];

/// The first cue of the coordination the cue at `first` belongs to ("collect" for "share"
/// in "how we collect, use, and share"), so that a topic word before the first verb governs
/// them all.
fn chain_start(ctx: &SentenceContext, first: usize) -> usize {
    let is_cue = |i: usize| {
        ctx.matches.iter().any(|m| {
            m.first <= i && i < m.last && ctx.vocab.scheme(m.concept) == Scheme::PracticeKind
        })
    };
    let mut start = first;
    let mut j = first;
    while j > 0 && first - j < 10 && (ctx.words.is_any(j - 1, CUE_CHAIN) || is_cue(j - 1)) {
        j -= 1;
        if is_cue(j) {
            start = j;
        }
    }
    start
}

/// Whether the cue at `cue` sits in a relative clause or participle that only describes
/// data named just before it: "the information we collect", "information that you
/// provide", "data collected by cookies". The sentence's main verb states the practice
/// ("we protect the information we collect" protects; it does not state collection).
fn modifies_data(ctx: &SentenceContext, cue: usize) -> bool {
    let words = ctx.words;
    let data_ends_at = |end: usize| {
        ctx.matches
            .iter()
            .any(|m| m.last == end && ctx.vocab.scheme(m.concept) == Scheme::DataType)
    };
    let mut j = cue;
    // "the information collected", "the data received"
    if words.get(cue).ends_with("ed") && data_ends_at(j) {
        return true;
    }
    // A cue that starts with its subject: "the information [you provide]".
    if words.is_any(cue, &["we", "you"]) {
        let k = if cue > 0 && words.is_any(cue - 1, &["that", "which"]) {
            cue - 1
        } else {
            cue
        };
        return data_ends_at(k);
    }
    // "the information (that) we/you (may) collect"
    while j > 0
        && words.is_any(
            j - 1,
            &["may", "can", "might", "also", "have", "has", "will"],
        )
    {
        j -= 1;
    }
    if j == 0 || !words.is_any(j - 1, &["we", "you"]) {
        return false;
    }
    j -= 1;
    if j > 0 && words.is_any(j - 1, &["that", "which"]) {
        j -= 1;
    }
    data_ends_at(j)
}

/// Words that may stand between coordinated verbs sharing one object: "collect, use and
/// share", "collect and may share", "use and do not sell".
const VERB_COORDINATION: &[&str] = &[
    ",",
    "and",
    "or",
    "and/or",
    "/",
    "also",
    "may",
    "might",
    "can",
    "will",
    "we",
    "not",
    "do",
    "does",
    "then",
    "otherwise",
];

/// Words after "to" that start a noun phrase (a recipient, a place), not a purpose
/// infinitive: "share it to third parties", "transfer data to other countries".
const NOT_INFINITIVE: &[&str] = &[
    "us",
    "you",
    "them",
    "him",
    "her",
    "me",
    "third",
    "third-party",
    "other",
    "which",
    "whom",
    "what",
    "whose",
    "one",
    "outside",
    "unaffiliated",
    "affiliated",
    "non-affiliated",
    "law",
    "government",
    "countries",
    "companies",
    "partners",
    "advertisers",
    "date",
    "time",
    "extent",
    "comply",
];

/// Words before "to" after which it does not start a purpose: "access to", "according to",
/// "in addition to", "related to".
const TO_NOT_PURPOSE: &[&str] = &[
    "access",
    "according",
    "addition",
    "due",
    "prior",
    "up",
    "related",
    "relating",
    "respect",
    "regard",
    "similar",
    "subject",
    "pursuant",
    "applicable",
    "linked",
    "connected",
    "able",
    "want",
    "wish",
    "choose",
    "like",
    "need",
    "needs",
    "request",
    "consent",
    "agree",
    "permission",
    "ability",
    "right",
    "unable",
    "opportunity",
    "order",
    "how",
    "where",
    "whether",
    "going",
    "use",
    "used",
    "using",
    "you",
    "us",
    "them",
];

/// Whether a purpose begins at token `i`: "to" with an infinitive ("to send you offers"),
/// "in order to", "so that". The purpose's data are what the purpose is about, not the
/// object of the verb before it.
fn purpose_starts(ctx: &SentenceContext, i: usize) -> bool {
    let words = ctx.words;
    match words.get(i) {
        "so" => words.get(i + 1) == "that",
        "to" => {
            if i > 0 && words.is_any(i - 1, TO_NOT_PURPOSE) && words.get(i - 1) != "order" {
                return false;
            }
            let next = i + 1;
            if next >= words.len() || words.is_any(next, DETERMINERS) {
                return false;
            }
            let w = words.get(next);
            if !w.chars().all(|c| c.is_ascii_lowercase()) || w.len() < 2 {
                return false;
            }
            // Compare on the original text: a capitalised word names a party or place.
            if ctx.doc.text[ctx.tokens[next].start..]
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
            {
                return false;
            }
            if words.is_any(next, NOT_INFINITIVE) {
                return false;
            }
            !ctx.matches.iter().any(|m| {
                m.first == next
                    && matches!(
                        ctx.vocab.scheme(m.concept),
                        Scheme::Recipient | Scheme::DataType
                    )
            })
        }
        _ => false,
    }
}

/// Sets the scope of each data cue of a clause: the data a verb governs are those after it
/// up to the next verb of another coordination (or a purpose), and, for the first verb, its
/// subject before it ("we collect your email and share statistics with partners" does not
/// share the email). A passive verb ("which is shared") also governs what precedes it.
fn attach_scopes(ctx: &SentenceContext, clause: &Clause, cues: &mut [Cue]) {
    let words = ctx.words;
    let mut order: Vec<usize> = (0..cues.len())
        .filter(|&i| cues[i].kind.is_about_data())
        .collect();
    order.sort_by_key(|&i| cues[i].first);
    // A cue inside brackets ("Flash Local Shared Objects") or a participle after a noun
    // ("providers using cookies") does not end the object of the verb before it.
    let in_brackets = |at: usize| {
        (clause.start..at)
            .rev()
            .find(|&k| words.is_any(k, &["(", ")"]))
            .is_some_and(|k| words.get(k) == "(")
    };
    let participle = |at: usize| {
        words.get(at).ends_with("ing")
            && at > 0
            && !words.is_any(
                at - 1,
                &["is", "are", "be", "been", "was", "were", "by", "for", "of"],
            )
    };
    // Coordinations of cues: (first cue start, last cue end, members).
    let mut groups: Vec<(usize, usize, Vec<usize>)> = Vec::new();
    for &i in &order {
        let c = &cues[i];
        if let Some(g) = groups.last_mut() {
            // "collect, use and share"; "used to store": an infinitive cue completes the
            // verb before it and shares its data.
            // "sell, license, or otherwise dispose of": one verb the lexicon lacks may sit
            // in the coordination.
            let between = g.1..c.first;
            let unknown = between
                .clone()
                .filter(|&k| !words.is_any(k, VERB_COORDINATION))
                .count();
            let coordinated = unknown == 0
                || (unknown == 1
                    && between.len() > 2
                    && between.clone().any(|k| words.is_any(k, &["and", "or"])));
            // "Media Access Control", "Flash Local Shared Objects": a capitalised word inside
            // the clause is part of a name. "such as …", "including …": an enumeration of the
            // object before it.
            let name = c.first > clause.start
                && ctx.doc.text[ctx.tokens[c.first].start..]
                    .chars()
                    .next()
                    .is_some_and(char::is_uppercase);
            let enumeration = between.clone().any(|k| {
                words.is_any(k, EXAMPLE_OPENERS)
                    || (words.get(k) == "such" && words.get(k + 1) == "as")
            }) && !between
                .clone()
                .any(|k| words.is_any(k, &["we", "they", "you", "it"]));
            let joined = c.first <= g.1
                || coordinated
                || (c.first > 0 && words.get(c.first - 1) == "to")
                || in_brackets(c.first)
                || participle(c.first)
                || name
                || enumeration;
            if joined {
                g.1 = g.1.max(c.last);
                g.2.push(i);
                continue;
            }
        }
        groups.push((c.first, c.last, vec![i]));
    }
    for k in 0..groups.len() {
        let (first, last, ref members) = groups[k];
        let passive = first > clause.start
            && (first.saturating_sub(3).max(clause.start)..first)
                .any(|j| words.is_any(j, &["is", "are", "be", "been", "being", "was", "were"]));
        let from = if k == 0 {
            clause.start
        } else if passive {
            groups[k - 1].1
        } else {
            first
        };
        let mut to = groups.get(k + 1).map_or(clause.end, |g| g.0);
        // "we collect your email, we will delete that information": a new subject after a
        // comma starts another statement, which the verb's object does not reach.
        if let Some(j) =
            (last..to).find(|&j| words.get(j) == "," && words.is_any(j + 1, &["we", "you", "they"]))
        {
            to = j;
        }
        if let Some(p) = (last..to).find(|&j| purpose_starts(ctx, j)) {
            // "Cookies are used by our checkout to remember your shipping address": when the
            // verb's own data is only a tracking technology, the purpose names the data the
            // technology handles, so it stays in scope.
            if !only_tracking_before(ctx, from, p) {
                to = p;
            }
        }
        for &i in members {
            cues[i].scope = Some((from, to));
        }
    }
    // A kind stated twice in a clause makes one practice (the first cue's), governing the
    // data of both verbs.
    for a in 0..cues.len() {
        for b in a + 1..cues.len() {
            if cues[a].kind == cues[b].kind {
                if let (Some(x), Some(y)) = (cues[a].scope, cues[b].scope) {
                    cues[a].scope = Some((x.0.min(y.0), x.1.max(y.1)));
                }
            }
        }
    }
}

/// Whether the data types named between `from` and `to` are all tracking technologies (and
/// there is at least one).
fn only_tracking_before(ctx: &SentenceContext, from: usize, to: usize) -> bool {
    let mut data = ctx
        .matches
        .iter()
        .filter(|m| m.first >= from && m.last <= to)
        .filter(|m| ctx.vocab.scheme(m.concept) == Scheme::DataType)
        .peekable();
    data.peek().is_some() && data.all(|m| ctx.is_tracking(m.concept))
}

/// The practices stated by one sentence on its own.
fn sentence_practices(ctx: &mut SentenceContext) -> Vec<Practice> {
    let clauses = clause::split(ctx.words);
    // The cues of each clause, found once: the checks below look at them repeatedly.
    let clause_cues: Vec<Vec<Cue>> = clauses
        .iter()
        .map(|c| {
            let mut cues = cues_in(ctx, c);
            attach_scopes(ctx, c, &mut cues);
            cues
        })
        .collect();
    // "We use security measures to protect your information": where a sentence states a
    // security measure, its "use" is instrumental, not a use of the data.
    // "we may disclose information to protect against fraud": after a disclosure or a
    // collection, "to protect" states its purpose, not a security measure.
    let data_cue_before = |at: usize| {
        clause_cues.iter().any(|cues| {
            cues.iter().any(|q| {
                q.first < at
                    && matches!(
                        q.kind,
                        PracticeKind::Share | PracticeKind::Sell | PracticeKind::Collect
                    )
            })
        })
    };
    let protect_is_purpose = |q: &Cue| {
        q.kind == PracticeKind::Protect
            && ctx.words.get(q.first).starts_with("protect")
            && (q.first.saturating_sub(3)..q.first).any(|i| ctx.words.is_any(i, &["to", "for"]))
            && data_cue_before(q.first)
    };
    let protects = clause_cues.iter().any(|cues| {
        cues.iter()
            .any(|q| q.kind == PracticeKind::Protect && !protect_is_purpose(q))
    });
    let age = minimum_age(ctx.doc.sentence_text(ctx.index));
    let mut practices: Vec<Practice> = Vec::new();
    // The practices of each clause, as a range of `practices`.
    let mut clause_practices: Vec<(usize, usize)> = Vec::with_capacity(clauses.len());
    for (ci, (clause, cues)) in clauses.iter().zip(&clause_cues).enumerate() {
        let before = practices.len();
        let mut kinds_done: Vec<(PracticeKind, bool)> = Vec::new();
        // (data, excepted data) of the clause, once it has a cue to build.
        let mut mentions: Option<(Vec<Mention>, Vec<Mention>)> = None;
        let share_at = cues
            .iter()
            .filter(|q| {
                matches!(q.kind, PracticeKind::Share | PracticeKind::Sell)
                    && !clause::is_negated(ctx.words, clause, q.first)
            })
            .map(|q| q.first)
            .min();
        for cue in cues {
            if protect_is_purpose(cue) {
                continue;
            }
            // "we may share your information to process your payments": after a
            // disclosure, a later collection or use verb in the same clause states its
            // purpose or describes the data, not a practice of its own.
            if matches!(cue.kind, PracticeKind::Collect | PracticeKind::Use)
                && share_at.is_some_and(|s| s < cue.first)
            {
                continue;
            }
            let negated = clause::is_negated(ctx.words, clause, cue.first);
            if kinds_done.contains(&(cue.kind, negated)) {
                continue;
            }
            kinds_done.push((cue.kind, negated));
            let (clause_data, clause_excepted) =
                mentions.get_or_insert_with(|| clause_data(ctx, clause));
            let Some(practice) =
                build_with_data(ctx, clause, cue, negated, age, "cue", clause_data.clone())
            else {
                continue;
            };
            // "We use MaxOnline to serve ads", "we use measures to safeguard": a use of
            // something that is not data states no data practice.
            // "We use the information we collect to provide and protect our services", "we
            // may use your information to protect our rights": data named between the use
            // and "to protect" are what is used; the protection is its purpose.
            let data_then_protect = cue.kind == PracticeKind::Use
                && clause_cues
                    .iter()
                    .flatten()
                    .filter(|q| q.kind == PracticeKind::Protect && q.first > cue.last)
                    .min_by_key(|q| q.first)
                    .is_some_and(|q| {
                        ctx.words.get(q.first).starts_with("protect")
                            && (q.first.saturating_sub(8)..q.first)
                                .any(|i| ctx.words.is_any(i, &["to", "for"]))
                            && practice.data.iter().any(|m| {
                                m.start >= ctx.tokens[cue.last - 1].end
                                    && m.end <= ctx.tokens[q.first].start
                            })
                    });
            if cue.kind == PracticeKind::Use
                && (practice.data.is_empty() || (protects && !data_then_protect))
            {
                continue;
            }
            // "This information will only be used as indicated", "such data is only used in
            // the aggregate": a use of data named before, with no purpose (in the lexicon
            // or as "to …") or recipient, refers back to a practice stated elsewhere and
            // adds none.
            if cue.kind == PracticeKind::Use
                && practice.purposes.is_empty()
                && practice.recipients.is_empty()
                && !(cue.last..clause.end).any(|i| ctx.words.is_any(i, &["to", ":"]))
                && refers_back_only(ctx, clause)
            {
                continue;
            }
            // "If you wish to correct it, contact us", "we collect and process as described":
            // a collection or disclosure of nothing named (no data, recipient or purpose) is
            // a passing mention, not a stated practice.
            if matches!(
                cue.kind,
                PracticeKind::Collect | PracticeKind::Share | PracticeKind::Sell
            ) && practice.data.is_empty()
                && practice.recipients.is_empty()
                && practice.purposes.is_empty()
            {
                continue;
            }
            // "We store any information other than your credit card number": the
            // excepted data get the opposite polarity.
            let excepted = clause_excepted.clone();
            let mut practice = practice;
            if practice.actor == Actor::ThirdParty
                && (clause::joint_subject(ctx.words, clause, cue.first)
                    || owner_and_ours(ctx, clause, cue.first)
                    || company_with_us(ctx, clause, cue.first))
            {
                let mut ours = practice.clone();
                ours.actor = Actor::FirstParty;
                if !matches!(cue.kind, PracticeKind::Share | PracticeKind::Sell) {
                    ours.recipients.clear();
                }
                practices.push(ours);
            }
            if !excepted.is_empty() && cue.kind.is_about_data() {
                let mut opposite = practice.clone();
                opposite.negated = !negated;
                opposite.data = excepted;
                opposite.rule = "exception";
                practices.push(opposite);
            } else if negated && cue.kind.is_data_handling() && !practice.data.is_empty() {
                // "We do not knowingly collect data from children under 13": the denial
                // holds for that group only; the group is its condition.
                if practice.condition.is_none() {
                    if let Some((s, e)) = clause::audience_scope(ctx.words, clause) {
                        practice.condition = stated_condition(ctx, s, e);
                    }
                }
                // "We do not share your information except as described below", "we will
                // not disclose it without your consent": the negation is scoped by the
                // exception, under which the practice does take place. The denial keeps
                // the exception as its condition (so it is not read as absolute), and the
                // excepted case is stated as a possible practice under that condition.
                if let Some((s, e)) = clause::negation_exception(ctx.words, clause) {
                    practice.condition = practice.condition.or_else(|| stated_condition(ctx, s, e));
                    let mut affirmed = practice.clone();
                    affirmed.negated = false;
                    affirmed.modality = Modality::May;
                    affirmed.rule = "negation-exception";
                    practices.push(affirmed);
                }
            }
            practices.push(practice);
        }
        if practices.len() == before && ci > 0 {
            let (s, e) = clause_practices[ci - 1];
            let inherited = continued_practices(ctx, &clauses[ci - 1], clause, &practices[s..e]);
            practices.extend(inherited);
        }
        clause_practices.push((before, practices.len()));
    }
    // "This statement may be revised", "we may modify these policies": a change verb near
    // the policy's own name states a policy-change practice even in wording the lexicon lacks.
    if !practices.iter().any(|p| p.kind == PracticeKind::Change)
        && clause::mentions_policy_change(ctx.words)
    {
        practices.extend(whole_sentence_practice(
            ctx,
            PracticeKind::Change,
            None,
            "policy-change",
        ));
    }
    // An age limit is an audience statement even where no audience word was matched.
    if let Some(age) = age {
        if !practices.iter().any(|p| p.kind == PracticeKind::Audience) {
            practices.extend(whole_sentence_practice(
                ctx,
                PracticeKind::Audience,
                Some(age),
                "age",
            ));
        }
    }
    practices
}

/// "FSD and our service providers may collect": a capitalised name heading the clause,
/// joined to "our" partners before the cue, is the policy's owner, so the practice is the
/// first party's as well as the partners'.
fn owner_and_ours(ctx: &SentenceContext, clause: &Clause, cue: usize) -> bool {
    let words = ctx.words;
    // The name heads the clause or follows the comma that ends an introductory phrase
    // ("When you visit the FSD Services, FSD and our service providers may collect").
    let k = (clause.start..cue)
        .rev()
        .find(|&i| words.get(i) == ",")
        .map_or(clause.start, |i| i + 1);
    k + 3 < cue
        && words.is_any(k + 1, &["and", "&"])
        && words.get(k + 2) == "our"
        && !words.is_any(k, &["you", "they", "it", "these", "those", "such", "other"])
        && ctx.doc.text[ctx.tokens[k].start..]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
        && !(k + 3..cue).any(|i| words.is_any(i, &["we", "you", "they", ","]))
}

/// "We and Acme may collect", "Acme and we use": a company the lexicon knows, named as a
/// subject together with "we", does what the first party does.
fn company_with_us(ctx: &SentenceContext, clause: &Clause, cue: usize) -> bool {
    let words = ctx.words;
    ctx.matches.iter().any(|r| {
        r.first >= clause.start
            && r.last < cue
            && ctx.vocab.scheme(r.concept) == Scheme::Recipient
            && ctx.doc.text[ctx.tokens[r.first].start..]
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
            && ((r.first >= clause.start + 2
                && words.get(r.first - 2) == "we"
                && words.is_any(r.first - 1, &["and", "or", "&"])
                && !(r.last..cue).any(|i| words.is_any(i, &["we", "you", "they", ","])))
                || (words.is_any(r.last, &["and", "or", "&"])
                    && words.get(r.last + 1) == "we"
                    && !(r.last + 2..cue).any(|i| words.is_any(i, &["we", "you", "they", ","]))))
    })
}

/// "We receive your name and address from carriers; account information from merchants;
/// and credit history from credit bureaus": a clause after a semicolon that has no verb of
/// its own and starts with data continues the object of the clause before it. It states
/// the data practices of that clause (those whose data reached the semicolon) on its own
/// data.
fn continued_practices(
    ctx: &SentenceContext,
    prev: &Clause,
    clause: &Clause,
    earlier: &[Practice],
) -> Vec<Practice> {
    let words = ctx.words;
    if clause.start == 0 || words.get(clause.start - 1) != ";" {
        return Vec::new();
    }
    let (data, _) = clause_data(ctx, clause);
    let Some(first) = data.first() else {
        return Vec::new();
    };
    let Some(at) = (clause.start..clause.end).find(|&i| ctx.tokens[i].start == first.start) else {
        return Vec::new();
    };
    // "; and credit history", "; (ii) your name": at most two words before the data.
    if at > clause.start + 2
        || (clause.start..at).any(|i| !words.is_any(i, &["and", "or", "and/or", "also", "("]))
    {
        return Vec::new();
    }
    // "; cookies are small files", "; this information may be shared": a finite verb
    // before any relative clause makes the clause a statement of its own.
    for i in at..clause.end {
        if words.is_any(
            i,
            &[
                "which", "that", "who", "whom", "whose", "when", "if", "we", "you",
            ],
        ) {
            break;
        }
        if words.is_any(i, ITEM_VERBS) {
            return Vec::new();
        }
    }
    // The earlier clause's data must reach its end: its last data mention is among them.
    let Some(last) = ctx
        .matches
        .iter()
        .filter(|m| {
            m.first >= prev.start
                && m.last <= prev.end
                && ctx.vocab.scheme(m.concept) == Scheme::DataType
        })
        .map(|m| ctx.tokens[m.first].start)
        .max()
    else {
        return Vec::new();
    };
    earlier
        .iter()
        .filter(|p| {
            p.kind.is_data_handling()
                && p.rule != "exception"
                && p.data.iter().any(|m| m.start == last)
        })
        .map(|p| {
            let mut q = p.clone();
            q.data = data.clone();
            q.rule = "continuation";
            q
        })
        .collect()
}

/// "Cookies are small text files …", "A web beacon (also known as a pixel tag) is an
/// invisible graphic that is programmed to collect information": a definition of a tracking
/// technology says what it is and can do, not what the service does with data.
fn defines_technology(ctx: &SentenceContext) -> bool {
    let words = ctx.words;
    let Some(first) = ctx.matches.first() else {
        return false;
    };
    let mut start = 0;
    while words.is_any(start, &["a", "an", "the"]) {
        start += 1;
    }
    // The mention takes its determiner ("[A web beacon]").
    if first.first > start || !ctx.is_tracking(first.concept) {
        return false;
    }
    let mut after = first.last;
    if words.get(after) == "(" {
        while after < words.len() && words.get(after) != ")" {
            after += 1;
        }
        after += 1;
    }
    words.is_any(after, &["is", "are"])
        && words.is_any(
            after + 1,
            &[
                "a",
                "an",
                "small",
                "tiny",
                "pieces",
                "bits",
                "text",
                "data",
                "files",
                "unique",
                "simple",
                "little",
                "short",
                "electronic",
                "invisible",
                "transparent",
            ],
        )
}

/// Whether the only data the clause names are generic ones introduced by an anaphoric
/// determiner ("this information", "such data").
fn refers_back_only(ctx: &SentenceContext, clause: &Clause) -> bool {
    let generic = ctx.vocab.known.personal_information;
    let (own, _) = clause_data(ctx, clause);
    !own.is_empty()
        && own.iter().all(|m| {
            Some(m.concept) == generic
                && ctx
                    .tokens
                    .iter()
                    .position(|t| t.start == m.start)
                    .is_some_and(|i| {
                        ctx.words
                            .is_any(i, &["this", "such", "that", "these", "those", "said"])
                    })
        })
}

/// A practice stated by the sentence as a whole rather than by one cue word.
fn whole_sentence_practice(
    ctx: &SentenceContext,
    kind: PracticeKind,
    age: Option<u32>,
    rule: &'static str,
) -> Option<Practice> {
    let whole = Clause {
        start: 0,
        end: ctx.tokens.len(),
    };
    let cue = Cue {
        kind,
        first: 0,
        last: 0,
        scope: None,
    };
    build(ctx, &whole, &cue, false, age, rule)
}

/// A list item with no cue of its own takes the practices of its lead-in sentence
/// ("We collect the following information: • your name").
fn list_item_practices(
    ctx: &mut SentenceContext,
    lead_block: usize,
    scratch: &mut Scratch,
) -> Vec<Practice> {
    let Some(lead_sentence) = last_sentence_of(ctx.doc, lead_block) else {
        return Vec::new();
    };
    let s = ctx.doc.sentences[lead_sentence];
    let lead_tokens = crate::text::tokens(&ctx.doc.text, s.start, s.end);
    let lead_words = Words::new(&ctx.doc.text, &lead_tokens, &mut scratch.lower);
    let lead_matches = refine_mentions(
        ctx.vocab
            .find(&ctx.doc.text, &lead_tokens, &mut scratch.matches),
        &lead_words,
        ctx.vocab,
        &mut scratch.refine,
    );
    let lead_ctx = SentenceContext {
        doc: ctx.doc,
        owner: ctx.owner,
        vocab: ctx.vocab,
        index: lead_sentence,
        tokens: &lead_tokens,
        words: &lead_words,
        matches: &lead_matches,
        previous: None,
        section_data: None,
    };
    let lead_clauses = clause::split(&lead_words);
    let Some(lead_clause) = lead_clauses.last() else {
        return Vec::new();
    };
    let lead_actor_clause = lead_clause;
    let whole = Clause {
        start: 0,
        end: ctx.tokens.len(),
    };
    let mut practices = Vec::new();
    let mut done = Vec::new();
    for cue in cues_in(&lead_ctx, lead_actor_clause) {
        let negated = clause::is_negated(&lead_words, lead_actor_clause, cue.first);
        if done.contains(&(cue.kind, negated)) {
            continue;
        }
        done.push((cue.kind, negated));
        let actor = actor_of(&lead_ctx, lead_actor_clause, &cue);
        let modality = clause::modality(&lead_words, lead_actor_clause, cue.first, cue.last);
        // The item supplies the data (or purposes); the lead-in what is done with them.
        let item_cue = Cue {
            kind: cue.kind,
            first: 0,
            last: 0,
            scope: None,
        };
        if let Some(mut p) = build(ctx, &whole, &item_cue, negated, None, "list-item") {
            p.actor = actor;
            p.modality = modality;
            if p.data.is_empty() {
                p.data = mentions_of(
                    &lead_ctx,
                    Scheme::DataType,
                    lead_clause.start,
                    lead_clause.end,
                );
            }
            if p.recipients.is_empty()
                && matches!(cue.kind, PracticeKind::Share | PracticeKind::Sell)
            {
                p.recipients = mentions_of(
                    &lead_ctx,
                    Scheme::Recipient,
                    lead_clause.start,
                    lead_clause.end,
                );
            }
            if p.data.is_empty() && p.purposes.is_empty() && p.recipients.is_empty() {
                continue;
            }
            practices.push(p);
        }
    }
    practices
}

fn last_sentence_of(doc: &Segmented, block: usize) -> Option<usize> {
    let first = doc.first_sentence_of(block)?;
    let mut last = first;
    while last + 1 < doc.sentences.len() && doc.sentences[last + 1].block == block {
        last += 1;
    }
    Some(last)
}

/// Builds the practice of one cue in one clause.
fn build(
    ctx: &SentenceContext,
    clause: &Clause,
    cue: &Cue,
    negated: bool,
    age: Option<u32>,
    rule: &'static str,
) -> Option<Practice> {
    let (data, _) = clause_data(ctx, clause);
    build_with_data(ctx, clause, cue, negated, age, rule, data)
}

/// [`build`], given the clause's data mentions (`clause_data(ctx, clause).0`), which
/// [`sentence_practices`] works out once per clause rather than once per cue and again for
/// the excepted data.
fn build_with_data(
    ctx: &SentenceContext,
    clause: &Clause,
    cue: &Cue,
    negated: bool,
    age: Option<u32>,
    rule: &'static str,
    mut data: Vec<Mention>,
) -> Option<Practice> {
    let words = ctx.words;
    if let Some((from, to)) = cue.scope {
        let (lo, hi) = (ctx.tokens[from].start, ctx.tokens[to - 1].end);
        data.retain(|m| m.start >= lo && m.end <= hi);
    }
    let mut rule = rule;
    let generic = ctx.vocab.known.personal_information;
    let only_generic = data.iter().all(|m| Some(m.concept) == generic);
    if only_generic && cue.kind.is_about_data() {
        // "this information", "such data", "it": what the sentence before was about.
        if clause::has_anaphora(words, clause.start, clause.end) {
            if let Some(prev) = &ctx.previous {
                let before = data.len();
                data.extend(prev.data.iter().filter(|m| Some(m.concept) != generic));
                if data.len() > before {
                    rule = "anaphora";
                }
            }
        }
        if data.is_empty() {
            if let Some(section) = &ctx.section_data {
                data = section.to_vec();
                rule = "section-heading";
            }
        }
    }
    let mut recipients = mentions_of(ctx, Scheme::Recipient, clause.start, clause.end);
    if recipients
        .iter()
        .any(|r| clause::is_anaphoric_at(words, ctx.tokens, r.start))
    {
        if let Some(prev) = &ctx.previous {
            if !prev.recipients.is_empty() {
                recipients = prev.recipients.clone();
            }
        }
    }
    let actor = actor_of(ctx, clause, cue);
    let mut purposes = mentions_of(ctx, Scheme::Purpose, clause.start, clause.end);
    if purposes.is_empty() {
        purposes = mentions_of(ctx, Scheme::Purpose, 0, ctx.tokens.len());
    }
    if purposes.is_empty() && recipients_were_anaphoric(ctx, clause) {
        if let Some(prev) = &ctx.previous {
            purposes = prev.purposes.clone();
        }
    }
    match cue.kind {
        PracticeKind::Share | PracticeKind::Sell => {}
        // A third party that collects or uses is also a recipient of the data.
        _ if actor == Actor::ThirdParty => {}
        _ => recipients.clear(),
    }
    let condition = condition_of(ctx, clause);
    let sentence = ctx.doc.sentences[ctx.index];
    let modality = clause::modality(words, clause, cue.first, cue.last);
    Some(Practice {
        kind: cue.kind,
        negated,
        actor,
        modality,
        sentence: ctx.index,
        evidence: (sentence.start, sentence.end),
        data,
        recipients,
        purposes,
        condition,
        minimum_age: if cue.kind == PracticeKind::Audience {
            age
        } else {
            None
        },
        rule,
    })
}

fn recipients_were_anaphoric(ctx: &SentenceContext, clause: &Clause) -> bool {
    mentions_of(ctx, Scheme::Recipient, clause.start, clause.end)
        .iter()
        .any(|r| clause::is_anaphoric_at(ctx.words, ctx.tokens, r.start))
}

/// The data mentions of a clause, split into those the practice covers and those it
/// excepts ("any information, other than your credit card number").
fn clause_data(ctx: &SentenceContext, clause: &Clause) -> (Vec<Mention>, Vec<Mention>) {
    let mut covered = Vec::new();
    let mut excepted = Vec::new();
    let exception = clause::exception_span(ctx.words, clause);
    for m in ctx.matches {
        if m.first < clause.start || m.last > clause.end {
            continue;
        }
        if ctx.vocab.scheme(m.concept) != Scheme::DataType || is_age_limit(ctx, m) {
            continue;
        }
        let mention = mention(ctx, m);
        if exception.is_some_and(|(s, e)| m.first >= s && m.last <= e) {
            excepted.push(mention);
        } else {
            covered.push(mention);
        }
    }
    (covered, excepted)
}

/// Subjects that name another party even where the lexicon has no recipient for them:
/// "these companies may use", "the originating site may collect", "they may share".
const THIRD_PARTY_SUBJECTS: &[&str] = &[
    "they",
    "companies",
    "company",
    "partners",
    "providers",
    "vendors",
    "advertisers",
    "networks",
    "parties",
    "merchants",
    "sellers",
];

/// First party unless the nearest subject before the cue is a recipient ("Advertisers may
/// collect"), or a passive cue is followed by "by" and a recipient ("collected by Google").
fn actor_of(ctx: &SentenceContext, clause: &Clause, cue: &Cue) -> Actor {
    let words = ctx.words;
    // "Partner sites may send us information", "the social network will give us your
    // name": whoever gives, what reaches "us" is collected by the first party.
    if cue.kind == PracticeKind::Collect && (cue.first..cue.last).any(|i| words.get(i) == "us") {
        return Actor::FirstParty;
    }
    let recipient_starts: Vec<(usize, usize)> = ctx
        .matches
        .iter()
        .filter(|m| ctx.vocab.scheme(m.concept) == Scheme::Recipient)
        .map(|m| (m.first, m.last))
        .collect();
    // Nearest subject candidate before the cue.
    let mut j = cue.first;
    while j > clause.start {
        j -= 1;
        // "We (which includes our service providers) will use": the subject is outside
        // the brackets.
        if words.get(j) == ")" {
            if let Some(open) = (clause.start..j).rev().find(|&k| words.get(k) == "(") {
                j = open;
                continue;
            }
        }
        if words.is_first_person(j) {
            return Actor::FirstParty;
        }
        // "we share it with partners and they may use it": in a policy, "they" as a subject
        // is the other party.
        let other_sites = words.is_any(j, &["sites", "websites", "site", "website"])
            && j > 0
            && (words.is_any(
                j - 1,
                &[
                    "other",
                    "these",
                    "those",
                    "linked",
                    "party",
                    "destination",
                    "external",
                ],
            ) || (words.is_any(j, &["sites", "websites"])
                && words.is_any(j + 1, &["that", "which"])));
        // "social media registration features may collect", "social plug-ins": tools the
        // social network runs on the page.
        let social_tools = words.is_any(j, &["features", "plugins", "widgets", "buttons"])
            && (j.saturating_sub(3)..j).any(|k| words.get(k) == "social");
        // "The Company collects …": the policy's defined name for its owner.
        let defined_owner = words.get(j) == "company"
            && j > 0
            && words.get(j - 1) == "the"
            && ctx.doc.text[ctx.tokens[j].start..].starts_with('C');
        if defined_owner {
            return Actor::FirstParty;
        }
        if (words.is_any(j, THIRD_PARTY_SUBJECTS) || other_sites || social_tools)
            && !(j > 0 && words.is_any(j - 1, &["our"]))
        {
            return Actor::ThirdParty;
        }
        if let Some(&(first, last)) = recipient_starts.iter().find(|(_, l)| *l == j + 1) {
            // "Google processes …" in Google's own policy.
            if (last..=cue.first.min(first + 6)).any(|k| names_owner(ctx, first, k)) {
                return Actor::FirstParty;
            }
            let introduced = first > 0
                && words.is_any(
                    first - 1,
                    &["with", "to", "from", "by", "for", "about", "of"],
                );
            let relative = words.is_any(last, &["who", "that", "which"]);
            if !introduced || relative {
                return Actor::ThirdParty;
            }
            j = first;
        }
    }
    // Passive with an agent: "is collected by third-party advertisers".
    let mut k = cue.last;
    while k < clause.end && k < cue.last + 4 {
        if words.is_any(k, &["by"]) {
            let named = recipient_starts
                .iter()
                .any(|&(f, l)| (f == k + 1 || f == k + 2) && !names_owner(ctx, f, l));
            // "collected by any outside parties", "by third-party companies"
            let other = (k + 1..(k + 4).min(clause.end))
                .any(|i| words.is_any(i, THIRD_PARTY_SUBJECTS) && !words.is_any(i - 1, &["our"]));
            if named || other {
                return Actor::ThirdParty;
            }
            break;
        }
        k += 1;
    }
    Actor::FirstParty
}

/// Whether tokens `first..last` name the policy's owner.
fn names_owner(ctx: &SentenceContext, first: usize, last: usize) -> bool {
    last > first
        && ctx
            .owner
            .is(&ctx.doc.text[ctx.tokens[first].start..ctx.tokens[last - 1].end])
}

fn condition_of(ctx: &SentenceContext, clause: &Clause) -> Option<Mention> {
    if let Some(m) = ctx.matches.iter().find(|m| {
        m.first >= clause.start
            && m.last <= clause.end
            && ctx.vocab.scheme(m.concept) == Scheme::Condition
    }) {
        return Some(mention(ctx, m));
    }
    let (s, e) = clause::conditional_span(ctx.words, clause)?;
    stated_condition(ctx, s, e)
}

/// Tokens `s..e` as a condition of the generic "stated condition" concept.
fn stated_condition(ctx: &SentenceContext, s: usize, e: usize) -> Option<Mention> {
    let generic = ctx.vocab.known.stated_condition?;
    Some(Mention {
        concept: generic,
        start: ctx.tokens[s].start,
        end: ctx.tokens[e - 1].end,
    })
}

static AGE_PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"(?i)\b(?:under|younger than|below|less than)\s+(?:the\s+)?(?:age\s+of\s+)?(\d{1,2})\b",
        r"(?i)\b(\d{1,2})\s+years?\s+(?:of\s+age\s+)?(?:old\s+)?(?:or|and)\s+(?:older|over|above|up)\b",
        r"(?i)\b(?:at least|minimum age of|age of majority,? \(?|over the age of|older than)\s+(\d{1,2})\b",
        r"(?i)\b(?:children|child|minors|kids|users|persons|individuals|anyone)\s+(?:under|below)\s+(\d{1,2})\b",
    ]
    .iter()
    .map(|p| Regex::new(p).unwrap())
    .collect()
});

/// The minimum age a sentence states ("under the age of 16", "18 years or older").
pub fn minimum_age(sentence: &str) -> Option<u32> {
    // Every pattern needs a number that parses as u32, so ASCII digits: most sentences have
    // none, and four case-insensitive regexes with Unicode word boundaries per sentence were
    // 5% of extraction's CPU time.
    if !has_age_number(sentence) {
        return None;
    }
    for re in AGE_PATTERNS.iter() {
        for caps in re.captures_iter(sentence) {
            if let Ok(n) = caps[1].parse::<u32>() {
                if (6..=21).contains(&n) {
                    return Some(n);
                }
            }
        }
    }
    None
}

/// Whether `sentence` has a number [`minimum_age`] could return: a run of one or two ASCII
/// digits, between non-digits, from 6 to 21. Every pattern's number is such a run (it
/// follows a space or a word boundary and is followed by one or by a space, so no digit
/// touches it, and a non-ASCII digit would not parse), so a sentence without one has no
/// age; most sentences with digits (years, dates, section numbers, prices) have none, and
/// the four case-insensitive patterns were most of `minimum_age`'s time (profiled).
fn has_age_number(sentence: &str) -> bool {
    let bytes = sentence.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut value = 0u32;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            value = value
                .saturating_mul(10)
                .saturating_add(u32::from(bytes[i] - b'0'));
            i += 1;
        }
        if i - start <= 2 && (6..=21).contains(&value) {
            return true;
        }
    }
    false
}

/// The words [`is_common_english`] knows, as a list for its test.
#[cfg(test)]
const COMMON_ENGLISH: &[&str] = &[
    "the",
    "and",
    "of",
    "to",
    "we",
    "you",
    "your",
    "information",
    "our",
    "or",
    "in",
    "is",
    "for",
    "with",
];

/// (words, common English words) of a text: words are maximal runs of alphabetic
/// characters, common ones those [`is_common_english`] knows.
///
/// Byte by byte with ASCII decided without decoding, and a common word told by a `match`
/// on its lowercase bytes: this reads every word of every document, and splitting on
/// `char::is_alphabetic` then comparing each word to the list with `eq_ignore_ascii_case`
/// was 4% of the time of `extract` (profiled). Same counts as [`english_counts_slow`].
fn english_counts(text: &str) -> (usize, usize) {
    let bytes = text.as_bytes();
    let (mut words, mut common) = (0usize, 0usize);
    if text.is_ascii() {
        // Nearly every block: words are runs of ASCII letters.
        let mut i = 0;
        loop {
            while i < bytes.len() && !bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            if i == bytes.len() {
                return (words, common);
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            words += 1;
            common += usize::from(is_common_english(&bytes[start..i]));
        }
    }
    // The start of the word being read and whether it is ASCII so far.
    let mut word: Option<(usize, bool)> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (alphabetic, len) = if b < 0x80 {
            (b.is_ascii_alphabetic(), 1)
        } else {
            let c = text[i..].chars().next().expect("at a character boundary");
            (c.is_alphabetic(), c.len_utf8())
        };
        if alphabetic {
            match &mut word {
                Some((_, ascii)) => *ascii &= b < 0x80,
                None => word = Some((i, b < 0x80)),
            }
        } else if let Some((start, ascii)) = word.take() {
            words += 1;
            common += usize::from(ascii && is_common_english(&bytes[start..i]));
        }
        i += len;
    }
    if let Some((start, ascii)) = word {
        words += 1;
        common += usize::from(ascii && is_common_english(&bytes[start..]));
    }
    (words, common)
}

/// Whether a word of ASCII letters is one of the words English policies use constantly
/// ("the", "and", "of", "information" …), in any case.
#[inline(always)]
fn is_common_english(word: &[u8]) -> bool {
    // Letters only, so setting bit 5 lowercases each byte.
    let lower = |i: usize| word[i] | 0x20;
    match word.len() {
        2 => matches!(
            [lower(0), lower(1)],
            [b'o', b'f'] | [b't', b'o'] | [b'w', b'e'] | [b'o', b'r'] | [b'i', b'n'] | [b'i', b's']
        ),
        3 => matches!(
            [lower(0), lower(1), lower(2)],
            [b't', b'h', b'e']
                | [b'a', b'n', b'd']
                | [b'y', b'o', b'u']
                | [b'o', b'u', b'r']
                | [b'f', b'o', b'r']
        ),
        4 => matches!(
            [lower(0), lower(1), lower(2), lower(3)],
            [b'y', b'o', b'u', b'r'] | [b'w', b'i', b't', b'h']
        ),
        11 => word.eq_ignore_ascii_case(b"information"),
        _ => false,
    }
}

/// The plain definition of [`english_counts`], kept for its test.
#[cfg(test)]
fn english_counts_slow(text: &str) -> (usize, usize) {
    let mut words = 0usize;
    let mut common = 0usize;
    for w in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
    {
        words += 1;
        if w.len() <= 11 && COMMON_ENGLISH.iter().any(|c| c.eq_ignore_ascii_case(w)) {
            common += 1;
        }
    }
    (words, common)
}

/// English policies use these words constantly (a quarter of all words or more); a block
/// of a dozen words or more with almost none of them is in another language. Blocks are
/// judged one by one because scraped pages mix languages and navigation with the policy.
fn foreign_blocks(doc: &Segmented) -> (Vec<bool>, Option<String>) {
    let mut foreign = vec![false; doc.blocks.len()];
    let (mut total, mut skipped, mut english) = (0usize, 0usize, 0usize);
    for (i, b) in doc.blocks.iter().enumerate() {
        let (words, common) = english_counts(&doc.text[b.start..b.end]);
        total += words;
        if words >= 12 && common * 100 < words * 5 {
            foreign[i] = true;
            skipped += words;
        } else if words >= 12 {
            english += words;
        }
    }
    let warning = if total >= 50 && english == 0 {
        Some("does not look like English; not extracted".to_string())
    } else if total >= 50 && skipped * 2 > total {
        Some(format!(
            "mostly not English: {skipped} of {total} words are in passages that do not look like English and were skipped"
        ))
    } else {
        None
    };
    (foreign, warning)
}

#[cfg(test)]
mod tests;
