//! Extraction quality measured against public gold standards, the way the research field
//! measures it: readers for the datasets, the extractor run over their text, and scorers.
//!
//! - [`pi_extract`]: PI-Extract (Bui et al., PETS 2021), personal-data spans labelled
//!   COLLECT, NOT_COLLECT, SHARE and NOT_SHARE in CoNLL files; exact-span (seqeval) and
//!   overlap precision, recall and F1.
//! - [`opp115`]: OPP-115 (Wilson et al., ACL 2016), practice categories of policy segments
//!   and (category, attribute value) pairs of whole policies.
//! - [`score`]: the generic span and set scorers both use.
//!
//! Reports are plain data: they serialise with serde (`--json`) and print as aligned tables.
//! Each keeps what `--errors N` needs to show false positives and false negatives with
//! their text. Datasets are read, never copied: nothing here writes files.

pub mod opp115;
pub mod pi_extract;
pub mod score;

use std::fmt;
use std::path::{Path, PathBuf};

/// Why a dataset could not be read. Every variant names the file or folder.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: missing folder ({what})", path.display())]
    MissingFolder { path: PathBuf, what: String },
    #[error("{}: missing file ({what})", path.display())]
    MissingFile { path: PathBuf, what: String },
    #[error("{}:{line}: {message}", path.display())]
    Malformed {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{}:{line}: the sentences differ from those of {} ({detail})", path.display(), reference.display())]
    LayersDisagree {
        path: PathBuf,
        line: usize,
        reference: PathBuf,
        detail: String,
    },
    #[error("{}: no {what} found", path.display())]
    Empty { path: PathBuf, what: String },
}

impl EvalError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        EvalError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn malformed(path: &Path, line: usize, message: impl Into<String>) -> Self {
        EvalError::Malformed {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

pub(crate) fn read_to_string(path: &Path) -> Result<String, EvalError> {
    std::fs::read_to_string(path).map_err(|e| EvalError::io(path, e))
}

pub(crate) fn require_dir(path: &Path, what: &str) -> Result<(), EvalError> {
    if path.is_dir() {
        Ok(())
    } else {
        Err(EvalError::MissingFolder {
            path: path.to_path_buf(),
            what: what.to_string(),
        })
    }
}

/// Up to `n` items spread evenly over `items` (the first, then every len/n-th), so an error
/// sample covers the whole dataset instead of its first document.
pub(crate) fn spread<T: Clone>(items: &[T], n: usize) -> Vec<T> {
    if n >= items.len() {
        return items.to_vec();
    }
    (0..n).map(|i| items[i * items.len() / n].clone()).collect()
}

/// A fraction printed with three decimals.
pub(crate) fn num(x: f64) -> String {
    format!("{x:.3}")
}

/// Writes an aligned table: the first column left-aligned, the others right-aligned, each
/// line indented by `indent` spaces.
pub(crate) fn table(
    f: &mut fmt::Formatter,
    indent: usize,
    header: &[&str],
    rows: &[Vec<String>],
) -> fmt::Result {
    let cols = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |f: &mut fmt::Formatter, cells: &[String]| -> fmt::Result {
        write!(f, "{:indent$}", "")?;
        for (i, c) in cells.iter().enumerate().take(cols) {
            let pad = widths[i] - c.chars().count();
            if i == 0 {
                write!(f, "{c}{:pad$}", "")?;
            } else {
                write!(f, "  {:pad$}{c}", "")?;
            }
        }
        writeln!(f)
    };
    line(f, &header.iter().map(|h| h.to_string()).collect::<Vec<_>>())?;
    for r in rows {
        line(f, r)?;
    }
    Ok(())
}

/// At most `max` characters of `text`, with "…" when cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((i, _)) => format!("{}…", &text[..i]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_takes_evenly_spaced_items() {
        let v: Vec<usize> = (0..10).collect();
        assert_eq!(spread(&v, 3), [0, 3, 6]);
        assert_eq!(spread(&v, 20), v);
        assert!(spread(&v, 0).is_empty());
    }

    #[test]
    fn truncate_counts_characters() {
        assert_eq!(truncate("  visitors’ data ", 9), "visitors’…");
        assert_eq!(truncate("short", 9), "short");
    }
}
