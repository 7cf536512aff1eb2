//! Clause-level reading of a tokenised sentence: clause boundaries, negation scope,
//! modality, anaphora, exceptions and conditional clauses. Decisions here look only at
//! the words, never at the lexicon.

use crate::text::Token;

/// A sentence's tokens as lowercase words.
pub(super) struct Words<'a> {
    /// Each token lowercased: borrowed from the text when it is lowercase already (most
    /// tokens are), else from one buffer for the sentence. A String per capitalised token
    /// was a quarter of all allocations of extraction (profiled), and the rules read words
    /// far more often than they are built, so a plain `&str` (no `Cow` to look through).
    words: Vec<&'a str>,
}

/// Tokens `start..end` of a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Clause {
    pub start: usize,
    pub end: usize,
}

const NEGATORS: &[&str] = &[
    "not", "never", "no", "cannot", "neither", "nor", "nothing", "none", "nobody", "n't",
];
/// After a negator, these make it about the reader's wish, not the practice: "if you do
/// not want us to share".
const WISH: &[&str] = &[
    "want", "wish", "like", "agree", "consent", "allow", "permit", "choose", "accept", "prefer",
    "opt",
];
const MAY: &[&str] = &["may", "might", "can", "could"];
const WILL: &[&str] = &["will", "shall", "must", "would", "wo", "won't", "'ll"];
const CONDITIONAL: &[&str] = &["if", "unless", "when", "whenever", "upon", "once", "where"];
const FIRST_PERSON: &[&str] = &["we", "us", "our", "ourselves", "i"];

/// Appends the word of token `w` to `lower` unless it is `w` itself (lowercase ASCII, as
/// most tokens are); returns whether it appended. Curly apostrophes become straight ones.
pub(super) fn push_lowercase(w: &str, lower: &mut String) -> bool {
    if w.is_ascii() {
        if !w.bytes().any(|b| b.is_ascii_uppercase()) {
            return false;
        }
        let start = lower.len();
        lower.push_str(w);
        lower[start..].make_ascii_lowercase();
    } else {
        lower.push_str(&w.to_lowercase().replace('’', "'"));
    }
    true
}

impl<'a> Words<'a> {
    /// The words of `tokens`; `lower` is a buffer for the lowercase copies of the tokens
    /// that are not lowercase ASCII already.
    pub fn new(text: &'a str, tokens: &[Token], lower: &'a mut String) -> Words<'a> {
        lower.clear();
        // The words that borrow from the text, and "" (no token is empty) for the others,
        // whose lowercase copies go one after another into `lower`, ending at `ends`.
        let mut ends: Vec<usize> = Vec::new();
        let mut words: Vec<&'a str> = tokens
            .iter()
            .map(|t| {
                let w = &text[t.start..t.end];
                if !push_lowercase(w, lower) {
                    return w;
                }
                ends.push(lower.len());
                ""
            })
            .collect();
        if !ends.is_empty() {
            let lower: &'a str = lower;
            let mut ends = ends.into_iter();
            let mut start = 0;
            for w in words.iter_mut().filter(|w| w.is_empty()) {
                let end = ends.next().expect("one end per lowercased word");
                *w = &lower[start..end];
                start = end;
            }
        }
        Words { words }
    }

    /// Words already lowercased as [`Words::new`] lowercases them, one per token.
    pub fn from_lowercase(words: Vec<&'a str>) -> Words<'a> {
        Words { words }
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn get(&self, i: usize) -> &str {
        self.words.get(i).copied().unwrap_or("")
    }

    pub fn is_any(&self, i: usize, set: &[&str]) -> bool {
        set.contains(&self.get(i))
    }

    fn is_negator(&self, i: usize) -> bool {
        let w = self.get(i);
        NEGATORS.contains(&w) || w.ends_with("n't")
    }

    pub fn is_first_person(&self, i: usize) -> bool {
        self.is_any(i, FIRST_PERSON)
    }
}

/// Splits a sentence into clauses at semicolons and at contrasts ("but", "however",
/// "except that", "whereas") and where "and"/"or" starts a new subject ("and we", "or they").
pub(super) fn split(words: &Words) -> Vec<Clause> {
    let mut clauses = Vec::new();
    let mut start = 0;
    let n = words.len();
    for i in 0..n {
        let w = words.get(i);
        let boundary_before = match w {
            ";" => true,
            "but" | "however" | "whereas" | "although" | "though" => {
                !(w == "but" && words.get(i + 1) == "not")
            }
            "and" | "or" => {
                i > 0
                    && words.is_any(
                        i + 1,
                        &["we", "you", "they", "our", "it", "these", "third", "such"],
                    )
                    && words.get(i - 1) == ","
            }
            _ => false,
        };
        if boundary_before && i > start {
            clauses.push(Clause { start, end: i });
            start = if w == ";" { i + 1 } else { i };
        }
    }
    if start < n {
        clauses.push(Clause { start, end: n });
    }
    if clauses.is_empty() {
        clauses.push(Clause { start: 0, end: n });
    }
    clauses
}

/// A cue is negated when a negator comes before it in its clause, close enough to govern
/// it, and is not about the reader's wish ("if you do not want"), a hedge ("not limited
/// to") or the negation of an earlier, different verb across a comma-free stretch. "We
/// collect no data" (a negator right after the cue) also negates.
pub(super) fn is_negated(words: &Words, clause: &Clause, cue: usize) -> bool {
    let from = clause.start.max(cue.saturating_sub(10));
    for i in (from..cue).rev() {
        if words.is_negator(i) {
            let next = words.get(i + 1);
            if next == "limited" || next == "only" || next == "necessarily" {
                return false;
            }
            // "no" negates the noun after it: "no control over how it is used" says nothing
            // about the use.
            if words.get(i) == "no"
                && matches!(
                    next,
                    "control"
                        | "responsibility"
                        | "obligation"
                        | "liability"
                        | "means"
                        | "matter"
                        | "guarantee"
                        | "warranty"
                        | "charge"
                        | "cost"
                        | "fee"
                )
            {
                return false;
            }
            // "does not allow other parties to collect" negates their collection; "if you
            // do not allow us to" is the reader's wish.
            let wish = (i + 1..cue).any(|k| {
                words.is_any(k, WISH)
                    && (!words.is_any(k, &["allow", "permit", "authorize"])
                        || (i.saturating_sub(3)..i).any(|y| words.get(y) == "you"))
            });
            if wish {
                return false;
            }
            // "whether or not", "aggregated or not": an alternative, not a negation.
            if i > 0 && words.get(i - 1) == "or" && words.get(i) == "not" {
                return false;
            }
            // "information that cannot be linked to a user may be made available": a modal
            // well after the negator heads another verb, which the negator does not reach.
            if (i + 4..cue).any(|k| words.is_any(k, MAY) || words.is_any(k, WILL)) {
                return false;
            }
            return true;
        }
    }
    // "we collect no personal information", "we sell nothing"
    (cue + 1..(cue + 3).min(clause.end))
        .any(|i| words.is_any(i, &["no", "nothing", "none", "neither"]))
}

/// May (possibility), Will (commitment) or Does (plain statement), from the auxiliary
/// nearest before the cue's last word in its clause: the cue's own words count, since a
/// lexicon label may hold its auxiliary ("we may store").
pub(super) fn modality(
    words: &Words,
    clause: &Clause,
    first: usize,
    last: usize,
) -> super::Modality {
    let from = clause.start.max(first.saturating_sub(6));
    for i in (from..last).rev() {
        if words.is_any(i, MAY) {
            return super::Modality::May;
        }
        if words.is_any(i, WILL) {
            return super::Modality::Will;
        }
    }
    super::Modality::Does
}

/// Drops cues that are not practices in context: "Terms of Use", "your use of the site",
/// "opt" inside other words was never a cue, "access" by anyone but the user.
pub(super) fn cue_is_real(
    words: &Words,
    kind: super::PracticeKind,
    first: usize,
    last: usize,
) -> bool {
    use super::PracticeKind::*;
    let prev = if first > 0 { words.get(first - 1) } else { "" };
    let next = words.get(last);
    // "You can browse the site without disclosing any personal information": what is not
    // needed, not a practice (nor a denial of one).
    if prev == "without" && words.get(first).ends_with("ing") {
        return false;
    }
    if is_topic_nominal(words, first, last)
        || is_readers_wish(words, first)
        || is_harm(words, first)
        || is_disclaimed(words, first)
        || is_restricted_other(words, first)
    {
        return false;
    }
    match kind {
        Collect => {
            // "you can request and obtain", "the email you receive": the reader receives.
            // "opt out of receiving newsletters": messages to the reader, not data.
            let messages = words.get(first).starts_with("receiv")
                && (last..last + 4).any(|i| {
                    matches!(
                        words.get(i),
                        "communications"
                            | "communication"
                            | "emails"
                            | "email"
                            | "e-mails"
                            | "newsletters"
                            | "newsletter"
                            | "messages"
                            | "notice"
                            | "notices"
                            | "notifications"
                            | "offers"
                            | "updates"
                            | "mail"
                            | "mailings"
                            | "marketing"
                            | "promotional"
                            | "solicitations"
                            | "calls"
                            | "texts"
                            | "ads"
                            | "advertisements"
                            | "advertising"
                    )
                });
            // "you may provide us with": given to us, so collected.
            let to_us = (first..last + 1).any(|i| words.get(i) == "us");
            // "residents may request and obtain information about our disclosures": the
            // reader obtains, on request.
            let on_request = first >= 2
                && prev == "and"
                && matches!(words.get(first - 2), "request" | "ask")
                && matches!(words.get(first), "obtain" | "receive");
            if on_request {
                return false;
            }
            // "you will be asked to enter": the reader is asked to give.
            let requested = words.is_any(first, &["asked", "invited", "required", "requested"]);
            (to_us || requested || !reader_is_subject(words, first)) && !messages
        }
        Use => {
            let w = words.get(first);
            // "you use", "you are using", "users use": the reader's use, not the service's.
            let by_reader = matches!(prev, "you" | "users" | "visitors" | "they")
                || (matches!(prev, "are" | "'re" | "were")
                    && first >= 2
                    && matches!(words.get(first - 2), "you" | "they"));
            // "by using the Site", "not intended for use by children", "allowed to use our
            // services": the reader's use of the service, not a use of data.
            let of_service = |i: usize| {
                matches!(
                    words.get(i),
                    "site"
                        | "sites"
                        | "website"
                        | "websites"
                        | "service"
                        | "services"
                        | "app"
                        | "apps"
                        | "application"
                        | "applications"
                        | "platform"
                        | "products"
                )
            };
            let service_object = of_service(last)
                || (matches!(next, "the" | "our" | "this" | "these" | "any")
                    && of_service(last + 1));
            // "You may also contact us by mail using the address below": the reader is the
            // subject of "using".
            let reader_using = w == "using"
                && (first.saturating_sub(12)..first)
                    .rev()
                    .find(|&i| words.is_any(i, &["we", "you", "i"]))
                    .is_some_and(|i| {
                        words.get(i) == "you"
                            && (i == 0
                                || words.is_any(i - 1, &["if", "when", ",", "once", "whenever"])
                                || words.is_any(
                                    i + 1,
                                    &[
                                        "may", "can", "will", "should", "must", "could", "might",
                                        "also",
                                    ],
                                ))
                    });
            if by_reader || service_object || reader_using || (prev == "for" && next == "by") {
                return false;
            }
            if w == "use" || w == "usage" {
                // Nominal "use" after a determiner is about the user's use: "your use of".
                let determiner = matches!(
                    prev,
                    "your"
                        | "the"
                        | "of"
                        | "their"
                        | "his"
                        | "her"
                        | "its"
                        | "any"
                        | "such"
                        | "this"
                );
                !determiner && (next != "of" || prev == "our")
            } else {
                true
            }
        }
        Sell => {
            let w = words.get(first);
            let ahead: Vec<&str> = (last..last + 4).map(|i| words.get(i)).collect();
            // Selling goods or assets, or items "for sale", is not selling personal data.
            let goods = ahead.iter().any(|a| {
                matches!(
                    *a,
                    "assets"
                        | "asset"
                        | "business"
                        | "businesses"
                        | "company"
                        | "stock"
                        | "shares"
                        | "products"
                        | "goods"
                        | "items"
                        | "merchandise"
                        | "tickets"
                        | "services"
                        | "subscriptions"
                )
            });
            let sale_of_data = w != "sale" && w != "sales"
                || ahead.iter().any(|a| {
                    matches!(
                        *a,
                        "your" | "personal" | "data" | "information" | "customer" | "user"
                    )
                });
            // "trade union membership", "trade secrets", "Federal Trade Commission": the
            // noun "trade" in a compound, not trading data.
            let trade_noun = w == "trade"
                && matches!(
                    next,
                    "union"
                        | "unions"
                        | "secret"
                        | "secrets"
                        | "name"
                        | "names"
                        | "mark"
                        | "marks"
                        | "show"
                        | "shows"
                        | "association"
                        | "associations"
                        | "commission"
                );
            !goods
                && !trade_noun
                && sale_of_data
                && prev != "for"
                && next != "through"
                && !(next == "on" && w == "sell")
        }
        Retain => {
            let w = words.get(first);
            let storage_verb = matches!(
                w,
                "store"
                    | "stores"
                    | "stored"
                    | "storing"
                    | "storage"
                    | "keep"
                    | "keeps"
                    | "kept"
                    | "keeping"
                    | "maintain"
                    | "maintains"
                    | "maintained"
                    | "maintaining"
                    | "hold"
                    | "holds"
                    | "held"
                    | "preserve"
                    | "preserves"
                    | "preserved"
                    | "preserving"
                    | "preservation"
                    | "archive"
                    | "archives"
                    | "archiving"
            );
            // Storing is retention when the sentence says for how long, or when we say, in
            // the active voice, that we keep the data ("we store any information ...");
            // "is stored in the US" or "cookies store preferences" is not.
            let passive = (first.saturating_sub(2)..first).any(|i| {
                matches!(
                    words.get(i),
                    "is" | "are" | "be" | "been" | "being" | "was" | "were"
                )
            });
            // "we store", "we may also keep": we are the subject right before the verb
            // ("we collect and store" states collection, and is not retention).
            let j = start_of_run_before(
                words,
                first,
                &[
                    "may",
                    "will",
                    "also",
                    "only",
                    "generally",
                    "securely",
                    "can",
                    "might",
                    "to",
                    "right",
                    "the",
                    "reserve",
                    // "we do not store", "we never keep": a denial of retention
                    "not",
                    "never",
                    "do",
                    "does",
                ],
                usize::MAX,
            );
            let we_store = j > 0 && words.get(j - 1) == "we" && !passive;
            !storage_verb || we_store || (0..words.len()).any(|i| is_duration_word(words, i))
        }
        Share => {
            // "cookies are sent to your browser", "emails sent to you": a delivery to the
            // reader, not a disclosure of data.
            // "service providers have access to your information" names what they reach,
            // not the reader ("allow access to your information" is the reader's access);
            // so does "providers are given access to your information".
            let access = last >= 3
                && words.get(last - 2) == "access"
                && (words.is_any(last - 3, &["have", "has", "given", "granted"])
                    || (last >= 4
                        && words.is_any(last - 3, &["limited", "restricted"])
                        && words.is_any(last - 4, &["have", "has"])));
            let to_reader = words.get(last - 1) == "to"
                && (matches!(next, "you" | "yourself") || (next == "your" && !access));
            // "anyone who has access to your computer": whoever may reach the reader's
            // device, in a warning to the reader, is no recipient of the service's data.
            let anyone = access
                && last >= 5
                && words.get(last - 4) == "who"
                && matches!(
                    words.get(last - 5),
                    "someone" | "anyone" | "anybody" | "somebody" | "person" | "else"
                );
            if anyone {
                return false;
            }
            // "small files that a site transfers to your computer's hard drive": cookies
            // placed on the reader's device are not a disclosure of data.
            let to_device = (last..last + 8).any(|i| {
                matches!(words.get(i), "to" | "on" | "onto")
                    && (i + 1..i + 4).any(|k| {
                        matches!(
                            words.get(k),
                            "computer"
                                | "computer's"
                                | "device"
                                | "device's"
                                | "browser"
                                | "hard"
                                | "machine"
                                | "devices"
                                | "computers"
                        )
                    })
            });
            // "the share feature", "social sharing buttons": "share" naming a tool of the
            // site, not a disclosure.
            let tool = last == first + 1
                && matches!(words.get(first), "share" | "sharing")
                && matches!(
                    next,
                    "feature"
                        | "features"
                        | "button"
                        | "buttons"
                        | "widget"
                        | "widgets"
                        | "functionality"
                        | "functionalities"
                        | "tool"
                        | "tools"
                        | "icon"
                        | "icons"
                        | "plugin"
                        | "plugins"
                        | "plug-ins"
                );
            !to_reader && !to_device && !tool
        }
        Choice => {
            // "without your consent", "obtain consent from a parent", "with your consent":
            // consent as a condition of another practice, not a choice offered.
            let w = words.get(first);
            // Look past a possessive: "without your consent".
            let possessor = |w: &str| {
                matches!(
                    w,
                    "your" | "their" | "his" | "her" | "our" | "the" | "informed"
                ) || w.ends_with("'s")
                    || w.ends_with("s'")
            };
            let mut k = first;
            while k > 0 && first - k < 3 && possessor(words.get(k - 1)) {
                k -= 1;
            }
            let prev = if k < first && k > 0 {
                words.get(k - 1)
            } else {
                prev
            };
            // "providing your information is your choice", "is optional": how a
            // collection happens, not a choice the service offers.
            let predicate = first > 0
                && matches!(words.get(k.saturating_sub(1)), "is" | "are")
                && (w.starts_with("choice") || w == "your" || w == "optional");
            // "By using the Site, you consent to the collection …", "you understand and
            // consent to the transfer": accepting the policy, not a choice.
            let accepting = w.starts_with("consent")
                && words.get(last) == "to"
                && (first.saturating_sub(4)..first).any(|i| words.get(i) == "you")
                && !(first.saturating_sub(4)..first).any(|i| {
                    matches!(
                        words.get(i),
                        "if" | "unless" | "whenever" | "withdraw" | "revoke" | "may" | "can"
                    )
                });
            let constitutes = w.starts_with("consent")
                && matches!(
                    prev,
                    "constitutes" | "constitute" | "parent" | "parents" | "guardian"
                );
            if predicate || accepting || constitutes {
                return false;
            }
            !(w.starts_with("consent")
                && matches!(
                    prev,
                    "without"
                        | "with"
                        | "parental"
                        | "prior"
                        | "express"
                        | "explicit"
                        | "affirmative"
                        | "obtain"
                        | "obtaining"
                        | "verifiable"
                        | "expressly"
                        | "hereby"
                        | "have"
                        | "has"
                        | "get"
                        | "receive"
                        | "received"
                ))
        }
        Protect => {
            // "to protect the rights, property or safety of", "committed to protecting your
            // privacy": a legal purpose or a slogan, not a security measure.
            let w = words.get(first);
            // "protected health information": an adjective naming data; "data
            // protection laws", "Privacy Protection Act", "fraud protection": a law or
            // a purpose.
            let adjective = w == "protected"
                && !matches!(
                    prev,
                    "is" | "are"
                        | "be"
                        | "been"
                        | "being"
                        | "was"
                        | "were"
                        | "remain"
                        | "remains"
                        | "stay"
                        | "kept"
                        | "and"
                        | "secured"
                );
            let law = w.starts_with("protection")
                && (matches!(
                    next,
                    "law"
                        | "laws"
                        | "act"
                        | "rule"
                        | "regulation"
                        | "regulations"
                        | "authority"
                        | "authorities"
                        | "directive"
                        | "officer"
                        | "legislation"
                ) || matches!(prev, "fraud" | "consumer" | "theft"));
            if adjective || law {
                return false;
            }
            !(w.starts_with("protect")
                && (last..last + 4).any(|i| {
                    matches!(
                        words.get(i),
                        "rights"
                            | "property"
                            | "safety"
                            | "interests"
                            | "privacy"
                            | "legal"
                            | "ourselves"
                    )
                }))
        }
        _ => true,
    }
}

/// Words that make the practice after them a harm guarded against: "from unauthorized
/// access, use or disclosure", "prevent unauthorized persons from intercepting or
/// receiving".
const HARM: &[&str] = &[
    "unauthorized",
    "unauthorised",
    "unlawful",
    "accidental",
    "improper",
    "illegal",
    "inappropriate",
    "misuse",
];

/// A cue in a phrase that names a harm security measures guard against ("unauthorized
/// access, use, alteration or disclosure"): only nominal or "-ing" cue words, with nothing
/// but other such nouns, coordinators and prepositions between the harm word and the cue.
fn is_harm(words: &Words, cue: usize) -> bool {
    let nounish = |w: &str| {
        w.ends_with("ion")
            || w.ends_with("ing")
            || w.ends_with("ure")
            || w.ends_with("al")
            || matches!(
                w,
                "use" | "access" | "loss" | "theft" | "misuse" | "persons" | "parties" | "users"
            )
    };
    if !nounish(words.get(cue)) {
        return false;
    }
    let Some(h) = (cue.saturating_sub(10)..cue)
        .rev()
        .find(|&i| words.is_any(i, HARM))
    else {
        return false;
    };
    (h + 1..cue).all(|i| {
        let w = words.get(i);
        nounish(w)
            || matches!(
                w,
                "," | "and" | "or" | "and/or" | "to" | "of" | "from" | "third"
            )
    })
}

/// A cue after "we are not responsible for", "we do not control", "we have no control
/// over": the sentence disclaims others' practices rather than stating the service's.
/// "We cannot guarantee that the information will not be intercepted", "cannot ensure the
/// security of any information you transmit": a risk disclaimed, not a practice denied.
fn is_disclaimed(words: &Words, cue: usize) -> bool {
    (cue.saturating_sub(12)..cue).any(|i| {
        let w = words.get(i);
        let before = |k: usize| (i.saturating_sub(k)..i).any(|j| words.is_negator(j));
        (matches!(w, "responsible" | "liable" | "responsibility" | "liability")
            && words.get(i + 1) == "for"
            && before(3))
            || (matches!(w, "control" | "controls") && before(2))
            // "we undertake no obligation to release such information"
            || (matches!(w, "obligation" | "duty" | "obligations") && before(3))
            || (matches!(w, "guarantee" | "ensure" | "warrant" | "promise")
                && before(2)
                && !(i + 1..cue).any(|k| words.is_any(k, &[",", ";"])))
    })
}

/// "They are restricted from using", "these companies are not authorized to share",
/// "are limited in their ability to use", "do not have any independent right to share":
/// a limit the policy puts on another party, which states no practice of that party. The
/// first party's own limits ("we are not permitted to collect") are negations and stay.
fn is_restricted_other(words: &Words, cue: usize) -> bool {
    let Some(m) = (cue.saturating_sub(7)..cue).rev().find(|&i| {
        let w = words.get(i);
        let next = words.get(i + 1);
        let negated_before = (i.saturating_sub(2)..i).any(|j| words.is_negator(j));
        (matches!(w, "restricted" | "prohibited" | "barred") && next == "from")
            || (matches!(w, "authorized" | "permitted" | "allowed") && negated_before)
            || (w == "limited" && next == "in")
            // "they are contractually obligated not to disclose it"
            || (matches!(w, "obligated" | "obliged" | "bound" | "required" | "agreed")
                && next == "not"
                && words.get(i + 2) == "to")
            || (w == "right"
                && next == "to"
                && (i.saturating_sub(3)..i).any(|j| words.is_negator(j) || words.get(j) == "any"))
    }) else {
        return false;
    };
    !(m.saturating_sub(5)..m).any(|j| words.is_any(j, &["we", "i"]))
}

/// Nominal cues a reader would not take for a practice: "regarding the collection, use and
/// retention of personal information", "about the transfer of data" name a topic. The
/// nominal (with any coordinated nominals) is followed by "of" and governed by a
/// preposition of topic.
fn is_topic_nominal(words: &Words, first: usize, last: usize) -> bool {
    let nominal = |w: &str| {
        w.ends_with("ion")
            || w.ends_with("ing")
            // "the general use of", "the collection, international transfer and storage of"
            || matches!(w, "general" | "international" | "further" | "continued")
            || w == "maintenance"
            || matches!(
                w,
                "use"
                    | "usage"
                    | "transfer"
                    | "transfers"
                    | "disclosure"
                    | "disclosures"
                    | "sale"
                    | "storage"
                    | "retention"
                    | "processing"
                    | "collection"
                    | "access"
            )
    };
    if !nominal(words.get(first)) {
        return false;
    }
    let joiner = |w: &str| matches!(w, "," | "and" | "or" | "and/or");
    let mut e = last;
    while e < words.len() && (joiner(words.get(e)) || nominal(words.get(e))) {
        e += 1;
    }
    // "our information collection practices", "data use policies": the nominal names a
    // kind of practice, which the sentence only talks about.
    if matches!(
        words.get(e),
        "practices"
            | "practice"
            | "policies"
            | "policy"
            | "activities"
            | "procedures"
            | "methods"
            | "process"
    ) {
        return true;
    }
    let mut b = first;
    while b > 0 && (joiner(words.get(b - 1)) || nominal(words.get(b - 1))) {
        b -= 1;
    }
    while b > 0
        && matches!(
            words.get(b - 1),
            "the" | "our" | "any" | "such" | "its" | "their" | "this" | "these" | "all"
        )
    {
        b -= 1;
    }
    // "opt out of such sharing", "you can limit the collection and use of": the object of
    // a choice offered to the reader, whose practice is stated elsewhere (or not at all).
    let chosen = b > 1
        && ((words.get(b - 1) == "of" && matches!(words.get(b - 2), "out" | "opt-out" | "optout"))
            || matches!(
                words.get(b - 1),
                "limit" | "restrict" | "control" | "stop" | "prevent" | "refuse" | "decline"
            ));
    if chosen {
        return true;
    }
    if words.get(e) != "of" {
        return false;
    }
    b > 0
        && matches!(
            words.get(b - 1),
            "regarding"
                | "concerning"
                | "about"
                | "for"
                | "of"
                | "on"
                | "in"
                | "with"
                | "governing"
                | "governs"
                | "respecting"
        )
        || (b > 1
            && words.get(b - 1) == "to"
            && matches!(
                words.get(b - 2),
                "consent"
                    | "consents"
                    | "agree"
                    | "agreeing"
                    | "consenting"
                    | "object"
                    | "relating"
                    | "related"
                    | "pertaining"
                    | "respect"
                    | "regard"
            ))
}

/// "If you prefer that we not share", "if you would like us to use": a condition about
/// the reader's wish, in which the cue states no practice of its own.
fn is_readers_wish(words: &Words, cue: usize) -> bool {
    // "ask that we not share", "request that we delete": the reader's request.
    // "We ask that you not send us, or disclose, …": the request may govern a list.
    let asked = (cue.saturating_sub(12)..cue).any(|i| {
        matches!(words.get(i), "ask" | "request" | "instruct")
            && matches!(words.get(i + 1), "that" | "us")
            && !(i + 2..cue).any(|k| words.is_any(k, &["we", "i"]))
    });
    // "If, at any time, you do not want us to share": the wish may follow the "if" after
    // commas; the wish word itself sits next to "you".
    let wish_near = (cue.saturating_sub(8)..cue).any(|k| {
        matches!(words.get(k), "want" | "wish" | "prefer")
            && (k.saturating_sub(4)..k).any(|y| words.get(y) == "you")
            && !(k + 1..cue).any(|i| matches!(words.get(i), "," | ";"))
    }) && (cue.saturating_sub(14)..cue)
        .any(|i| matches!(words.get(i), "if" | "unless"));
    if asked || wish_near {
        return true;
    }
    let from = cue.saturating_sub(8);
    (from..cue).any(|i| {
        matches!(words.get(i), "if" | "unless" | "should")
            && words.get(i + 1) == "you"
            && !(i + 2..cue).any(|k| matches!(words.get(k), "," | ";"))
            && (i + 2..cue)
                .any(|k| matches!(words.get(k), "prefer" | "wish" | "want" | "like" | "object"))
    })
}

fn is_duration_word(words: &Words, i: usize) -> bool {
    match words.get(i) {
        "period" | "periods" | "until" | "days" | "months" | "years" | "weeks" | "retention"
        | "retain" | "retains" | "retained" | "delete" | "deleted" | "deletes" | "erase"
        | "erased" | "destroy" | "destroyed" | "indefinitely" | "anonymize" | "anonymise"
        | "purge" | "purged" => true,
        "long" => words.get(i.saturating_sub(1)) == "as" || words.get(i.saturating_sub(1)) == "how",
        "longer" => words.get(i.saturating_sub(1)) == "no",
        _ => false,
    }
}

/// Whether a cue sits in a question or a description of the policy itself ("This policy
/// describes how we collect…", "What information do we collect?"): those announce a topic,
/// they state no practice.
pub(super) fn is_topic_not_practice(words: &Words, cue: usize) -> bool {
    let n = words.len();
    if n > 0 && words.get(n - 1) == "?" {
        return true;
    }
    let from = cue.saturating_sub(4);
    if (from..cue).any(|i| matches!(words.get(i), "how" | "what" | "why")) {
        return true;
    }
    // "how information about you is used": a passive topic with its subject between.
    if let Some(h) = (cue.saturating_sub(7)..cue)
        .rev()
        .find(|&i| matches!(words.get(i), "how" | "what" | "why"))
    {
        if !(h + 1..cue).any(|i| matches!(words.get(i), "," | ";" | ":" | "we")) {
            return true;
        }
    }
    // "we will describe the types of information we collect", "see … for the kinds of data
    // we use": a classification named as what the text reports on is a topic.
    if let Some(t) = (cue.saturating_sub(8)..cue).rev().find(|&i| {
        matches!(
            words.get(i),
            "types" | "kinds" | "categories" | "type" | "kind"
        )
    }) {
        if (t.saturating_sub(4)..t).any(|i| {
            matches!(
                words.get(i),
                "describe"
                    | "describes"
                    | "explain"
                    | "explains"
                    | "see"
                    | "about"
                    | "on"
                    | "list"
                    | "lists"
                    | "outline"
                    | "outlines"
                    | "read"
                    | "know"
            )
        }) {
            return true;
        }
    }
    // "the ways we collect", "the manner in which we use": a topic, like "how" (but not
    // "in any way", "in no way", which qualify a practice).
    if (from..cue).any(|i| {
        matches!(words.get(i), "way" | "ways" | "manner" | "extent")
            && !matches!(
                words.get(i.saturating_sub(1)),
                "any" | "no" | "some" | "every"
            )
    }) {
        return true;
    }
    // "this privacy policy describes", "this statement explains"
    (0..n).any(|i| {
        matches!(words.get(i), "policy" | "statement" | "notice")
            && matches!(
                words.get(i + 1),
                "describes"
                    | "explains"
                    | "covers"
                    | "outlines"
                    | "sets"
                    | "tells"
                    | "informs"
                    | "applies"
                    | "governs"
                    | "discloses"
                    | "addresses"
            )
            && i < cue
    })
}

/// A change verb within five words of the policy's name ("policy", "statement", "notice").
pub(super) fn mentions_policy_change(words: &Words) -> bool {
    let n = words.len();
    if n > 0 && words.get(n - 1) == "?" {
        return false;
    }
    (0..n).any(|i| {
        let w = words.get(i);
        let change = ["chang", "updat", "modif", "revis", "amend"]
            .iter()
            .any(|p| w.starts_with(p));
        change
            && (i.saturating_sub(5)..(i + 6).min(n)).any(|j| {
                matches!(words.get(j), "policy" | "policies" | "statement" | "notice")
                    && !matches!(words.get(j + 1), "describes" | "explains" | "covers")
            })
    })
}

/// "Please include your name and address", "please do not provide personal data": an
/// instruction to the reader, whose actions are not the service's practices. "Please note
/// that we collect …" names the service again and is not one.
pub(super) fn is_instruction_to_reader(words: &Words, clause: &Clause, cue: usize) -> bool {
    let Some(p) = (clause.start..cue)
        .rev()
        .find(|&i| words.get(i) == "please")
    else {
        return false;
    };
    // "Please note that third parties may collect …", "please be aware that your data may
    // be transferred": what follows "that" is a statement, not the instruction.
    let noted = words.is_any(
        p + 1,
        &[
            "note",
            "be",
            "remember",
            "keep",
            "understand",
            "bear",
            "recognize",
            "know",
        ],
    ) && (p + 2..cue).any(|i| words.get(i) == "that");
    !noted && !(p + 1..cue).any(|i| words.is_first_person(i) || words.get(i) == "our")
}

/// Where the run of `skippable` words (at most `max` of them) ending right before `at`
/// starts: a verb's subject stands before its modals, adverbs and a passive request ("you
/// may also be asked to provide"), so the callers look at the word before the run.
pub(super) fn start_of_run_before(
    words: &Words,
    at: usize,
    skippable: &[&str],
    max: usize,
) -> usize {
    let mut j = at;
    while j > 0 && at - j < max && words.is_any(j - 1, skippable) {
        j -= 1;
    }
    j
}

/// Whether the reader is the subject right before the cue: "you share", "you may also
/// share".
pub(super) fn reader_is_subject(words: &Words, cue: usize) -> bool {
    // "you can optionally provide", "you are required to provide", "you may be asked to
    // give": modals, adverbs and a passive request between the reader and the verb.
    let j = start_of_run_before(
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
            "optionally",
            "voluntarily",
            "directly",
            "simply",
            "be",
            "are",
            "asked",
            "invited",
            "required",
            "requested",
            "need",
            "want",
            "wish",
            "decide",
        ],
        6,
    );
    j > 0 && words.is_any(j - 1, &["you", "users"])
}

/// "share it with us", "provide us with": the reader gives data to the first party, which
/// collects it.
pub(super) fn is_given_to_us(words: &Words, clause: &Clause, cue_last: usize) -> bool {
    if words.get(cue_last) == "us" {
        return true;
    }
    for i in cue_last..clause.end.min(cue_last + 8) {
        if matches!(words.get(i), "with" | "to") && words.get(i + 1) == "us" {
            return true;
        }
        // "share information with vendors providing services to us", "shared with a
        // partner that works with us": the first "with" names who receives the data.
        if words.get(i) == "with" {
            return false;
        }
    }
    false
}

/// "share information with you", "disclosed to you": the reader receives, so nothing goes
/// to another party.
pub(super) fn is_told_to_reader(words: &Words, clause: &Clause, cue_last: usize) -> bool {
    (cue_last..clause.end.min(cue_last + 5))
        .any(|i| words.is_any(i, &["with", "to"]) && words.get(i + 1) == "you")
}

/// "this information", "such data", "the above information", "it" as an object: the
/// clause refers to data named earlier.
pub(super) fn has_anaphora(words: &Words, start: usize, end: usize) -> bool {
    for i in start..end {
        let w = words.get(i);
        if matches!(
            w,
            "this" | "such" | "that" | "these" | "those" | "said" | "the" | "above"
        ) && words.is_any(i + 1, &["information", "data", "details", "info"])
        {
            return true;
        }
        if matches!(w, "it" | "them")
            && i > start
            && !words.is_any(i + 1, &["is", "was", "will", "may", "has", "can"])
        {
            return true;
        }
    }
    false
}

/// Whether the mention starting at byte `start` is introduced by "these", "such", "those"
/// or "said" ("these third parties").
pub(super) fn is_anaphoric_at(words: &Words, tokens: &[Token], start: usize) -> bool {
    tokens
        .iter()
        .position(|t| t.start == start)
        .is_some_and(|i| i > 0 && words.is_any(i - 1, &["these", "such", "those", "said"]))
}

/// Tokens excepted from a practice: after "other than", "except (for)", "excluding", "with
/// the exception of", "but not", "not including", up to the next comma, bracket or dash
/// or the clause end.
pub(super) fn exception_span(words: &Words, clause: &Clause) -> Option<(usize, usize)> {
    let mut i = clause.start;
    while i < clause.end {
        let w = words.get(i);
        let start = if w == "other" && words.get(i + 1) == "than" {
            Some(i + 2)
        } else if w == "except" {
            Some(if words.get(i + 1) == "for" {
                i + 2
            } else {
                i + 1
            })
        } else if w == "excluding" {
            Some(i + 1)
        } else if w == "exception" && words.get(i + 1) == "of" {
            Some(i + 2)
        } else if w == "but"
            && words.get(i + 1) == "not"
            && !words.is_any(i + 2, &["limited", "only", "necessarily", "always"])
        {
            // "gender, age and postal code but not your name"; "including but not limited
            // to" is no exception.
            Some(i + 2)
        } else if w == "not" && words.is_any(i + 1, &["including", "includes"]) {
            Some(i + 2)
        } else {
            None
        };
        if let Some(s) = start {
            // "except as described", "except to": not a list of data.
            if words.is_any(
                s,
                &["as", "to", "in", "where", "when", "if", "that", "with"],
            ) {
                return None;
            }
            let mut e = s;
            while e < clause.end && !words.is_any(e, &[",", ")", "-"]) {
                e += 1;
            }
            return Some((s, e));
        }
        i += 1;
    }
    None
}

/// A conditional subclause ("if you register", "when you visit our site"), from its
/// conjunction to the next comma or the clause end.
pub(super) fn conditional_span(words: &Words, clause: &Clause) -> Option<(usize, usize)> {
    let i = (clause.start..clause.end).find(|&i| words.is_any(i, CONDITIONAL))?;
    if words.get(i) == "where"
        && !words.is_any(
            i + 1,
            &["you", "required", "necessary", "permitted", "appropriate"],
        )
    {
        return None;
    }
    let mut e = i + 1;
    while e < clause.end && !matches!(words.get(e), "," | ";" | ":") {
        e += 1;
    }
    (e > i + 1).then_some((i, e))
}

/// Verbs of the reader acting on their own data or on the service: "you can review",
/// "you may update", "you can use our tools".
const READER_CONTROL: &[&str] = &[
    "review",
    "control",
    "view",
    "edit",
    "add",
    "update",
    "modify",
    "access",
    "request",
    "delete",
    "correct",
    "remove",
    "change",
    "limit",
    "manage",
    "decide",
    "select",
    "use",
    "alert",
    "choose",
    "consolidate",
    "examine",
    "download",
    "export",
];
/// Words between "you" and a verb of control: "you can also", "you will be able to".
const READER_MODAL: &[&str] = &[
    ":",
    "can",
    "may",
    "might",
    "will",
    "be",
    "able",
    "to",
    "also",
    "always",
    "simply",
    "then",
    "are",
    "at",
    "any",
    "time",
    "easily",
    "have",
    "has",
    "the",
    "an",
    "opportunity",
    "option",
    "right",
    "ability",
    "chance",
];

/// "You can review and control certain information", "you may also use the contact
/// information to request access": the reader, with an offered ability, acts on data; a cue
/// in what the reader does states no practice of the service. "You may choose to share"
/// (the reader discloses) and any first person between ("you may ask that we not share")
/// keep the cue.
pub(super) fn reader_controls(words: &Words, clause: &Clause, cue: usize) -> bool {
    let from = clause.start.max(cue.saturating_sub(20));
    // "For example, you can: Control who you share information with": any "you" in reach
    // may be the one offered the control.
    (from..cue).any(|you| {
        if words.get(you) != "you" || (you + 1..cue).any(|i| words.is_any(i, &["we", "us", "i"])) {
            return false;
        }
        let mut v = you + 1;
        let modal_start = v;
        while v < cue && words.is_any(v, READER_MODAL) {
            v += 1;
        }
        let offered = v > modal_start
            && words.is_any(modal_start, &["can", "may", "will", "are", "have", "has"]);
        offered
            && v <= cue
            && words.is_any(v, READER_CONTROL)
            && !(words.get(v) == "choose" && words.get(v + 1) == "to")
    })
}

/// "Examples include sending postal mail, analyzing data …", "Some examples include: to
/// respond to reviews": a list of activities (gerunds or "to" infinitives), whose data
/// words are objects of those activities, not data the sentence says are collected or
/// shared. "Examples include your name and address" lists data and is not one.
pub(super) fn lists_activities(words: &Words) -> bool {
    let mut i = 0;
    if words.get(i) == "some" {
        i += 1;
    }
    if !words.is_any(i, &["examples", "example"]) {
        return false;
    }
    i += 1;
    if words.get(i) == "may" {
        i += 1;
    }
    if !words.is_any(i, &["include", "includes"]) {
        return false;
    }
    i += 1;
    if words.get(i) == ":" {
        i += 1;
    }
    let w = words.get(i);
    w == "to" || (w.len() > 4 && w.ends_with("ing"))
}

/// Where a negated practice is scoped by an exception of circumstance ("we do not share
/// your information except as described below", "except in aggregate form", "we will not
/// disclose it unless required by law", "other than as set out above", "other than what you
/// supply to us"): the tokens of the exception phrase, up to the next comma or the clause
/// end. The practice then holds in the excepted case, so the negation is not absolute.
/// An excluded party or product ("except for the Learning Network") or purpose ("for any
/// purpose other than providing services") narrows the denial instead, and "without your
/// consent" is a condition of the denial (see the Conditions scheme), not an exception.
pub(super) fn negation_exception(words: &Words, clause: &Clause) -> Option<(usize, usize)> {
    const CIRCUMSTANCE: &[&str] = &[
        "as", "in", "to", "where", "when", "if", "with", "under", "upon", "what", "that",
    ];
    let start = (clause.start..clause.end).find(|&i| match words.get(i) {
        "except" | "excepting" => words.is_any(i + 1, CIRCUMSTANCE),
        "other" => words.get(i + 1) == "than" && words.is_any(i + 2, CIRCUMSTANCE),
        "unless" => true,
        _ => false,
    })?;
    let mut end = start + 1;
    while end < clause.end && !words.is_any(end, &[",", ";", ":"]) {
        end += 1;
    }
    Some((start, end))
}

/// "We and our partners use …", "we or our service provider may collect …": a subject that
/// joins the first party with other parties, so the practice is both theirs and ours.
pub(super) fn joint_subject(words: &Words, clause: &Clause, cue: usize) -> bool {
    let from = clause.start.max(cue.saturating_sub(10));
    (from..cue).any(|k| {
        words.get(k) == "we"
            && words.is_any(k + 1, &["and", "or", "&"])
            && words.is_any(
                k + 2,
                &[
                    "our", "its", "certain", "third", "trusted", "select", "selected", "other",
                    "these", "some",
                ],
            )
            && !(k + 2..cue).any(|i| words.is_first_person(i) && words.get(i) != "our")
    })
}

/// Advice to the reader: "we recommend that you choose a unique password and not share
/// it", "you should use discretion when disclosing information online", "users should
/// exercise caution when deciding to disclose …". What the reader is advised to do is no
/// practice of the service. "You should be aware that …", "you should note that …"
/// introduce a statement and are not advice; a first person after the advice ("we encourage
/// you to ask whether we share") states the service's practice again.
pub(super) fn is_advice(words: &Words, clause: &Clause, cue: usize) -> bool {
    let from = clause.start.max(cue.saturating_sub(15));
    let Some(m) = (from..cue).rev().find(|&i| match words.get(i) {
        "recommend" | "recommends" | "encourage" | "encourages" | "urge" | "urges" | "advise"
        | "advises" | "suggest" | "suggests" => {
            (i + 1..i + 3).any(|k| words.is_any(k, &["you", "users", "that", "parents"]))
        }
        "should" => {
            let mut k = i + 1;
            while words.is_any(k, &["also", "always", "still"]) {
                k += 1;
            }
            i > 0
                && words.is_any(i - 1, &["you", "users", "visitors", "members", "parents"])
                && !words.is_any(
                    k,
                    &[
                        "be",
                        "note",
                        "know",
                        "understand",
                        "remember",
                        "realize",
                        "recognize",
                    ],
                )
        }
        _ => false,
    }) else {
        return false;
    };
    !(m + 1..cue).any(|i| words.is_any(i, &["we", "us", "i"]))
}

/// "We do not knowingly collect personal information from children under 13", "… from
/// anyone under the age of 18": a denial restricted to a group of people, from the group's
/// first word to the next comma or the clause end. Such a denial is scoped, not absolute.
pub(super) fn audience_scope(words: &Words, clause: &Clause) -> Option<(usize, usize)> {
    let start = (clause.start..clause.end).find(|&i| {
        words.is_any(
            i,
            &[
                "children",
                "child",
                "minors",
                "minor",
                "kids",
                "teens",
                "teenagers",
            ],
        ) || (words.get(i) == "under"
            && (words.get(i + 1).starts_with(|c: char| c.is_ascii_digit())
                || words.get(i + 2) == "age"))
    })?;
    let mut end = start + 1;
    while end < clause.end && !words.is_any(end, &[",", ";", ":"]) {
        end += 1;
    }
    Some((start, end))
}

#[cfg(test)]
mod words_tests {
    use super::Words;

    /// `Words::new` gives each token the word the old `Cow` per token gave: the token
    /// itself when lowercase ASCII, else its lowercase (with ’ as '), on generated sentences
    /// of lowercase, capitalised and non-ASCII tokens, and a buffer used before is cleared.
    #[test]
    fn words_are_the_tokens_lowercased() {
        const PIECES: &[&str] = &[
            "we",
            "We",
            "WE",
            "data",
            "Data",
            "e-mail",
            "E-Mail",
            "don’t",
            "Don’t",
            "ΣΟΦΊΑ",
            "ὈΔΥΣΣΕΎΣ",
            "café",
            "CAFÉ",
            "\u{212A}elvin",
            "İstanbul",
            "Straße",
            "1st",
            "U.S.",
            ",",
            "(",
            "’",
            "x",
            "X",
        ];
        let mut next = crate::testing::xorshift(0x1234_5678_9abc_def1u64);
        let mut lower = String::from("left over");
        for _ in 0..2_000 {
            let mut text = String::new();
            for _ in 0..next(12) {
                text.push_str(PIECES[next(PIECES.len())]);
                text.push(' ');
            }
            let tokens = crate::text::tokens(&text, 0, text.len());
            let words = Words::new(&text, &tokens, &mut lower);
            assert_eq!(words.len(), tokens.len());
            for (i, t) in tokens.iter().enumerate() {
                let w = &text[t.start..t.end];
                let expected = if w.is_ascii() {
                    w.to_ascii_lowercase()
                } else {
                    w.to_lowercase().replace('’', "'")
                };
                assert_eq!(words.get(i), expected, "{text:?}");
            }
            assert_eq!(words.get(tokens.len()), "");
        }
    }
}
