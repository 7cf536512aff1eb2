//! Finding inputs and reading them into [`Document`]s: files, folders, globs and JSONL
//! corpora; format detection; decoding (UTF-8, UTF-16, Windows-1252) with mojibake repair;
//! and the metadata a policy carries about itself (Wayback header, title line).

mod decode;
mod metadata;

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

pub use decode::{decode, Decoded};
pub use metadata::{organisation_from_title, registrable_domain, Metadata};

/// The markup a document's text is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Html,
}

/// One policy, decoded, with what is known about where it came from.
#[derive(Debug, Clone)]
pub struct Document {
    /// Stable identifier: the path as given for files, the `id` field for JSONL records.
    pub id: String,
    /// Where it was read from, for messages: a path, or `path:line` for JSONL records.
    pub source: String,
    pub format: Format,
    /// The decoded and repaired source text, still in its markup.
    pub text: String,
    pub meta: Metadata,
    /// SHA-256 of the raw input bytes (of the `text` field for JSONL records), lowercase hex.
    pub sha256: String,
    /// Problems that did not stop the document from being read.
    pub warnings: Vec<String>,
}

/// Why an input could not be read. Every variant names the input.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: no such file, folder or matching glob")]
    NotFound { path: String },
    #[error("{path}: invalid glob pattern: {message}")]
    Pattern { path: String, message: String },
    #[error("{path}: not a regular file ({kind}); give the files inside it or a copy")]
    NotRegular { path: String, kind: &'static str },
    #[error("{path}: not a text document ({reason})")]
    NotText { path: String, reason: String },
    #[error("{path}: empty document (no text)")]
    Empty { path: String },
    #[error("{path}: larger than the {limit}-byte limit per document ({size} bytes); raise it with --max-bytes")]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("{path}:{line}: bad JSONL record: {message}")]
    BadRecord {
        path: String,
        line: usize,
        message: String,
    },
    /// Not a failure: nothing was lost, but the line is reported so a truncated or
    /// concatenated corpus is noticed.
    #[error("{path}:{line}: blank line in a JSONL file, skipped")]
    BlankLine { path: String, line: usize },
}

impl CorpusError {
    /// The input the error is about.
    pub fn path(&self) -> &str {
        match self {
            CorpusError::Io { path, .. }
            | CorpusError::NotFound { path }
            | CorpusError::Pattern { path, .. }
            | CorpusError::NotRegular { path, .. }
            | CorpusError::NotText { path, .. }
            | CorpusError::Empty { path }
            | CorpusError::TooLarge { path, .. }
            | CorpusError::BadRecord { path, .. }
            | CorpusError::BlankLine { path, .. } => path,
        }
    }

    /// The input as messages name it: the path, with `:LINE` for a JSONL record.
    pub fn input(&self) -> String {
        match self {
            CorpusError::BadRecord { path, line, .. } | CorpusError::BlankLine { path, line } => {
                format!("{path}:{line}")
            }
            other => other.path().to_string(),
        }
    }

    /// A short, stable name for why the input was skipped, for summaries and reports.
    pub fn reason(&self) -> &'static str {
        match self {
            CorpusError::Io { source, .. } => match source.kind() {
                std::io::ErrorKind::PermissionDenied => "permission-denied",
                std::io::ErrorKind::NotFound => "not-found",
                _ if source.to_string().contains("File system loop") => "symlink-loop",
                _ => "unreadable",
            },
            CorpusError::NotFound { .. } => "not-found",
            CorpusError::Pattern { .. } => "bad-glob",
            CorpusError::NotRegular { .. } => "not-a-regular-file",
            CorpusError::NotText { .. } => "not-text",
            CorpusError::Empty { .. } => "empty",
            CorpusError::TooLarge { .. } => "too-large",
            CorpusError::BadRecord { .. } => "bad-jsonl-record",
            CorpusError::BlankLine { .. } => "blank-jsonl-line",
        }
    }

    /// Whether a document was lost. A blank JSONL line is reported but loses nothing.
    pub fn is_failure(&self) -> bool {
        !matches!(self, CorpusError::BlankLine { .. })
    }
}

/// A path as messages and document ids show it: lossless and on one line. Control
/// characters (a newline in a file name) and backslashes are escaped as in Rust strings, bytes
/// that are not UTF-8 are shown as `\xNN`, so two different names never show the same.
pub fn display_path(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() || c == '\\' {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// Limits applied to every document, so that no input can exhaust memory or hold a run.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Documents (files, JSONL lines) larger than this many bytes are skipped, and never
    /// read whole into memory.
    pub max_bytes: u64,
    /// Extraction of one document stops after this long with a warning; what was extracted
    /// until then is kept. `None`: no limit.
    pub max_time: Option<std::time::Duration>,
}

/// Default of [`Limits::max_bytes`]: 64 MiB, some hundred times the longest real policy.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Default of [`Limits::max_time`], in seconds: a policy takes milliseconds.
pub const DEFAULT_MAX_SECONDS: u64 = 60;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: DEFAULT_MAX_BYTES,
            max_time: Some(std::time::Duration::from_secs(DEFAULT_MAX_SECONDS)),
        }
    }
}

const KNOWN_EXTENSIONS: &[&str] = &[
    "txt", "text", "md", "markdown", "html", "htm", "xhtml", "jsonl", "ndjson",
];

/// Expands the paths given on the command line into a sorted list of files.
///
/// A folder is walked recursively (symlink loops are reported, not followed forever) and
/// contributes files with a known extension or none; a path that does not exist is tried
/// as a glob. Errors are returned beside the files so one bad path does not stop the rest.
pub fn discover(paths: &[String]) -> (Vec<PathBuf>, Vec<CorpusError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for given in paths {
        let path = Path::new(given);
        if path.is_dir() {
            for entry in walkdir::WalkDir::new(path)
                .follow_links(true)
                .sort_by_file_name()
            {
                match entry {
                    Ok(entry) if entry.file_type().is_file() => {
                        if has_known_extension(entry.path()) {
                            files.push(entry.into_path());
                        }
                    }
                    // A FIFO, socket or device with a document's name: reading it could
                    // block forever, so it is reported instead.
                    Ok(entry)
                        if !entry.file_type().is_dir()
                            && entry.path().extension().is_some()
                            && has_known_extension(entry.path()) =>
                    {
                        errors.push(CorpusError::NotRegular {
                            path: display_path(entry.path()),
                            kind: file_kind(&entry.file_type()),
                        })
                    }
                    Ok(_) => {}
                    Err(err) => errors.push(CorpusError::Io {
                        path: err
                            .path()
                            .map(display_path)
                            .unwrap_or_else(|| display_path(path)),
                        source: err.into(),
                    }),
                }
            }
        } else if path.exists() {
            files.push(path.to_path_buf());
        } else {
            match glob::glob(given) {
                Err(err) => errors.push(CorpusError::Pattern {
                    path: display_path(path),
                    message: err.to_string(),
                }),
                Ok(matches) => {
                    let before = files.len();
                    for m in matches {
                        match m {
                            Ok(p) if p.is_file() => files.push(p),
                            Ok(_) => {}
                            Err(err) => errors.push(CorpusError::Io {
                                path: display_path(err.path()),
                                source: err.into(),
                            }),
                        }
                    }
                    if files.len() == before {
                        errors.push(CorpusError::NotFound {
                            path: display_path(path),
                        });
                    }
                }
            }
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

fn has_known_extension(path: &Path) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        None => true,
        Some(ext) => KNOWN_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()),
    }
}

fn is_jsonl(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()),
        Some(ref e) if e == "jsonl" || e == "ndjson"
    )
}

/// Streams the documents of the given files in order: one per plain file, one per line of a
/// JSONL file. Each item is either a document or the reason an input was skipped.
pub fn documents(
    files: Vec<PathBuf>,
    limits: Limits,
) -> impl Iterator<Item = Result<Document, CorpusError>> + Send {
    files
        .into_iter()
        .flat_map(move |path| -> Box<dyn Iterator<Item = _> + Send> {
            if is_jsonl(&path) {
                Box::new(JsonlRecords::open(path, limits))
            } else {
                Box::new(std::iter::once(read_file(&path, limits)))
            }
        })
}

/// What kind of file system object a non-regular file is, for messages.
fn file_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "not a file"
    }
}

/// Reads one plain, Markdown or HTML file into a document. Never reads more than the size
/// limit (plus one byte, to tell), whatever the file claims its size is.
pub fn read_file(path: &Path, limits: Limits) -> Result<Document, CorpusError> {
    let shown = display_path(path);
    let io_err = |source| CorpusError::Io {
        path: shown.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if !meta.is_file() {
        return Err(CorpusError::NotRegular {
            path: shown,
            kind: file_kind(&meta.file_type()),
        });
    }
    let too_large = |size| CorpusError::TooLarge {
        path: shown.clone(),
        size,
        limit: limits.max_bytes,
    };
    if meta.len() > limits.max_bytes {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    File::open(path)
        .and_then(|f| {
            f.take(limits.max_bytes.saturating_add(1))
                .read_to_end(&mut bytes)
        })
        .map_err(io_err)?;
    if bytes.len() as u64 > limits.max_bytes {
        // It grew since, or is a file whose size the system does not know (/proc).
        return Err(too_large(bytes.len() as u64));
    }
    let format_hint = format_from_extension(path);
    from_bytes(
        shown.clone(),
        shown,
        &bytes,
        format_hint,
        Metadata::default(),
        true,
    )
}

/// Builds a document from raw bytes already read; `strip_header` removes a Wayback header
/// line once its metadata is read (it is not part of the policy).
pub fn from_bytes(
    id: String,
    source: String,
    bytes: &[u8],
    format_hint: Option<Format>,
    given: Metadata,
    strip_header: bool,
) -> Result<Document, CorpusError> {
    let sha256 = hex(&Sha256::digest(bytes));
    let Decoded { text, warnings } = decode(bytes).map_err(|reason| CorpusError::NotText {
        path: source.clone(),
        reason,
    })?;
    if text.trim().is_empty() {
        return Err(CorpusError::Empty { path: source });
    }
    let format = format_hint.unwrap_or_else(|| sniff_format(&text));
    let (meta, header) = metadata::read(&text, given);
    let text = match header {
        Some(range) if strip_header => {
            let mut t = String::with_capacity(text.len());
            t.push_str(&text[..range.start]);
            t.push_str(text[range.end..].trim_start_matches(['\r', '\n']));
            t
        }
        _ => text,
    };
    Ok(Document {
        id,
        source,
        format,
        text,
        meta,
        sha256,
        warnings,
    })
}

fn format_from_extension(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" | "xhtml" => Some(Format::Html),
        "md" | "markdown" => Some(Format::Markdown),
        _ => None,
    }
}

/// Guesses the markup of text whose name does not say: HTML by its opening tag, Markdown by
/// its headings, emphasis blocks or links; plain text otherwise.
pub fn sniff_format(text: &str) -> Format {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    let lower: String = head
        .chars()
        .take(200)
        .collect::<String>()
        .to_ascii_lowercase();
    if lower.starts_with("<!doctype html")
        || lower.starts_with("<html")
        || lower.starts_with("<?xml")
        || (lower.starts_with('<')
            && (lower.contains("<body") || lower.contains("<div") || lower.contains("<p>")))
    {
        return Format::Html;
    }
    let mut markdown_signs = 0;
    for line in text.lines().take(200) {
        let l = line.trim_start();
        if l.starts_with("# ")
            || l.starts_with("## ")
            || l.starts_with("### ")
            || l.starts_with("> ")
        {
            markdown_signs += 1;
        }
        if l.contains("](http") || l.starts_with("**") {
            markdown_signs += 1;
        }
    }
    if markdown_signs >= 2 {
        Format::Markdown
    } else {
        Format::Text
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[derive(Deserialize)]
struct JsonlRecord {
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default, alias = "organisation")]
    organization: Option<String>,
}

/// Streams the records of one JSONL file, line by line, so a corpus of any size is read in
/// bounded memory: a line longer than the size limit is skipped without being held. A bad
/// line is an error for that line only; the lines after it are read as usual.
struct JsonlRecords {
    shown: String,
    reader: Option<BufReader<File>>,
    line: Vec<u8>,
    line_no: usize,
    pending_open_error: Option<CorpusError>,
    limits: Limits,
}

/// One line read by [`read_line_capped`].
enum Line {
    /// The whole line (without its end) is in the buffer.
    Whole,
    /// The line had this many bytes; only the first `limit + 1` were kept.
    TooLong(u64),
}

/// Reads the next line into `buf` (cleared first), keeping at most `limit + 1` bytes of it
/// but consuming it all. `None` at the end of the file.
fn read_line_capped(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    limit: u64,
) -> std::io::Result<Option<Line>> {
    buf.clear();
    let mut total: u64 = 0;
    let mut any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        any = true;
        let (piece, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        let room = (limit.saturating_add(1)).saturating_sub(buf.len() as u64) as usize;
        buf.extend_from_slice(&piece[..piece.len().min(room)]);
        total += piece.len() as u64;
        let consumed = done.unwrap_or(piece.len());
        reader.consume(consumed);
        if done.is_some() {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if buf.last() == Some(&b'\r') && total <= limit {
        buf.pop();
        total -= 1;
    }
    Ok(Some(if total > limit {
        Line::TooLong(total)
    } else {
        Line::Whole
    }))
}

impl JsonlRecords {
    fn open(path: PathBuf, limits: Limits) -> Self {
        let shown = display_path(&path);
        let (reader, pending_open_error) = match File::open(&path) {
            Ok(f) => (Some(BufReader::with_capacity(1 << 16, f)), None),
            Err(source) => (
                None,
                Some(CorpusError::Io {
                    path: shown.clone(),
                    source,
                }),
            ),
        };
        JsonlRecords {
            shown,
            reader,
            line: Vec::new(),
            line_no: 0,
            pending_open_error,
            limits,
        }
    }

    fn bad(&self, message: String) -> CorpusError {
        CorpusError::BadRecord {
            path: self.shown.clone(),
            line: self.line_no,
            message,
        }
    }

    fn record(&self, bytes: &[u8]) -> Result<Document, CorpusError> {
        let line = std::str::from_utf8(bytes).map_err(|e| {
            self.bad(format!(
                "not valid UTF-8 at byte {} of the line (JSON must be UTF-8; convert the file with iconv)",
                e.valid_up_to() + 1
            ))
        })?;
        // A byte-order mark may open the file; it is not part of the first record.
        let line = if self.line_no == 1 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        let record: JsonlRecord = serde_json::from_str(line).map_err(|e| {
            let message = e.to_string();
            // serde_json says "at line 1 column N"; the line is ours, the column is its.
            let message = match message.rfind(" at line ") {
                Some(i) => format!("{} (column {})", &message[..i], e.column()),
                None => message,
            };
            self.bad(message)
        })?;
        let id = match record.id {
            serde_json::Value::String(s) if !s.trim().is_empty() => s,
            serde_json::Value::Number(n) => n.to_string(),
            other => {
                return Err(self.bad(format!(
                    "\"id\" must be a non-empty string or a number, not {other}"
                )))
            }
        };
        let domain = record
            .url
            .as_deref()
            .and_then(metadata::domain_of_url)
            .map(|d| registrable_domain(&d));
        let given = Metadata {
            domain,
            organization: record.organization.filter(|o| !o.trim().is_empty()),
            archived: record.date.as_deref().and_then(metadata::normalise_date),
            source_url: record.url,
            title: None,
        };
        let source = format!("{}:{}", self.shown, self.line_no);
        from_bytes(id, source, record.text.as_bytes(), None, given, false)
    }
}

impl Iterator for JsonlRecords {
    type Item = Result<Document, CorpusError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(err) = self.pending_open_error.take() {
            return Some(Err(err));
        }
        let reader = self.reader.as_mut()?;
        let mut line = std::mem::take(&mut self.line);
        let read = read_line_capped(reader, &mut line, self.limits.max_bytes);
        self.line_no += 1;
        let item = match read {
            Ok(None) => {
                self.reader = None;
                None
            }
            Err(source) => {
                self.reader = None;
                Some(Err(CorpusError::Io {
                    path: format!("{}:{}", self.shown, self.line_no),
                    source,
                }))
            }
            Ok(Some(Line::TooLong(size))) => Some(Err(self.bad(format!(
                "{size} bytes, larger than the {}-byte limit per document; raise it with --max-bytes",
                self.limits.max_bytes
            )))),
            Ok(Some(Line::Whole)) if line.iter().all(|b| b.is_ascii_whitespace()) => {
                Some(Err(CorpusError::BlankLine {
                    path: self.shown.clone(),
                    line: self.line_no,
                }))
            }
            Ok(Some(Line::Whole)) => Some(self.record(&line)),
        };
        self.line = line;
        item
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_markdown_and_html() {
        assert_eq!(
            sniff_format("<!DOCTYPE html><html><body>x</body></html>"),
            Format::Html
        );
        assert_eq!(
            sniff_format("> *header [x](https://a)*\n\n# Title\n\ntext"),
            Format::Markdown
        );
        assert_eq!(sniff_format("Privacy Policy\nWe collect."), Format::Text);
    }

    #[test]
    fn long_lines_are_consumed_but_not_kept() {
        let input = format!("short\r\n{}\nnext\n\nlast", "x".repeat(100));
        let mut r = std::io::BufReader::with_capacity(8, input.as_bytes());
        let mut buf = Vec::new();
        let mut lines = Vec::new();
        while let Some(l) = read_line_capped(&mut r, &mut buf, 10).unwrap() {
            lines.push(match l {
                Line::Whole => String::from_utf8(buf.clone()).unwrap(),
                Line::TooLong(n) => {
                    assert!(buf.len() <= 11);
                    format!("too long: {n}")
                }
            });
        }
        assert_eq!(lines, ["short", "too long: 100", "next", "", "last"]);
    }

    #[test]
    fn paths_show_on_one_line_and_distinctly() {
        use std::os::unix::ffi::OsStrExt;
        let p = |b: &[u8]| display_path(Path::new(std::ffi::OsStr::from_bytes(b)));
        assert_eq!(p(b"a b/\"q\".txt"), "a b/\"q\".txt");
        assert_eq!(p(b"new\nline.txt"), "new\\nline.txt");
        assert_eq!(p(b"caf\xe9.txt"), "caf\\xe9.txt");
        assert_ne!(p(b"caf\xe9.txt"), p(b"caf\\xe9.txt"));
        assert_eq!(p("café.txt".as_bytes()), "café.txt");
    }

    #[test]
    fn jsonl_keeps_good_lines_and_reports_bad_ones_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        std::fs::write(
            &path,
            "{\"id\": \"a\", \"text\": \"We collect your name.\"}\n{not json}\n\n{\"id\": 7, \"text\": \"We sell nothing.\", \"url\": \"https://www.Example.com/privacy\"}\n",
        )
        .unwrap();
        let docs: Vec<_> = documents(vec![path], Limits::default()).collect();
        assert_eq!(docs.len(), 4);
        let a = docs[0].as_ref().unwrap();
        assert_eq!(a.id, "a");
        assert_eq!(a.text, "We collect your name.");
        match &docs[1] {
            Err(CorpusError::BadRecord { line, .. }) => assert_eq!(*line, 2),
            other => panic!("expected a bad record, got {other:?}"),
        }
        match &docs[2] {
            Err(e @ CorpusError::BlankLine { line: 3, .. }) => assert!(!e.is_failure()),
            other => panic!("expected a blank line, got {other:?}"),
        }
        let b = docs[3].as_ref().unwrap();
        assert_eq!(b.id, "7");
        assert_eq!(b.meta.domain.as_deref(), Some("example.com"));
    }
}
