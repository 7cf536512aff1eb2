//! Replicated corpora: the source documents copied round-robin into one JSONL file until it
//! holds the wanted number of documents, each copy under its own ids and its own web domain
//! (so its own organisation and policy graphs), written one document at a time.
//!
//! With more than one version per organisation the corpus is a set of policy histories:
//! each organisation's document is written that many times, dated a year apart, each later
//! version the source text with one amendment appended (a sale denial, an opt-out of sale,
//! newly collected data types, ...), so that the history queries (changes between versions,
//! first statements, newly collected data) have versions to compare and answers to give.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::BenchError;
use crate::corpus;

/// One source document: a name (file name or JSONL id) and its raw text.
struct SourceDoc {
    name: String,
    text: String,
}

/// The source corpus: its files, read again for every copy (nothing is held in memory).
pub struct Source {
    files: Vec<PathBuf>,
    /// Documents in one pass over the files.
    pub documents: usize,
    /// Bytes of text in one pass.
    pub bytes: u64,
}

#[derive(Deserialize)]
struct SourceRecord {
    id: serde_json::Value,
    text: String,
}

#[derive(Serialize, Deserialize)]
struct Record {
    id: String,
    url: String,
    /// The version's date (`YYYY-MM-DD`), only in history corpora.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    text: String,
}

/// Most versions per organisation: one a year, up to [`LAST_YEAR`].
pub const MAX_VERSIONS: usize = 20;

/// The year of every organisation's last version in a history corpus.
const LAST_YEAR: usize = 2024;

/// What later versions add to the source text, one each, in turn: each a statement some saved
/// query looks for, so that versions differ in what they say and not only in their bytes.
/// Not cumulative: a version states its amendment and drops the one before (a sale denial
/// appears in one version and is gone in the next, as real policies change). In the order
/// that lets four versions exercise the history queries: data types first collected in the
/// second version (21, with `since` on its date), a sale denial that the last version drops
/// (20), an opt-out of sale (22).
const AMENDMENTS: [&str; 5] = [
    "We collect your precise geolocation and your telephone number when you use our mobile app.",
    "We do not sell your personal information to third parties.",
    "You may opt out of the sale of your personal information at any time by contacting us.",
    "We may share your email address and device identifiers with our advertising partners to show you relevant offers.",
    "We retain your personal information for as long as your account is active.",
];

/// The date of version `version` (from 0) of `versions`: a year apart, the last in
/// [`LAST_YEAR`].
pub fn version_date(version: usize, versions: usize) -> String {
    format!("{}-06-01", LAST_YEAR + 1 + version - versions)
}

/// Version `version` (from 0) of a document's text: version 0 is the source text as it is.
fn version_text(text: &str, version: usize) -> String {
    if version == 0 {
        return text.to_string();
    }
    let amendment = AMENDMENTS[(version - 1) % AMENDMENTS.len()];
    format!("{text}\n\n{amendment}\n")
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> BenchError + '_ {
    move |source| BenchError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn is_jsonl(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"))
}

impl Source {
    /// Finds the source documents (files, folders, globs, JSONL, as `build` does) and counts
    /// them in one streaming pass.
    pub fn open(inputs: &[String]) -> Result<Source, BenchError> {
        let (files, errors) = corpus::discover(inputs);
        if let Some(e) = errors.into_iter().next() {
            return Err(BenchError::Corpus(e.to_string()));
        }
        let mut source = Source {
            files,
            documents: 0,
            bytes: 0,
        };
        let (mut documents, mut bytes) = (0, 0);
        source.for_each(|doc| {
            documents += 1;
            bytes += doc.text.len() as u64;
            Ok(true)
        })?;
        if documents == 0 {
            return Err(BenchError::Corpus(format!(
                "no documents in {}",
                inputs.join(", ")
            )));
        }
        source.documents = documents;
        source.bytes = bytes;
        Ok(source)
    }

    /// Calls `f` on each source document in order until it returns `false`.
    fn for_each(
        &self,
        mut f: impl FnMut(SourceDoc) -> Result<bool, BenchError>,
    ) -> Result<(), BenchError> {
        for path in &self.files {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            if is_jsonl(path) {
                let reader = BufReader::new(File::open(path).map_err(io_error(path))?);
                for (i, line) in reader.lines().enumerate() {
                    let line = line.map_err(io_error(path))?;
                    if line.trim().is_empty() {
                        continue;
                    }
                    let r: SourceRecord = serde_json::from_str(&line).map_err(|e| {
                        BenchError::Corpus(format!("{}:{}: {e}", path.display(), i + 1))
                    })?;
                    let id = match r.id {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    if !f(SourceDoc {
                        name: id,
                        text: r.text,
                    })? {
                        return Ok(());
                    }
                }
            } else {
                let bytes = std::fs::read(path).map_err(io_error(path))?;
                // Raw text as it is, mojibake included: the pipeline repairs it again.
                let text = match String::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
                };
                if !f(SourceDoc {
                    name: name.clone(),
                    text,
                })? {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

/// What a generated corpus holds.
#[derive(Debug, Clone, Serialize)]
pub struct Generated {
    pub path: PathBuf,
    pub documents: usize,
    /// Bytes of policy text (the JSONL `text` fields, unescaped).
    pub bytes: u64,
    /// The domain of the longest document under 100 kB of the first copy: an organisation
    /// every larger corpus holds too, with a real policy's worth of practices.
    pub sample_domain: Option<String>,
}

/// The web domain of document `index` (in one pass over the source) in copy `copy`. The
/// service name is the file name up to its first `_` (ToS;DR names files
/// `<Service>_<Title>.txt`); every copy gets its own domain, so its own organisation.
fn domain(name: &str, index: usize, copy: usize) -> String {
    let service = name.split('_').next().unwrap_or(name);
    let service = service
        .strip_suffix(".txt")
        .or_else(|| service.strip_suffix(".md"))
        .or_else(|| service.strip_suffix(".html"))
        .unwrap_or(service);
    let mut slug = String::new();
    for c in service.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() {
        format!("doc{index}")
    } else {
        slug.to_string()
    };
    if copy == 0 {
        format!("{slug}.example")
    } else {
        format!("{slug}-{copy}.example")
    }
}

/// Writes `documents` documents to `path` as JSONL: the source once, then again as many
/// times as needed (the last copy partial), each record with the id `c{copy}/{name}` and
/// the URL `https://{domain}/privacy`.
///
/// With `versions` above 1, each source document of each copy is written `versions` times
/// in a row (the last history perhaps cut short), one organisation's versions: ids
/// `c{copy}/v{version}/{name}`, dates as [`version_date`] gives them, texts as
/// [`version_text`] makes them. `documents` counts versions, so the corpus holds `documents / versions`
/// organisations.
pub fn generate(
    source: &Source,
    documents: usize,
    versions: usize,
    path: &Path,
) -> Result<Generated, BenchError> {
    if !(1..=MAX_VERSIONS).contains(&versions) {
        return Err(BenchError::Other(format!(
            "versions per organisation must be 1 to {MAX_VERSIONS}, not {versions}"
        )));
    }
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).map_err(io_error(path))?);
    let mut written = 0;
    let mut bytes = 0u64;
    let mut sample: Option<(usize, String)> = None;
    let mut copy = 0;
    while written < documents {
        let mut index = 0;
        source.for_each(|doc| {
            let domain = domain(&doc.name, index, copy);
            if copy == 0
                && doc.text.len() < 100_000
                && sample.as_ref().is_none_or(|(n, _)| doc.text.len() > *n)
            {
                sample = Some((doc.text.len(), domain.clone()));
            }
            for version in 0..versions {
                if written == documents {
                    break;
                }
                let (id, text, date) = if versions == 1 {
                    (format!("c{copy}/{}", doc.name), doc.text.clone(), None)
                } else {
                    (
                        format!("c{copy}/v{version}/{}", doc.name),
                        version_text(&doc.text, version),
                        Some(version_date(version, versions)),
                    )
                };
                let record = Record {
                    id,
                    url: format!("https://{domain}/privacy"),
                    date,
                    text,
                };
                serde_json::to_writer(&mut out, &record)
                    .map_err(|e| BenchError::Io {
                        path: path.display().to_string(),
                        source: e.into(),
                    })
                    .and_then(|()| out.write_all(b"\n").map_err(io_error(path)))?;
                bytes += record.text.len() as u64;
                written += 1;
            }
            index += 1;
            Ok(written < documents)
        })?;
        copy += 1;
    }
    out.flush().map_err(io_error(path))?;
    Ok(Generated {
        path: path.to_path_buf(),
        documents: written,
        bytes,
        sample_domain: sample.map(|(_, d)| d),
    })
}

/// The sentence appended to each rewritten document: a new practice, so the graph changes.
const REWRITE: &str = "\n\nWe may share your email address and device identifiers with our advertising partners to show you relevant offers.\n";

/// Rewrites about `fraction` of the documents of a generated corpus in place (at least one):
/// every document whose position is a multiple of the step gets a sentence appended, which
/// changes its bytes, hence its SHA-256 and its graph. Returns how many were rewritten.
pub fn rewrite(path: &Path, fraction: f64) -> Result<usize, BenchError> {
    let total = {
        let reader = BufReader::new(File::open(path).map_err(io_error(path))?);
        reader.lines().count()
    };
    let wanted = ((total as f64 * fraction).round() as usize).clamp(1, total.max(1));
    let step = (total / wanted).max(1);
    let tmp = path.with_extension("rewriting");
    let mut rewritten = 0;
    {
        let reader = BufReader::new(File::open(path).map_err(io_error(path))?);
        let mut out = BufWriter::new(File::create(&tmp).map_err(io_error(&tmp))?);
        for (i, line) in reader.lines().enumerate() {
            let line = line.map_err(io_error(path))?;
            if i % step == step / 2 && rewritten < wanted {
                let mut r: Record = serde_json::from_str(&line).map_err(|e| {
                    BenchError::Corpus(format!("{}:{}: {e}", path.display(), i + 1))
                })?;
                r.text.push_str(REWRITE);
                serde_json::to_writer(&mut out, &r).map_err(|e| BenchError::Io {
                    path: tmp.display().to_string(),
                    source: e.into(),
                })?;
                rewritten += 1;
            } else {
                out.write_all(line.as_bytes()).map_err(io_error(&tmp))?;
            }
            out.write_all(b"\n").map_err(io_error(&tmp))?;
        }
        out.flush().map_err(io_error(&tmp))?;
    }
    std::fs::rename(&tmp, path).map_err(io_error(path))?;
    Ok(rewritten)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{extract, PracticeKind, Scratch};
    use crate::vocab::Vocabulary;

    fn read_records(path: &Path) -> Vec<Record> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// A source of two small documents in a temporary folder (kept alive by the first
    /// value), and where to write a corpus beside them.
    fn two_document_source() -> (tempfile::TempDir, Source, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Acme_Privacy.txt"),
            "We collect your email address.\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("Beano_Privacy.txt"), "We use cookies.\n").unwrap();
        let source = Source::open(&[dir.path().display().to_string()]).unwrap();
        let path = dir.path().join("corpus.jsonl");
        (dir, source, path)
    }

    #[test]
    fn a_history_corpus_writes_dated_amended_versions_of_each_organisation() {
        let (_dir, source, path) = two_document_source();
        let generated = generate(&source, 5, 3, &path).unwrap();
        assert_eq!(generated.documents, 5);
        let records = read_records(&path);
        let summary: Vec<(&str, &str, Option<&str>)> = records
            .iter()
            .map(|r| (r.id.as_str(), r.url.as_str(), r.date.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "c0/v0/Acme_Privacy.txt",
                    "https://acme.example/privacy",
                    Some("2022-06-01")
                ),
                (
                    "c0/v1/Acme_Privacy.txt",
                    "https://acme.example/privacy",
                    Some("2023-06-01")
                ),
                (
                    "c0/v2/Acme_Privacy.txt",
                    "https://acme.example/privacy",
                    Some("2024-06-01")
                ),
                (
                    "c0/v0/Beano_Privacy.txt",
                    "https://beano.example/privacy",
                    Some("2022-06-01")
                ),
                (
                    "c0/v1/Beano_Privacy.txt",
                    "https://beano.example/privacy",
                    Some("2023-06-01")
                ),
            ]
        );
        // The first version is the source itself; each later one adds its own amendment.
        assert_eq!(records[0].text, "We collect your email address.\n");
        assert!(records[1].text.starts_with(&records[0].text));
        assert!(records[1].text.ends_with(&format!("{}\n", AMENDMENTS[0])));
        assert!(records[2].text.ends_with(&format!("{}\n", AMENDMENTS[1])));
        assert!(!records[2].text.contains(AMENDMENTS[0]));
    }

    #[test]
    fn a_plain_corpus_has_one_undated_organisation_per_copy() {
        let (_dir, source, path) = two_document_source();
        generate(&source, 3, 1, &path).unwrap();
        let records = read_records(&path);
        let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "c0/Acme_Privacy.txt",
                "c0/Beano_Privacy.txt",
                "c1/Acme_Privacy.txt"
            ]
        );
        assert_eq!(records[2].url, "https://acme-1.example/privacy");
        assert!(records.iter().all(|r| r.date.is_none()));
        assert!(std::fs::read_to_string(&path)
            .unwrap()
            .find("\"date\"")
            .is_none());
        assert!(generate(&source, 3, MAX_VERSIONS + 1, &path).is_err());
        assert!(generate(&source, 3, 0, &path).is_err());
    }

    #[test]
    fn rewriting_a_history_corpus_keeps_its_dates() {
        let (_dir, source, path) = two_document_source();
        generate(&source, 4, 2, &path).unwrap();
        assert_eq!(rewrite(&path, 0.5).unwrap(), 2);
        let records = read_records(&path);
        assert_eq!(
            records.iter().filter(|r| r.text.ends_with(REWRITE)).count(),
            2
        );
        assert!(records.iter().all(|r| r.date.is_some()));
    }

    #[test]
    fn twenty_versions_span_twenty_years_to_the_last() {
        assert_eq!(version_date(0, MAX_VERSIONS), "2005-06-01");
        assert_eq!(version_date(MAX_VERSIONS - 1, MAX_VERSIONS), "2024-06-01");
        assert_eq!(version_date(1, 4), "2022-06-01");
    }

    /// Each amendment must state what the history queries look for, or a history corpus
    /// times queries that find nothing to compare.
    #[test]
    fn each_amendment_states_the_practice_it_is_there_for() {
        let vocab = Vocabulary::embedded().unwrap();
        let practices = |text: &str| {
            let seg = crate::text::segment(crate::corpus::Format::Text, text);
            extract(&seg, &vocab, &mut Scratch::default()).practices
        };
        let data = |p: &crate::extract::Practice| -> Vec<String> {
            p.data
                .iter()
                .map(|m| vocab.concept(m.concept).local_name().to_string())
                .collect()
        };
        let [collect, no_sale, opt_out, share, retain] = AMENDMENTS.map(practices);
        assert!(share.iter().any(|p| p.kind == PracticeKind::Share
            && !p.negated
            && !p.recipients.is_empty()
            && data(p).contains(&"EmailAddress".to_string())));
        assert!(no_sale
            .iter()
            .any(|p| p.kind == PracticeKind::Sell && p.negated));
        assert!(opt_out.iter().any(|p| p.kind == PracticeKind::Choice));
        let collected: Vec<String> = collect
            .iter()
            .filter(|p| p.kind == PracticeKind::Collect && !p.negated)
            .flat_map(data)
            .collect();
        assert!(collected.len() >= 2, "{collected:?}");
        assert!(retain.iter().any(|p| p.kind == PracticeKind::Retain));
    }

    #[test]
    fn domains_are_distinct_per_copy_and_never_empty() {
        assert_eq!(domain("Beano_Privacy Policy.txt", 3, 0), "beano.example");
        assert_eq!(domain("Beano_Privacy Policy.txt", 3, 2), "beano-2.example");
        assert_eq!(
            domain("1-800-PetMeds_Privacy.txt", 0, 1),
            "1-800-petmeds-1.example"
        );
        assert_eq!(domain("•_Privacy.txt", 7, 0), "doc7.example");
        assert_eq!(
            crate::corpus::registrable_domain("beano-2.example"),
            "beano-2.example"
        );
    }
}
