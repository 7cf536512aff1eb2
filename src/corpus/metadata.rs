//! What a policy says about itself: the Wayback Machine header line that archived copies
//! carry (domain, archive date, snapshot URL), or an organisation named in the title line.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// Where a policy comes from and whose it is. Every field is optional: a policy may say
/// nothing about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// Registrable domain, lowercase, without `www.`.
    pub domain: Option<String>,
    /// The organisation's name where the text names it.
    pub organization: Option<String>,
    /// Archive date, `YYYY-MM-DD`.
    pub archived: Option<String>,
    /// Where the text was fetched from (the Wayback snapshot, or the JSONL `url`).
    pub source_url: Option<String>,
    /// The first heading or line, when it names the document.
    pub title: Option<String>,
}

static WAYBACK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)extracted and transformed from the\s+(?:\*\*)?([\w.-]+\.[a-z]{2,})(?:\*\*)?\s+privacy policy that was archived on\s+(\d{4}-\d{2}-\d{2})",
    )
    .unwrap()
});
static SNAPSHOT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\((https?://web\.archive\.org/[^)\s]+)\)").unwrap());
static TITLE_ORG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:#+\s*)?(.{2,80}?)(?:'s|’s)?\s*[-–—:|]?\s*(?:online\s+|website\s+|web\s+site\s+)?privacy\s+(?:policy|statement|notice)\b",
    )
    .unwrap()
});

/// Reads the metadata of `text`, keeping what `given` already knows, and returns the byte
/// range of the Wayback header line if there is one.
pub fn read(text: &str, given: Metadata) -> (Metadata, Option<Range<usize>>) {
    let mut meta = given;
    let mut header = None;
    // The header is the first non-blank line when present.
    let first_line_end = text.find('\n').unwrap_or(text.len());
    let search_end = text
        .char_indices()
        .nth(2000)
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    if let Some(caps) = WAYBACK.captures(&text[..search_end]) {
        let m = caps.get(0).unwrap();
        if meta.domain.is_none() {
            meta.domain = Some(registrable_domain(&caps[1]));
        }
        if meta.archived.is_none() {
            meta.archived = Some(caps[2].to_string());
        }
        let line_start = text[..m.start()].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let line_end = text[m.end()..]
            .find('\n')
            .map(|i| m.end() + i)
            .unwrap_or(text.len());
        if meta.source_url.is_none() {
            if let Some(url) = SNAPSHOT.captures(&text[line_start..line_end]) {
                meta.source_url = Some(url[1].to_string());
            }
        }
        if line_start == 0 || text[..line_start].trim().is_empty() {
            header = Some(line_start..line_end);
        }
    }
    let body_start = header.as_ref().map(|h| h.end).unwrap_or(0);
    let _ = first_line_end;
    if let Some(title) = text[body_start..]
        .lines()
        .map(|l| l.trim().trim_start_matches('#').trim())
        .find(|l| !l.is_empty())
    {
        if title.chars().count() <= 120 {
            meta.title = Some(title.to_string());
        }
    }
    if meta.organization.is_none() {
        meta.organization = meta.title.as_deref().and_then(organisation_from_title);
    }
    if meta.organization.is_none() && meta.domain.is_none() {
        let body = &text[body_start..];
        let head = &body[..body.floor_char_boundary(5000)];
        meta.organization = organisation_from_text(head);
        if meta.organization.is_none() {
            meta.domain = domain_from_text(head);
        }
    }
    (meta, header)
}

/// The organisation a title line names: "imgwg Communications Privacy Policy" → "imgwg
/// Communications". A bare "Privacy Policy" names nobody.
pub fn organisation_from_title(title: &str) -> Option<String> {
    let caps = TITLE_ORG.captures(title)?;
    let name = caps[1]
        .trim()
        .trim_end_matches(['-', '–', '—', ':', '|', ','])
        .trim();
    let lower = name.to_lowercase();
    let generic = [
        "our", "the", "this", "website", "online", "privacy", "web site", "site", "i.",
    ];
    if name.is_empty() || generic.contains(&lower.as_str()) || lower.ends_with(" our") {
        return None;
    }
    if name.split_whitespace().count() > 6 {
        return None;
    }
    Some(name.to_string())
}

const SELF_NAMED_PATTERN: &str = r#"\b((?:[A-Z][\w&'’.-]*)(?:\s+(?:[A-Z][\w&'’.-]*|of|and|&)){0,4})\s*\(\s*(?:collectively,?\s*)?(?:the\s+)?["“”]?(?:we|us|our|company)\b"#;
const SITE_DOMAIN_PATTERN: &str =
    r"(?i)\b(?:www\.)?([a-z0-9][a-z0-9-]{1,62}\.(?:com|net|org|io|co|us|info|biz|co\.uk|de|fr))\b";

static SELF_NAMED: LazyLock<BoundedRegex> = LazyLock::new(|| BoundedRegex::new(SELF_NAMED_PATTERN));
static SITE_DOMAIN: LazyLock<BoundedRegex> =
    LazyLock::new(|| BoundedRegex::new(SITE_DOMAIN_PATTERN));
static WORD_CHAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\w$").unwrap());

/// A pattern whose only word boundaries (`\b`) are at its two ends, run fast and exactly.
///
/// The regex crate's DFAs cannot evaluate a Unicode `\b` next to a non-ASCII character and
/// fall back to a far slower engine for the whole search; nearly every policy has a curly
/// quote or an accent in its head, so these two patterns cost 20 times more than they
/// need to (3.4 s of CPU on the ToS;DR corpus, most of the metadata stage). `fast` is the
/// same pattern with ASCII boundaries, which the DFAs run. Every match of the exact pattern
/// is a match of `fast` (the characters next to the ends of a match are ASCII, where the
/// two boundaries agree), so when each match `fast` finds also lies on Unicode boundaries,
/// the two find the very same matches; when one does not (a letter such as `é` touching
/// it), or a case-insensitive pattern could start or end on a non-ASCII letter that folds
/// to ASCII (the Kelvin sign, long s), the exact pattern is run instead.
struct BoundedRegex {
    exact: Regex,
    fast: Regex,
}

impl BoundedRegex {
    fn new(pattern: &str) -> BoundedRegex {
        debug_assert_eq!(pattern.matches(r"\b").count(), 2);
        BoundedRegex {
            exact: Regex::new(pattern).unwrap(),
            fast: Regex::new(&pattern.replace(r"\b", r"(?-u:\b)")).unwrap(),
        }
    }

    /// All matches, as `exact.captures_iter(text)` gives them.
    fn captures_iter<'t>(&self, text: &'t str) -> Vec<regex::Captures<'t>> {
        if !text.contains(['\u{212A}', '\u{17F}']) {
            let found: Vec<regex::Captures<'t>> = self.fast.captures_iter(text).collect();
            if found.iter().all(|c| {
                let m = c.get(0).expect("group 0 is the match");
                unicode_boundary(text, m.start()) && unicode_boundary(text, m.end())
            }) {
                return found;
            }
        }
        self.exact.captures_iter(text).collect()
    }

    /// The first match, as `exact.captures(text)` gives it.
    fn captures<'t>(&self, text: &'t str) -> Option<regex::Captures<'t>> {
        if !text.contains(['\u{212A}', '\u{17F}']) {
            match self.fast.captures(text) {
                None => return None,
                Some(c) => {
                    let m = c.get(0).expect("group 0 is the match");
                    if unicode_boundary(text, m.start()) && unicode_boundary(text, m.end()) {
                        return Some(c);
                    }
                }
            }
        }
        self.exact.captures(text)
    }
}

/// Whether a Unicode word boundary (`\b`) lies at byte `at` of `text`.
fn unicode_boundary(text: &str, at: usize) -> bool {
    let is_word = |c: Option<char>| {
        c.is_some_and(|c| {
            let mut buf = [0u8; 4];
            WORD_CHAR.is_match(c.encode_utf8(&mut buf))
        })
    };
    is_word(text[..at].chars().next_back()) != is_word(text[at..].chars().next())
}

/// Domains policies name that are not their own.
const THIRD_PARTY_DOMAINS: &[&str] = &[
    "google.com",
    "facebook.com",
    "twitter.com",
    "youtube.com",
    "apple.com",
    "microsoft.com",
    "amazon.com",
    "linkedin.com",
    "instagram.com",
    "aboutads.info",
    "networkadvertising.org",
    "allaboutcookies.org",
    "ftc.gov",
    "doubleclick.net",
    "paypal.com",
    "adobe.com",
    "mozilla.org",
    "w3.org",
    "youronlinechoices.com",
    "truste.com",
    "export.gov",
    "archive.org",
];

/// An organisation that names itself in the text: `Acme Corp. ("we", "us")`.
pub fn organisation_from_text(text: &str) -> Option<String> {
    let caps = SELF_NAMED.captures(text)?;
    let name = caps[1].trim().trim_end_matches([',', '.']).to_string();
    (name.len() >= 2 && !matches!(name.as_str(), "We" | "Us" | "Our" | "The" | "This"))
        .then_some(name)
}

/// The domain a text mentions most often, if it is not a well-known third party's and is
/// mentioned at least twice.
pub fn domain_from_text(text: &str) -> Option<String> {
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for caps in SITE_DOMAIN.captures_iter(text) {
        let d = registrable_domain(&caps[1]);
        if !THIRD_PARTY_DOMAINS.contains(&d.as_str()) {
            *counts.entry(d).or_default() += 1;
        }
    }
    let (domain, n) = counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
    (n >= 2).then_some(domain)
}

/// The host of a URL, lowercase, without `www.`.
pub fn domain_of_url(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    // Wayback URLs carry the original URL after the timestamp.
    if rest.starts_with("web.archive.org/web/") {
        let after = rest.trim_start_matches("web.archive.org/web/");
        let original = after.split_once('/').map(|(_, r)| r)?;
        let original = original.replace("%3A", ":");
        return domain_of_url(&original);
    }
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    if host.contains('.') {
        Some(host.to_ascii_lowercase())
    } else {
        None
    }
}

/// The registrable part of a host name, approximately: `www.` and other common service
/// prefixes dropped, lowercase.
pub fn registrable_domain(host: &str) -> String {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    // Keep two labels, or three under a two-letter country code with a generic second
    // level (example.co.uk, example.com.au).
    let keep = if labels.len() >= 3
        && labels[labels.len() - 1].len() == 2
        && matches!(
            labels[labels.len() - 2],
            "co" | "com" | "org" | "net" | "ac" | "gov" | "edu" | "ne" | "or"
        ) {
        3
    } else {
        2
    };
    if labels.len() <= keep {
        host
    } else {
        labels[labels.len() - keep..].join(".")
    }
}

/// A date in `YYYY-MM-DD` form from common spellings (`2018-04-11`, `20180411`,
/// `2018-04-11T10:00:00Z`).
pub fn normalise_date(s: &str) -> Option<String> {
    let s = s.trim();
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() >= 8 && !s[..8].contains('-') {
        return Some(format!(
            "{}-{}-{}",
            &digits[..4],
            &digits[4..6],
            &digits[6..8]
        ));
    }
    let d = s.get(..10)?;
    let b = d.as_bytes();
    if b[4] == b'-' && b[7] == b'-' && d.chars().filter(|c| c.is_ascii_digit()).count() == 8 {
        Some(d.to_string())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(found: &[regex::Captures]) -> Vec<(usize, usize)> {
        found
            .iter()
            .map(|c| (c.get(1).unwrap().start(), c.get(1).unwrap().end()))
            .collect()
    }

    #[test]
    fn fast_boundary_search_finds_what_the_unicode_pattern_finds() {
        let texts = [
            "Visit www.example.com or example.com — “Acme Inc.” (the “Company”) runs example.com.",
            // a letter touching a match: the ASCII boundary would accept it, Unicode not
            "Sée éxample.com, example.coméé and Café Acme (“we”) or Acme (“we”).",
            "Ünited Games (\"us\") at ünited.com and united.com.",
            // the Kelvin sign folds to k under (?i)
            "See \u{212A}ids.com and kids.com.",
            "nothing here",
        ];
        for t in texts {
            assert_eq!(
                spans(&SITE_DOMAIN.captures_iter(t)),
                spans(&SITE_DOMAIN.exact.captures_iter(t).collect::<Vec<_>>()),
                "{t}"
            );
            assert_eq!(
                SELF_NAMED.captures(t).map(|c| c.get(0).unwrap().range()),
                SELF_NAMED
                    .exact
                    .captures(t)
                    .map(|c| c.get(0).unwrap().range()),
                "{t}"
            );
        }
        // and the fast path is taken where the text allows it
        let t = texts[0];
        assert_eq!(spans(&SITE_DOMAIN.captures_iter(t)).len(), 3);
    }

    #[test]
    fn reads_plain_and_markdown_wayback_headers() {
        let plain = "The following text is extracted and transformed from the igroops.com privacy policy that was archived on 2018-04-11. Please check.\nOur Privacy Policy\nWe collect.";
        let (m, h) = read(plain, Metadata::default());
        assert_eq!(m.domain.as_deref(), Some("igroops.com"));
        assert_eq!(m.archived.as_deref(), Some("2018-04-11"));
        assert_eq!(h.unwrap().start, 0);
        let md = "> *The following text is extracted and transformed from the igourmet.com privacy policy that was archived on 2016-11-04. Please check the [original snapshot on the Wayback Machine](https://web.archive.org/web/20161104133527id_/http%3A//www.igourmet.com/ST/privacy.asp) for the most accurate reproduction.*\n\n# igourmet.com - Privacy Policy\n";
        let (m, _) = read(md, Metadata::default());
        assert_eq!(m.domain.as_deref(), Some("igourmet.com"));
        assert_eq!(
            m.source_url.as_deref(),
            Some("https://web.archive.org/web/20161104133527id_/http%3A//www.igourmet.com/ST/privacy.asp")
        );
    }

    #[test]
    fn guesses_the_organisation_from_the_title() {
        assert_eq!(
            organisation_from_title("imgwg Communications Privacy Policy").as_deref(),
            Some("imgwg Communications")
        );
        assert_eq!(organisation_from_title("Privacy Policy"), None);
        assert_eq!(organisation_from_title("Our Privacy Policy"), None);
    }

    #[test]
    fn finds_self_naming_organisations_and_site_domains() {
        assert_eq!(
            organisation_from_text(
                "This policy applies to Acme Widgets Inc. (\"we\", \"us\") and its site."
            )
            .as_deref(),
            Some("Acme Widgets Inc")
        );
        assert_eq!(organisation_from_text("We collect data."), None);
        assert_eq!(
            domain_from_text(
                "Visit www.shop-example.com or email help@shop-example.com; see google.com."
            )
            .as_deref(),
            Some("shop-example.com")
        );
        assert_eq!(
            domain_from_text("We use google.com and google.com analytics."),
            None
        );
    }

    #[test]
    fn domains_and_dates() {
        assert_eq!(
            registrable_domain("www.Shop.example.co.uk"),
            "example.co.uk"
        );
        assert_eq!(registrable_domain("www.igroops.com"), "igroops.com");
        assert_eq!(
            domain_of_url("https://web.archive.org/web/2016id_/http%3A//www.igourmet.com/x")
                .as_deref(),
            Some("www.igourmet.com")
        );
        assert_eq!(normalise_date("20180411").as_deref(), Some("2018-04-11"));
        assert_eq!(
            normalise_date("2018-04-11T00:00:00Z").as_deref(),
            Some("2018-04-11")
        );
        assert_eq!(normalise_date("soon"), None);
    }
}
