//! Policy histories from a git repository: every version of every matching file, read
//! straight from the object database with gix (no `git` process, no checkout), as plain
//! [`Document`]s the rest of the pipeline takes.
//!
//! The layout is the Princeton-Leuven corpus's: one file per site (`i/ig/igr/igroops.com.md`),
//! one commit per crawl, so a site's policy history is its file's history. History is read
//! along the first-parent chain of `HEAD`, oldest commit first, and each commit is compared
//! with its first parent tree by tree: a subtree whose id did not change is skipped whole,
//! so a crawl touching a few thousand of 130,000 files costs a few thousand lookups.
//! A version is dated by its Wayback header (`...archived on 2018-04-11...`) and by the
//! commit time where the text has none; the file's name gives the organisation (its domain),
//! so every version of one file belongs to one organisation whatever its title says.

use std::path::Path;

use gix::ObjectId;
use sha2::{Digest, Sha256};

use super::{from_bytes, registrable_domain, CorpusError, Document, Format, Limits, Metadata};

/// Why a repository's history could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{path}: not a git repository: {message}")]
    Open { path: String, message: String },
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}: the commit {commit} recorded by the last run is not on the first-parent history of HEAD (was the history rewritten?)")]
    LostCommit { path: String, commit: String },
}

/// Which files of the repository are policies: a glob over paths relative to the root
/// (`*/*/*/*.md`, `i/**`); every file when `None`.
#[derive(Debug, Clone, Default)]
pub struct PathFilter {
    pattern: Option<glob::Pattern>,
}

impl PathFilter {
    pub fn new(glob: Option<&str>) -> Result<PathFilter, CorpusError> {
        let pattern = glob
            .map(|g| {
                glob::Pattern::new(g).map_err(|e| CorpusError::Pattern {
                    path: g.to_string(),
                    message: e.to_string(),
                })
            })
            .transpose()?;
        Ok(PathFilter { pattern })
    }

    pub fn matches(&self, path: &str) -> bool {
        match &self.pattern {
            Some(p) => p.matches_with(
                path,
                glob::MatchOptions {
                    case_sensitive: true,
                    require_literal_separator: false,
                    require_literal_leading_dot: false,
                },
            ),
            // Without a pattern, what a folder build would take: known extensions or none.
            None => super::has_known_extension(Path::new(path)) && !path.ends_with(".jsonl"),
        }
    }
}

/// One file written or deleted by one commit: a version to read, or the end of a file's
/// history.
#[derive(Debug, Clone)]
pub struct Change {
    /// Index of the commit in [`History::commits`].
    pub commit: usize,
    pub path: String,
    /// The file's new content; `None` when the commit deleted the file.
    blob: Option<ObjectId>,
}

impl Change {
    /// Whether the commit deleted the file (a site dropped from the crawl).
    pub fn is_deletion(&self) -> bool {
        self.blob.is_none()
    }
}

/// A commit on the walked history.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    /// Full hex id.
    pub id: String,
    /// Commit time as `YYYY-MM-DD` (UTC).
    pub date: String,
    /// Commit time as `YYYY-MM-DDTHH:MM:SSZ` (UTC): orders versions of one day.
    pub time: String,
}

/// The versions a run has to read: the commits after the last one processed, and the files
/// each wrote or deleted, oldest first.
pub struct History {
    repo: gix::Repository,
    shown: String,
    pub commits: Vec<CommitInfo>,
    /// Files written and deleted, in commit order.
    pub changes: Vec<Change>,
    /// How many of [`History::changes`] are deletions.
    pub deleted: usize,
    /// `HEAD`'s id, or `None` for a repository without commits.
    pub head: Option<String>,
}

/// One version of one file, decoded.
#[derive(Debug, Clone)]
pub struct Version {
    pub doc: Document,
    /// Path of the file in the repository.
    pub path: String,
    /// The commit that wrote this version (full hex).
    pub commit: String,
    /// SHA-256 of the policy text without its Wayback header: two crawls of an unchanged
    /// policy differ only in the header's date, and are one version.
    pub text_sha256: String,
    /// Whether the date came from the commit rather than a Wayback header.
    pub dated_by_commit: bool,
}

fn read_err(shown: &str, e: impl std::fmt::Display) -> GitError {
    GitError::Read {
        path: shown.to_string(),
        message: e.to_string(),
    }
}

/// Opens the repository at `repo_path` and lists the changes of the commits after `after`
/// (every commit when `None`) on the first-parent history of `HEAD`, whose path `filter`
/// takes.
pub fn history(
    repo_path: &Path,
    after: Option<&str>,
    filter: &PathFilter,
) -> Result<History, GitError> {
    let shown = repo_path.display().to_string();
    // Isolated: no user or system configuration, no environment; only the repository's own.
    let repo =
        gix::open_opts(repo_path, gix::open::Options::isolated()).map_err(|e| GitError::Open {
            path: shown.clone(),
            message: e.to_string(),
        })?;
    let head = match repo.head_id() {
        Ok(id) => Some(id.detach()),
        // An unborn HEAD: a repository without commits has no history to read.
        Err(_) => None,
    };
    let mut out = History {
        repo,
        shown: shown.clone(),
        commits: Vec::new(),
        changes: Vec::new(),
        deleted: 0,
        head: head.map(|h| h.to_string()),
    };
    let Some(head) = head else {
        return Ok(out);
    };
    let after = after
        .map(|a| ObjectId::from_hex(a.as_bytes()).map_err(|e| read_err(&shown, e)))
        .transpose()?;

    // The first-parent chain from HEAD back to `after` (exclusive) or the root.
    let mut chain = Vec::new();
    let mut next = Some(head);
    let mut found_after = after.is_none();
    while let Some(id) = next {
        if Some(id) == after {
            found_after = true;
            break;
        }
        let commit = out.repo.find_commit(id).map_err(|e| read_err(&shown, e))?;
        let seconds = commit.time().map_err(|e| read_err(&shown, e))?.seconds;
        next = commit.parent_ids().next().map(|p| p.detach());
        let tree = commit.tree_id().map_err(|e| read_err(&shown, e))?.detach();
        chain.push((id, tree, seconds));
    }
    if !found_after {
        return Err(GitError::LostCommit {
            path: shown,
            commit: after.map(|a| a.to_string()).unwrap_or_default(),
        });
    }
    chain.reverse();

    let mut previous_tree = match after {
        Some(a) => Some(
            out.repo
                .find_commit(a)
                .and_then(|c| c.tree_id().map(|t| t.detach()))
                .map_err(|e| read_err(&shown, e))?,
        ),
        None => None,
    };
    for (index, (id, tree, seconds)) in chain.into_iter().enumerate() {
        out.commits.push(CommitInfo {
            id: id.to_string(),
            date: date_of(seconds),
            time: time_of(seconds),
        });
        let mut walk = TreeWalk {
            repo: &out.repo,
            shown: &shown,
            filter,
            commit: index,
            changes: &mut out.changes,
            deleted: &mut out.deleted,
        };
        walk.compare(previous_tree, Some(tree), "")?;
        previous_tree = Some(tree);
    }
    Ok(out)
}

/// Compares two trees, recording the files that are new or changed in the second.
struct TreeWalk<'a> {
    repo: &'a gix::Repository,
    shown: &'a str,
    filter: &'a PathFilter,
    commit: usize,
    changes: &'a mut Vec<Change>,
    deleted: &'a mut usize,
}

/// A tree entry reduced to what the comparison needs.
struct Entry {
    name: String,
    id: ObjectId,
    tree: bool,
    blob: bool,
}

impl TreeWalk<'_> {
    /// Records the deletion of every file under a removed tree that the filter takes.
    fn delete_files(&mut self, tree: ObjectId, prefix: &str) -> Result<(), GitError> {
        for e in self.entries(Some(tree))? {
            let path = format!("{prefix}{}", e.name);
            if e.tree {
                self.delete_files(e.id, &format!("{path}/"))?;
            } else if e.blob && self.filter.matches(&path) {
                self.delete(path);
            }
        }
        Ok(())
    }

    fn delete(&mut self, path: String) {
        *self.deleted += 1;
        self.changes.push(Change {
            commit: self.commit,
            path,
            blob: None,
        });
    }

    fn entries(&self, tree: Option<ObjectId>) -> Result<Vec<Entry>, GitError> {
        let Some(tree) = tree else {
            return Ok(Vec::new());
        };
        let tree = self
            .repo
            .find_tree(tree)
            .map_err(|e| read_err(self.shown, e))?;
        let decoded = tree.decode().map_err(|e| read_err(self.shown, e))?;
        Ok(decoded
            .entries
            .iter()
            .map(|e| Entry {
                name: String::from_utf8_lossy(e.filename).into_owned(),
                id: e.oid.to_owned(),
                tree: e.mode.is_tree(),
                blob: e.mode.is_blob(),
            })
            .collect())
    }

    fn compare(
        &mut self,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
        prefix: &str,
    ) -> Result<(), GitError> {
        if old == new {
            return Ok(());
        }
        let old_entries = self.entries(old)?;
        let new_entries = self.entries(new)?;
        let old_by_name: std::collections::HashMap<&str, &Entry> =
            old_entries.iter().map(|e| (e.name.as_str(), e)).collect();
        for e in &new_entries {
            let before = old_by_name.get(e.name.as_str()).copied();
            if before.is_some_and(|b| b.id == e.id && b.tree == e.tree) {
                continue;
            }
            let path = format!("{prefix}{}", e.name);
            if before.is_some_and(|b| b.blob && !e.blob) && self.filter.matches(&path) {
                // A file replaced by a folder (or a link) of the same name: the file is gone.
                self.delete(path.clone());
            }
            if let Some(b) = before.filter(|b| b.tree && !e.tree) {
                // A folder replaced by a file: every policy it held is gone.
                self.delete_files(b.id, &format!("{path}/"))?;
            }
            if e.tree {
                let old_sub = before.filter(|b| b.tree).map(|b| b.id);
                self.compare(old_sub, Some(e.id), &format!("{path}/"))?;
            } else if e.blob && self.filter.matches(&path) {
                self.changes.push(Change {
                    commit: self.commit,
                    path,
                    blob: Some(e.id),
                });
            }
        }
        let new_names: std::collections::HashSet<&str> =
            new_entries.iter().map(|e| e.name.as_str()).collect();
        for e in old_entries
            .iter()
            .filter(|e| !new_names.contains(e.name.as_str()))
        {
            let path = format!("{prefix}{}", e.name);
            if e.blob && self.filter.matches(&path) {
                self.delete(path);
            } else if e.tree {
                // A whole folder removed: every policy it held is gone.
                self.delete_files(e.id, &format!("{path}/"))?;
            }
        }
        Ok(())
    }
}

impl History {
    /// Reads one change into a version: its bytes decoded, the Wayback header's metadata,
    /// dated by the commit where the text carries no archive date.
    pub fn read(&self, change: &Change, limits: Limits) -> Result<Version, CorpusError> {
        let commit = &self.commits[change.commit];
        let source = format!("{}:{}@{}", self.shown, change.path, &commit.id[..12]);
        let Some(blob) = change.blob else {
            return Err(CorpusError::NotText {
                path: source,
                reason: "the commit deleted this file".into(),
            });
        };
        let blob = self
            .repo
            .find_blob(blob)
            .map_err(|e| CorpusError::NotText {
                path: source.clone(),
                reason: format!("cannot read the blob: {e}"),
            })?;
        if blob.data.len() as u64 > limits.max_bytes {
            return Err(CorpusError::TooLarge {
                path: source,
                size: blob.data.len() as u64,
                limit: limits.max_bytes,
            });
        }
        let given = Metadata {
            domain: domain_of_path(&change.path),
            organization: None,
            archived: None,
            source_url: None,
            title: None,
        };
        let id = format!("{}@{}", change.path, &commit.id[..12]);
        let mut doc = from_bytes(
            id,
            source,
            &blob.data,
            format_of_path(&change.path),
            given,
            true,
        )?;
        // A file named by no domain still belongs to one organisation across its versions.
        if doc.meta.domain.is_none() {
            doc.meta.organization = Some(file_stem(&change.path).to_string());
        }
        let dated_by_commit = doc.meta.archived.is_none();
        if dated_by_commit {
            doc.meta.archived = Some(commit.date.clone());
        }
        let text_sha256 = super::hex(&Sha256::digest(doc.text.as_bytes()));
        Ok(Version {
            doc,
            path: change.path.clone(),
            commit: commit.id.clone(),
            text_sha256,
            dated_by_commit,
        })
    }
}

fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    for ext in [".md", ".markdown", ".txt", ".html", ".htm", ".text"] {
        if let Some(stem) = name.strip_suffix(ext) {
            return stem;
        }
    }
    name
}

/// The domain a file is named after (`i/ig/igr/igroops.com.md` → `igroops.com`), if its
/// name is one.
pub fn domain_of_path(path: &str) -> Option<String> {
    let stem = file_stem(path).to_ascii_lowercase();
    let labels: Vec<&str> = stem.split('.').collect();
    let ok = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    ok.then(|| registrable_domain(&stem))
}

fn format_of_path(path: &str) -> Option<Format> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".md") || lower.ends_with(".markdown") {
        Some(Format::Markdown)
    } else if lower.ends_with(".html") || lower.ends_with(".htm") {
        Some(Format::Html)
    } else {
        None
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` (UTC) of seconds since the Unix epoch.
pub fn time_of(seconds: i64) -> String {
    let s = seconds.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date_of(seconds),
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// `YYYY-MM-DD` (UTC) of seconds since the Unix epoch (Hinnant's civil-from-days).
pub fn date_of(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_epoch_seconds() {
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(date_of(1_527_206_400), "2018-05-25");
        assert_eq!(date_of(951_782_400), "2000-02-29");
        assert_eq!(date_of(-86_400), "1969-12-31");
        assert_eq!(time_of(1_527_206_400 + 3_723), "2018-05-25T01:02:03Z");
        assert_eq!(time_of(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn file_names_give_domains() {
        assert_eq!(
            domain_of_path("i/ig/igr/igroops.com.md").as_deref(),
            Some("igroops.com")
        );
        assert_eq!(
            domain_of_path("www.Example.co.uk.txt").as_deref(),
            Some("example.co.uk")
        );
        assert_eq!(domain_of_path("policies/acme.md"), None);
        assert_eq!(domain_of_path("notes/v1.2"), None);
    }

    #[test]
    fn path_filter_globs_over_folders() {
        let f = PathFilter::new(Some("*/*/*/*.md")).unwrap();
        assert!(f.matches("i/ig/igr/igroops.com.md"));
        assert!(!f.matches("README.md"));
        let all = PathFilter::new(None).unwrap();
        assert!(all.matches("a/b.md"));
        assert!(!all.matches("a/b.png"));
    }
}
