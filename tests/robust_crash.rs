//! Crash safety and concurrent use of a store: `build` killed with SIGKILL at random
//! moments while it replaces changed documents and streams new ones into the store leaves,
//! once the store is opened again, every policy graph whole (each changed document old or
//! new, each new document whole or absent), the store always openable, and the next `build`
//! finishes the job; a second writer or a reader while a build runs is told the store is in
//! use.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

mod common;
use common::{bin, samples, stderr, stdout};

/// The bulk loader's memory bound for every build here, in megabytes: the smallest, so that
/// batches are ~500 statements and even this small build writes many of them into the store
/// while it runs (at the default, everything would go in one batch at the end).
const LOAD_MEMORY_MB: &str = "1";

fn build(store: &Path, input: &Path) -> Output {
    bin()
        .env(privacy_kg::store::LOAD_MEMORY_ENV, LOAD_MEMORY_MB)
        .args(["build", "--store"])
        .arg(store)
        .arg(input)
        .output()
        .unwrap()
}

/// A JSONL corpus of `n` distinct policies (the samples under other domains).
fn corpus(dir: &Path, n: usize) -> PathBuf {
    corpus_of(&dir.join(format!("corpus-{n}.jsonl")), 0..n, |_| false)
}

/// A JSONL corpus of the records `ids`, in that order (the samples under other domains); a
/// record for which `changed` holds has one more sentence, so a new version with a practice
/// more.
fn corpus_of(
    path: &Path,
    ids: impl IntoIterator<Item = usize>,
    changed: impl Fn(usize) -> bool,
) -> PathBuf {
    let mut texts: Vec<String> = std::fs::read_dir(samples())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    texts.sort();
    let mut jsonl = String::new();
    for i in ids {
        let mut text = texts[i % texts.len()].clone();
        if changed(i) {
            text.push_str(
                "\n\nWe may share your email address with advertising partners for marketing.\n",
            );
        }
        let record = serde_json::json!({
            "id": format!("copy-{i}"),
            "text": text,
            "url": format!("https://www.site{i}.org/privacy"),
        });
        jsonl.push_str(&record.to_string());
        jsonl.push('\n');
    }
    std::fs::write(path, jsonl).unwrap();
    path.to_path_buf()
}

/// The two columns of a SELECT's rows; panics if the store cannot be opened and read.
fn select_pairs(store: &Path, sparql: &str) -> Vec<(String, String)> {
    let out = bin()
        .args(["query", "--format", "tsv", "--store"])
        .arg(store)
        .args(["--sparql", sparql])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "store unreadable after a kill: {}",
        stderr(&out)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let (a, b) = l.split_once('\t').unwrap();
            (a.to_string(), b.to_string())
        })
        .collect()
}

/// The id of every document of the store with its policy graph.
fn documents(store: &Path) -> BTreeMap<String, String> {
    select_pairs(
        store,
        "SELECT ?id ?g WHERE { GRAPH ?g { ?g <https://w3id.org/privacy-kg/ns#sourceFile> ?id } }",
    )
    .into_iter()
    .collect()
}

/// A store's folder copied (the store closed).
/// An uninterrupted build of `next` on a copy of `base` (in `dir`): the copy, the build's
/// output and how long it took, to spread the kills over.
fn reference_build(dir: &Path, base: &Path, next: &Path) -> (PathBuf, Output, Duration) {
    let reference = dir.join("reference.db");
    copy_store(base, &reference);
    let started = Instant::now();
    let full = build(&reference, next);
    let duration = started.elapsed();
    assert!(full.status.success(), "{}", stderr(&full));
    (reference, full, duration)
}

fn copy_store(from: &Path, to: &Path) {
    if to.exists() {
        std::fs::remove_dir_all(to).unwrap();
    }
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_store(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// The size of every policy and ontology graph. The build's own records (its `prov:Activity`
/// and the VoID description) are written after the policies are committed and grow with every
/// build, so they are not part of what a killed build must leave whole.
fn graph_sizes(store: &Path) -> BTreeMap<String, usize> {
    select_pairs(
        store,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    )
    .into_iter()
    .map(|(g, n)| {
        let n = n.split('"').nth(1).unwrap_or(&n).parse().unwrap();
        (g, n)
    })
    .filter(|(g, _)| !g.ends_with("/provenance>") && !g.ends_with("/void>"))
    .collect()
}

/// A small pseudo-random generator (xorshift), seeded from the clock; the seed is printed
/// so a failing run can be replayed with PRIVACY_KG_CRASH_SEED.
struct Rng(u64);

impl Rng {
    fn next_unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What a store holds, as a killed build may leave it.
struct State {
    sizes: BTreeMap<String, usize>,
    documents: BTreeMap<String, String>,
}

impl State {
    fn of(store: &Path) -> State {
        State {
            sizes: graph_sizes(store),
            documents: documents(store),
        }
    }

    /// Whether document `id` is here whole as it is in `other`: its graph with the same
    /// statements.
    fn holds(&self, id: &str, other: &State) -> bool {
        let Some(graph) = other.documents.get(id) else {
            return false;
        };
        self.documents.get(id) == Some(graph) && self.sizes.get(graph) == other.sizes.get(graph)
    }
}

/// Checks that the store after a kill (`now`, read by a command that opened it, so after the
/// open removed any half-written graph) holds every graph whole, old or new: each changed
/// document in its old or its new version, never neither nor both; each new document whole
/// or absent (they stream in as they are extracted); the unchanged ones as they were. Says
/// which.
fn judge(before: &State, complete: &State, now: &State) -> Result<String, String> {
    for (g, n) in &now.sizes {
        if before.sizes.get(g) != Some(n) && complete.sizes.get(g) != Some(n) {
            return Err(format!(
                "graph {g} has {n} statements: neither its old ({:?}) nor its new ({:?}) size",
                before.sizes.get(g),
                complete.sizes.get(g)
            ));
        }
    }
    let (mut changed, mut changed_new, mut new, mut new_here) = (0, 0, 0, 0);
    for id in complete.documents.keys() {
        let (old, fresh) = (now.holds(id, before), now.holds(id, complete));
        if !before.documents.contains_key(id) {
            new += 1;
            new_here += usize::from(fresh);
            if !fresh && now.documents.contains_key(id) {
                return Err(format!("new document {id} is there but not whole"));
            }
        } else if before.holds(id, complete) {
            if !fresh {
                return Err(format!("unchanged document {id} is not as it was"));
            }
        } else {
            changed += 1;
            let old_graph = &before.documents[id];
            let new_graph = &complete.documents[id];
            let both = old_graph != new_graph
                && now.sizes.contains_key(old_graph)
                && now.sizes.contains_key(new_graph);
            match (old, fresh, both) {
                (true, false, false) => {}
                (false, true, false) => changed_new += 1,
                _ => {
                    return Err(format!(
                        "changed document {id} is neither whole old ({old_graph}) nor whole new ({new_graph}), or both are there"
                    ))
                }
            }
        }
    }
    Ok(format!(
        "{changed_new} of {changed} changed documents new, {new_here} of {new} new documents"
    ))
}

#[test]
fn builds_killed_at_random_moments_leave_every_graph_whole_and_the_next_build_finishes() {
    let dir = tempfile::tempdir().unwrap();
    // The store holds 45 documents (40 and the 5 samples); the next corpus changes 8 of
    // them (every fifth: under the share that rebuilds beside) and adds 40 new ones, in
    // between: a build replaces 8 documents in transactions and streams 40 into the store,
    // both as it goes.
    let first = corpus_of(&dir.path().join("first.jsonl"), 0..40, |_| false);
    let next = corpus_of(
        &dir.path().join("next.jsonl"),
        (0..40).flat_map(|i| [i, 40 + i]),
        |i| i < 40 && i % 5 == 0,
    );
    let base = dir.path().join("base.db");
    assert!(build(&base, &samples()).status.success());
    let built = build(&base, &first);
    assert!(built.status.success(), "{}", stderr(&built));
    let before = State::of(&base);

    // An uninterrupted build of the next corpus on a copy: how long a build takes, to spread
    // the kills over it, and what every graph holds once complete.
    let (reference, full, duration) = reference_build(dir.path(), &base, &next);
    assert!(
        stdout(&full).contains("8 replaced") && !stdout(&full).contains("rebuilt"),
        "the scenario changed: {}",
        stdout(&full)
    );
    let complete = State::of(&reference);
    judge(&before, &complete, &before).unwrap();
    judge(&before, &complete, &complete).unwrap();

    kill_builds(dir.path(), &base, &next, duration, &complete, |now| {
        judge(&before, &complete, now)
    });
}

/// Five times, on a fresh copy of the store `base`, starts a build of `next` and kills it
/// (SIGKILL) at a random moment in each fifth of 5–105% of `duration` (an uninterrupted
/// build's), judges the store it left with `judge`, then checks that a build on that store
/// finishes to exactly `complete` and leaves nothing of the killed one behind. The seed is
/// printed; replay with PRIVACY_KG_CRASH_SEED.
fn kill_builds(
    dir: &Path,
    base: &Path,
    next: &Path,
    duration: Duration,
    complete: &State,
    judge: impl Fn(&State) -> Result<String, String>,
) {
    let seed = std::env::var("PRIVACY_KG_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    let mut rng = Rng(seed);
    let mut log = Vec::new();
    let store = dir.join("kg.db");
    for run in 0..5 {
        // Each kill hits a build of the whole change, on a copy of the store before it.
        copy_store(base, &store);
        // From just after the start to just after the usual end, where the commit is: one
        // kill in each fifth of that span.
        let delay = duration.mul_f64(0.05 + 0.2 * (run as f64 + rng.next_unit()));
        let mut child = bin()
            .env(privacy_kg::store::LOAD_MEMORY_ENV, LOAD_MEMORY_MB)
            .args(["build", "--store"])
            .arg(&store)
            .arg(next)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok();
        child.wait().unwrap();
        // Left when the kill hit the streaming load: the next open clears up after it.
        let journal = store.join(privacy_kg::store::LOAD_JOURNAL).exists();
        let beside = privacy_kg::store::Store::beside_path(&store).exists();
        let state = judge(&State::of(&store)).unwrap_or_else(|e| {
            panic!("seed {seed}, run {run}, killed after {delay:?} of a {duration:?} build: {e}")
        });
        log.push(format!(
            "killed after {:.0}% of a {:.1} s build{}{}{}: {state}",
            100.0 * delay.as_secs_f64() / duration.as_secs_f64(),
            duration.as_secs_f64(),
            if finished { " (it had finished)" } else { "" },
            if journal { " (load journal left)" } else { "" },
            if beside { " (store beside left)" } else { "" }
        ));

        // The next build finishes the job, and leaves no sorted file, journal or store
        // beside.
        let finish = build(&store, next);
        assert!(finish.status.success(), "{}", stderr(&finish));
        let after = State::of(&store);
        assert_eq!(after.sizes, complete.sizes, "seed {seed}, run {run}");
        assert_eq!(
            after.documents, complete.documents,
            "seed {seed}, run {run}"
        );
        let leftovers: Vec<_> = std::fs::read_dir(&store)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                (name.starts_with("bulk-") || name == privacy_kg::store::LOAD_JOURNAL)
                    .then_some(name)
            })
            .chain(std::fs::read_dir(dir).unwrap().filter_map(|e| {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                name.starts_with("kg.db.").then_some(name)
            }))
            .collect();
        assert!(
            leftovers.is_empty(),
            "unfinished bulk files, load journal or store beside left: {leftovers:?}"
        );
    }
    eprintln!("seed {seed}:\n  {}", log.join("\n  "));
}

/// What a fresh build of `corpus` into `dir/name` gives.
fn fresh(dir: &Path, name: &str, corpus: &Path) -> State {
    let store = dir.join(name);
    let out = build(&store, corpus);
    assert!(out.status.success(), "{}", stderr(&out));
    State::of(&store)
}

#[test]
fn a_rebuild_beside_gives_the_graphs_a_fresh_build_gives_and_keeps_what_it_does_not_redo() {
    let dir = tempfile::tempdir().unwrap();
    let first = corpus_of(&dir.path().join("first.jsonl"), 0..10, |_| false);
    let store = dir.path().join("kg.db");
    assert!(build(&store, &first).status.success());
    // Five of the ten changed, one (7) now empty so unreadable, two (8, 9) no longer among
    // the inputs, two new: 6 of 10 to redo, past the share that rebuilds beside.
    let next = corpus_of(&dir.path().join("next.jsonl"), (0..8).chain(10..12), |i| {
        i < 5
    });
    let text: String = std::fs::read_to_string(&next)
        .unwrap()
        .lines()
        .map(|line| {
            let mut record: serde_json::Value = serde_json::from_str(line).unwrap();
            if record["id"] == "copy-7" {
                record["text"] = "".into();
            }
            record.to_string() + "\n"
        })
        .collect();
    std::fs::write(&next, text).unwrap();
    let out = build(&store, &next);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stdout(&out).contains("rebuilt"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("7 loaded, 2 unchanged, 5 replaced, 1 skipped"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("copy-7") && stderr(&out).contains("keeps the previous one"),
        "{}",
        stderr(&out)
    );
    // What the store must hold: the changed five new, the rest (7, 8, 9 too) as they were,
    // the two new ones.
    let expected = corpus_of(&dir.path().join("expected.jsonl"), 0..12, |i| i < 5);
    let reference = fresh(dir.path(), "reference.db", &expected);
    let now = State::of(&store);
    assert_eq!(now.sizes, reference.sizes);
    assert_eq!(now.documents, reference.documents);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("kg.db."))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_rebuild_beside_killed_at_random_moments_leaves_the_old_store_or_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    // The store holds 40 documents; the next corpus changes 30 of them and adds 10: three
    // quarters of the store to redo, so it is rebuilt beside and swapped in.
    let first = corpus_of(&dir.path().join("first.jsonl"), 0..40, |_| false);
    let next = corpus_of(&dir.path().join("next.jsonl"), 0..50, |i| i < 30);
    let base = dir.path().join("base.db");
    let built = build(&base, &first);
    assert!(built.status.success(), "{}", stderr(&built));
    let before = State::of(&base);
    let (reference, full, duration) = reference_build(dir.path(), &base, &next);
    assert!(stdout(&full).contains("rebuilt"), "{}", stdout(&full));
    let complete = State::of(&reference);
    assert_ne!(complete.sizes, before.sizes);
    kill_builds(dir.path(), &base, &next, duration, &complete, |now| {
        if now.sizes == before.sizes && now.documents == before.documents {
            Ok("the old store".into())
        } else if now.sizes == complete.sizes && now.documents == complete.documents {
            Ok("the new store".into())
        } else {
            Err("neither the old store nor the new one".into())
        }
    });
}

#[test]
fn a_second_build_or_a_query_during_a_build_is_told_the_store_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kg.db");
    let big = corpus(dir.path(), 3000);
    let mut child = bin()
        .args(["build", "--store"])
        .arg(&store)
        .arg(&big)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let waited = Instant::now();
    while !store.join("LOCK").exists() && waited.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));

    let second = build(&store, &samples());
    assert_eq!(second.status.code(), Some(1));
    let err = stderr(&second);
    assert!(err.contains("in use") && err.contains("kg.db"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    // Oxigraph 0.5 lets one process open a store for writing and has no secondary
    // (follower) mode; a read-only open beside a writer is undefined behaviour in its
    // documentation (docs/robustness.md). So a query is told to wait for the build.
    let query = bin()
        .args(["query", "03", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    assert_eq!(query.status.code(), Some(1));
    let err = stderr(&query);
    assert!(
        err.contains("in use") && err.contains("kg.db") && err.contains("wait for it"),
        "{err}"
    );

    // `serve` too: it would hold the store for as long as it serves.
    let mut serve = bin()
        .args(["serve", "--bind", "127.0.0.1:0", "--store"])
        .arg(&store)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let waited = Instant::now();
    while serve.try_wait().unwrap().is_none() && waited.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    if serve.try_wait().unwrap().is_none() {
        serve.kill().ok();
        panic!("serve started on a store a build is writing");
    }
    let served = serve.wait_with_output().unwrap();
    assert_eq!(served.status.code(), Some(1));
    assert!(stderr(&served).contains("in use"), "{}", stderr(&served));

    assert!(
        child.try_wait().unwrap().is_none(),
        "the first build finished before the others ran: make the corpus bigger"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let after = build(&store, &samples());
    assert!(after.status.success(), "{}", stderr(&after));
}
