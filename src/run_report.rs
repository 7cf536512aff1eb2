//! What a run says about its inputs: every input skipped and every warning, each naming the
//! input (file, or `file:line` for a JSONL record) and a short, stable reason; counted by
//! reason at the end of a run and written as JSON by `--report FILE`.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::corpus::CorpusError;

/// One input skipped or one warning about an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The input: a path as given, or `path:line` for a JSONL record.
    pub source: String,
    /// A short name for the kind of problem (`not-text`, `too-large`, `not-english`, …).
    pub reason: &'static str,
    /// The full message, naming the input, as printed on standard error.
    pub message: String,
}

impl Problem {
    /// An input that could not be read.
    pub fn skipped(e: &CorpusError) -> Problem {
        Problem {
            source: e.input(),
            reason: e.reason(),
            message: e.to_string(),
        }
    }

    /// A warning about a document that was read; `message` does not repeat the source.
    pub fn warning(source: &str, message: &str) -> Problem {
        Problem {
            source: source.to_string(),
            reason: warning_reason(message),
            message: format!("{source}: {message}"),
        }
    }

    /// A warning that `--strict` turns into the document being skipped.
    pub fn refused_by_strict(mut self) -> Problem {
        self.message = format!("{} (skipped: --strict)", self.message);
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The reason of a warning, from the words its producer uses. Every warning that `corpus`,
/// `extract` and `pipeline` emit has a reason here (tested); anything new shows as `other`
/// until it is added.
pub fn warning_reason(message: &str) -> &'static str {
    const REASONS: &[(&str, &str)] = &[
        ("mojibake", "mojibake-repaired"),
        ("Windows-1252", "not-utf8"),
        ("invalid UTF-8", "invalid-utf8"),
        ("no byte-order mark", "utf16-without-bom"),
        ("sequences replaced", "invalid-encoding"),
        ("English", "not-english"),
        ("time limit", "time-limit"),
        ("no text left", "no-text"),
        ("blank line", "blank-jsonl-line"),
        ("keeps the previous", "previous-version-kept"),
    ];
    REASONS
        .iter()
        .find(|(needle, _)| message.contains(needle))
        .map(|(_, reason)| *reason)
        .unwrap_or("other")
}

/// Counts per reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub skipped: usize,
    pub warnings: usize,
}

/// What a `build` or `extract` run did with its inputs, as `--report FILE` writes it.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub command: &'static str,
    /// The process exit code the run ends with.
    pub exit_code: u8,
    /// Documents read and extracted (for `build`: loaded into the store).
    pub documents: usize,
    /// Documents a rebuild found unchanged in the store.
    pub unchanged: usize,
    pub by_reason: BTreeMap<&'static str, Counts>,
    pub skipped: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

impl RunReport {
    pub fn new(
        command: &'static str,
        documents: usize,
        unchanged: usize,
        skipped: Vec<Problem>,
        warnings: Vec<Problem>,
    ) -> RunReport {
        let mut by_reason: BTreeMap<&'static str, Counts> = BTreeMap::new();
        for p in &skipped {
            by_reason.entry(p.reason).or_default().skipped += 1;
        }
        for p in &warnings {
            by_reason.entry(p.reason).or_default().warnings += 1;
        }
        RunReport {
            command,
            exit_code: 0,
            documents,
            unchanged,
            by_reason,
            skipped,
            warnings,
        }
    }

    /// Documents skipped, not counting blank JSONL lines and the like, which lose nothing.
    pub fn failures(&self) -> usize {
        self.skipped.len()
    }

    /// The end-of-run summary for standard error: counts by reason, nothing when all went
    /// well.
    pub fn summary(&self) -> String {
        if self.skipped.is_empty() && self.warnings.is_empty() {
            return String::new();
        }
        let mut s = format!(
            "privacy-kg {}: {} input{} skipped, {} warning{}",
            self.command,
            self.skipped.len(),
            if self.skipped.len() == 1 { "" } else { "s" },
            self.warnings.len(),
            if self.warnings.len() == 1 { "" } else { "s" },
        );
        s.push_str(" (each listed above; --report FILE writes them as JSON)\n");
        let width = self.by_reason.keys().map(|r| r.len()).max().unwrap_or(0);
        s.push_str(&format!(
            "  {:<width$}  {:>7}  {:>8}\n",
            "reason", "skipped", "warnings"
        ));
        for (reason, c) in &self.by_reason {
            s.push_str(&format!(
                "  {reason:<width$}  {:>7}  {:>8}\n",
                c.skipped, c.warnings
            ));
        }
        s
    }

    /// Writes the report as pretty JSON.
    pub fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_warning_has_a_reason() {
        for (message, reason) in [
            ("mojibake repaired", "mojibake-repaired"),
            (
                "not UTF-8 (first bad byte at offset 3); decoded as Windows-1252",
                "not-utf8",
            ),
            (
                "invalid UTF-8 at byte offset 10 (1 bad sequences replaced with U+FFFD)",
                "invalid-utf8",
            ),
            (
                "decoded as UTF-16LE (no byte-order mark)",
                "utf16-without-bom",
            ),
            (
                "invalid UTF-16BE sequences replaced with U+FFFD",
                "invalid-encoding",
            ),
            ("does not look like English; not extracted", "not-english"),
            ("mostly not English: 80 of 100 words", "not-english"),
        ] {
            assert_eq!(warning_reason(message), reason, "{message}");
        }
        assert_eq!(warning_reason("something new"), "other");
    }

    #[test]
    fn summary_counts_by_reason() {
        let p = |reason| Problem {
            source: "a".into(),
            reason,
            message: "a: x".into(),
        };
        let r = RunReport::new(
            "build",
            3,
            0,
            vec![p("not-text"), p("not-text")],
            vec![p("not-english")],
        );
        let s = r.summary();
        assert!(s.contains("2 inputs skipped, 1 warning "), "{s}");
        assert!(s
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["not-text", "2", "0"]));
        assert_eq!(r.by_reason["not-english"].warnings, 1);
        assert!(RunReport::new("build", 1, 0, vec![], vec![])
            .summary()
            .is_empty());
    }
}
