//! Replicated corpora: the source documents copied round-robin into one JSONL file until it
//! holds the wanted number of documents, each copy under its own ids and its own web domain
//! (so its own organisation and policy graphs), written one document at a time.

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
    text: String,
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
pub fn generate(source: &Source, documents: usize, path: &Path) -> Result<Generated, BenchError> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).map_err(io_error(path))?);
    let mut written = 0;
    let mut bytes = 0u64;
    let mut sample: Option<(usize, String)> = None;
    let mut copy = 0;
    while written < documents {
        let mut index = 0;
        source.for_each(|doc| {
            let record = Record {
                id: format!("c{copy}/{}", doc.name),
                url: format!("https://{}/privacy", domain(&doc.name, index, copy)),
                text: doc.text,
            };
            if copy == 0
                && record.text.len() < 100_000
                && sample.as_ref().is_none_or(|(n, _)| record.text.len() > *n)
            {
                sample = Some((record.text.len(), domain(&doc.name, index, 0)));
            }
            serde_json::to_writer(&mut out, &record)
                .map_err(|e| BenchError::Io {
                    path: path.display().to_string(),
                    source: e.into(),
                })
                .and_then(|()| out.write_all(b"\n").map_err(io_error(path)))?;
            bytes += record.text.len() as u64;
            written += 1;
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
