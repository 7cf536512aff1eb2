//! Policy histories end to end: a git repository made here (three organisations, dated
//! versions with practices added, removed and changed) loaded with
//! `build --git-history` in two runs, then the revision chain, `diff`, the trend queries and
//! the HTML report (rendered by headless Chromium when it is installed).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{bin, query_csv, run, stderr, stdout};

/// Runs git in `repo` with author and committer time `when` (`YYYY-MM-DD`, noon UTC, or a
/// full `YYYY-MM-DDTHH:MM:SSZ`).
fn git(repo: &Path, args: &[&str], when: &str) {
    let time = if when.len() == 10 {
        format!("{when}T12:00:00Z")
    } else {
        when.to_string()
    };
    let out = Command::new("git")
        .current_dir(repo)
        .args(args)
        .env("GIT_AUTHOR_DATE", &time)
        .env("GIT_COMMITTER_DATE", &time)
        .env("GIT_AUTHOR_NAME", "crawler")
        .env("GIT_AUTHOR_EMAIL", "crawler@example.org")
        .env("GIT_COMMITTER_NAME", "crawler")
        .env("GIT_COMMITTER_EMAIL", "crawler@example.org")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", repo)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

/// A Princeton-Leuven style file: the Wayback header when `archived` is given.
fn policy(domain: &str, archived: Option<&str>, body: &[&str]) -> String {
    let mut s = String::new();
    if let Some(day) = archived {
        s.push_str(&format!(
            "> *The following text is extracted and transformed from the {domain} privacy policy that was archived on {day}. Please check the [original snapshot on the Wayback Machine](https://web.archive.org/web/{}000000id_/http%3A//{domain}/privacy) for the most accurate reproduction.*\n\n",
            day.replace('-', "")
        ));
    }
    s.push_str(&format!("# {domain} Privacy Policy\n\n"));
    for p in body {
        s.push_str(p);
        s.push_str("\n\n");
    }
    s
}

const ALPHA: &str = "a/al/alp/alpha-shop.com.md";
const BETA: &str = "b/be/bet/beta-news.org.md";
const GAMMA: &str = "g/ga/gam/gamma-games.net.md";

const ALPHA_EMAIL: &str = "We collect your email address when you create an account.";
const ALPHA_NO_SALE: &str = "We do not sell your personal information to third parties.";
const ALPHA_LOCATION: &str = "We collect your precise location when you use the mobile app.";
const ALPHA_SALE: &str = "We may sell your personal information to advertisers.";
const BETA_ADS: &str = "We share your email address with advertisers.";
const BETA_ANALYTICS: &str = "We share your email address with analytics providers.";
const BETA_OPT_OUT: &str = "You may opt out of the sale of your personal information at any time.";
const GAMMA_NAME: &str = "We collect your name when you register.";
const GAMMA_PHONE: &str = "We collect your phone number when you register.";
const GAMMA_NO_SALE: &str = "We never sell your personal information.";

struct Repo {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crawl");
        std::fs::create_dir(&path).unwrap();
        git(&path, &["init", "-q", "-b", "main"], "2015-01-01");
        Repo { _dir: dir, path }
    }

    fn write(&self, file: &str, text: &str) {
        let p = self.path.join(file);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn remove(&self, file: &str) {
        std::fs::remove_file(self.path.join(file)).unwrap();
    }

    fn commit(&self, date: &str) {
        git(&self.path, &["add", "-A"], date);
        git(
            &self.path,
            &["commit", "-q", "-m", &format!("crawl {date}")],
            date,
        );
    }
}

/// The first five crawls. alpha-shop.com and gamma-games.net carry Wayback headers;
/// beta-news.org has none and is dated by its commits.
fn first_crawls(repo: &Repo) {
    repo.write(
        "README.md",
        "# A crawl of privacy policies\n\nNot a policy.\n",
    );
    repo.write(BETA, &policy("beta-news.org", None, &[BETA_ADS]));
    repo.commit("2015-01-10");
    repo.write(
        ALPHA,
        &policy(
            "alpha-shop.com",
            Some("2016-03-01"),
            &[ALPHA_EMAIL, ALPHA_NO_SALE],
        ),
    );
    repo.commit("2016-03-02");
    // A re-crawl of an unchanged policy: only the header's date differs.
    repo.write(
        ALPHA,
        &policy(
            "alpha-shop.com",
            Some("2017-01-01"),
            &[ALPHA_EMAIL, ALPHA_NO_SALE],
        ),
    );
    repo.write(
        GAMMA,
        &policy("gamma-games.net", Some("2017-02-01"), &[GAMMA_NAME]),
    );
    repo.commit("2017-02-02");
    repo.write(BETA, &policy("beta-news.org", None, &[BETA_ANALYTICS]));
    repo.commit("2017-05-05");
    repo.write(
        GAMMA,
        &policy(
            "gamma-games.net",
            Some("2018-06-15"),
            &[GAMMA_NAME, GAMMA_PHONE],
        ),
    );
    repo.commit("2018-06-16");
}

/// Three more crawls, read by the second, incremental run.
fn later_crawls(repo: &Repo) {
    repo.write(
        ALPHA,
        &policy(
            "alpha-shop.com",
            Some("2018-07-01"),
            &[ALPHA_EMAIL, ALPHA_LOCATION, ALPHA_NO_SALE],
        ),
    );
    repo.commit("2018-07-02");
    repo.write(
        ALPHA,
        &policy(
            "alpha-shop.com",
            Some("2019-09-01"),
            &[ALPHA_EMAIL, ALPHA_LOCATION, ALPHA_SALE],
        ),
    );
    repo.write(
        GAMMA,
        &policy(
            "gamma-games.net",
            Some("2019-09-01"),
            &[GAMMA_NAME, GAMMA_PHONE, GAMMA_NO_SALE],
        ),
    );
    repo.commit("2019-09-02");
    repo.write(
        BETA,
        &policy("beta-news.org", None, &[BETA_ANALYTICS, BETA_OPT_OUT]),
    );
    repo.commit("2020-02-02");
}

fn build(repo: &Path, store: &Path) -> Output {
    build_with(repo, store, &[])
}

fn build_with(repo: &Path, store: &Path, args: &[&str]) -> Output {
    let out = run(bin()
        .args(["build", "--git-history"])
        .arg(repo)
        .args(["--paths", "*/*/*/*.md", "--store"])
        .arg(store)
        .args(args));
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

fn diff_json(store: &Path, args: &[&str]) -> serde_json::Value {
    let out = run(bin()
        .args(["diff", "--format", "json", "--store"])
        .arg(store)
        .args(args));
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

const ID: &str = "https://w3id.org/privacy-kg/id/";

#[test]
fn policy_histories_from_git() {
    let repo = Repo::new();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kg.db");

    // First run: five commits, six file versions, one of them a re-crawl of unchanged text.
    first_crawls(&repo);
    let first = build(&repo.path, &store);
    let summary = stdout(&first);
    assert!(summary.contains("commits     5 read"), "{summary}");
    assert!(
        summary.contains(
            "6 seen: 5 loaded (2 revising an earlier one, 2 dated by commit, 0 another version of the same day), 1 unchanged text"
        ),
        "{summary}"
    );

    // Second run: only the three new commits are read.
    later_crawls(&repo);
    let second = build(&repo.path, &store);
    let summary = stdout(&second);
    assert!(summary.contains("commits     3 read"), "{summary}");
    assert!(
        summary.contains(
            "4 seen: 4 loaded (4 revising an earlier one, 1 dated by commit, 0 another version of the same day), 0 unchanged text"
        ),
        "{summary}"
    );
    // A third run has nothing to read.
    let third = build(&repo.path, &store);
    assert!(
        stdout(&third).contains("commits     0 read"),
        "{}",
        stdout(&third)
    );

    // Every version, and the chain linking each to the one before it.
    let chain = query_csv(
        &store,
        &["--sparql", "PREFIX pp: <https://w3id.org/privacy-kg/ns#> PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?path ?date ?previousDate WHERE { ?v pp:gitPath ?path ; pp:archived ?date . OPTIONAL { ?v prov:wasRevisionOf ?p . ?p pp:archived ?previousDate } } ORDER BY ?path ?date"],
    );
    let expect = [
        [ALPHA, "2016-03-01", ""],
        [ALPHA, "2018-07-01", "2016-03-01"],
        [ALPHA, "2019-09-01", "2018-07-01"],
        [BETA, "2015-01-10", ""],
        [BETA, "2017-05-05", "2015-01-10"],
        [BETA, "2020-02-02", "2017-05-05"],
        [GAMMA, "2017-02-01", ""],
        [GAMMA, "2018-06-15", "2017-02-01"],
        [GAMMA, "2019-09-01", "2018-06-15"],
    ];
    assert_eq!(chain, expect.map(|r| r.map(String::from).to_vec()).to_vec());
    // The versions belong to the organisation their file is named after.
    let orgs = query_csv(
        &store,
        &["--sparql", "PREFIX pp: <https://w3id.org/privacy-kg/ns#> SELECT ?org (COUNT(DISTINCT ?v) AS ?n) WHERE { ?v pp:organisation ?org } GROUP BY ?org ORDER BY ?org"],
    );
    assert_eq!(
        orgs,
        vec![
            vec![format!("{ID}org/alpha-shop.com"), "3".into()],
            vec![format!("{ID}org/beta-news.org"), "3".into()],
            vec![format!("{ID}org/gamma-games.net"), "3".into()],
        ]
    );

    // Diff between the versions in effect on two days: location added, the sale denial
    // turned into a sale; the reworded nothing.
    let d = diff_json(
        &store,
        &[
            "alpha-shop.com",
            "--from",
            "2017-06-01",
            "--to",
            "2020-01-01",
        ],
    );
    let d = &d.as_array().unwrap()[0];
    assert_eq!(d["from"]["date"], "2016-03-01");
    assert_eq!(d["to"]["date"], "2019-09-01");
    let changes = d["changes"].as_array().unwrap();
    let added: Vec<_> = changes.iter().filter(|c| c["change"] == "added").collect();
    assert!(
        added.iter().any(|c| c["new"]["kind"] == "collect"
            && c["new"]["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x.as_str().unwrap().contains("location"))
            && c["new"]["evidence"] == ALPHA_LOCATION),
        "{changes:#?}"
    );
    let flipped: Vec<_> = changes
        .iter()
        .filter(|c| c["change"] == "changed" && c["old"]["kind"] == "sell")
        .collect();
    assert_eq!(flipped.len(), 1, "{changes:#?}");
    assert_eq!(flipped[0]["old"]["negated"], true);
    assert_eq!(flipped[0]["new"]["negated"], false);
    assert_eq!(flipped[0]["old"]["evidence"], ALPHA_NO_SALE);
    assert_eq!(flipped[0]["new"]["evidence"], ALPHA_SALE);
    assert!(flipped[0]["fields"]
        .as_array()
        .unwrap()
        .contains(&"polarity".into()));
    // The email statement is in both versions: not a change.
    assert!(
        !changes.iter().any(|c| c.to_string().contains(ALPHA_EMAIL)),
        "{changes:#?}"
    );
    // Without dates: each consecutive pair.
    let pairs = diff_json(&store, &["beta-news.org"]);
    let pairs = pairs.as_array().unwrap();
    assert_eq!(pairs.len(), 2);
    let recipients_changed = &pairs[0]["changes"].as_array().unwrap();
    assert!(
        recipients_changed.iter().any(|c| c["change"] == "changed"
            && c["fields"] == serde_json::json!(["recipients"])
            && c["old"]["evidence"] == BETA_ADS
            && c["new"]["evidence"] == BETA_ANALYTICS),
        "{recipients_changed:#?}"
    );
    let table = run(bin()
        .args(["diff", "gamma-games.net", "--store"])
        .arg(&store));
    assert!(table.status.success(), "{}", stderr(&table));
    assert!(stdout(&table).contains(GAMMA_NO_SALE), "{}", stdout(&table));
    // An unknown organisation is an error, not an empty diff.
    let unknown = run(bin()
        .args(["diff", "nobody.example", "--store"])
        .arg(&store));
    assert_eq!(unknown.status.code(), Some(1));

    // Trend: prevalence of sale denials by year.
    let rows = query_csv(&store, &["practice-prevalence-by-year"]);
    let no_sale: Vec<(String, String, String)> = rows
        .iter()
        .filter(|r| r[1] == "sell" && r[2] == "true")
        .map(|r| (r[0].clone(), r[3].clone(), r[4].clone()))
        .collect();
    assert_eq!(
        no_sale,
        vec![
            ("2016".into(), "1".into(), "1".into()),
            ("2018".into(), "1".into(), "2".into()),
            ("2019".into(), "1".into(), "2".into()),
        ]
    );
    // Sites that started or stopped saying they do not sell.
    let flips = query_csv(&store, &["sale-denial-changes"]);
    let flips: Vec<(String, String, String, String)> = flips
        .iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone()))
        .collect();
    assert_eq!(
        flips,
        vec![
            (
                "alpha-shop.com".into(),
                "no longer says it does not sell".into(),
                "2018-07-01".into(),
                "2019-09-01".into()
            ),
            (
                "gamma-games.net".into(),
                "now says it does not sell".into(),
                "2018-06-15".into(),
                "2019-09-01".into()
            ),
        ]
    );
    // Data types newly collected after the GDPR date.
    let new_data = query_csv(
        &store,
        &["data-types-newly-collected", "--param", "since=2018-05-25"],
    );
    let new_data: Vec<(String, String, String)> = new_data
        .iter()
        .map(|r| (r[0].clone(), r[2].clone(), r[3].clone()))
        .collect();
    assert_eq!(
        new_data,
        vec![
            (
                "alpha-shop.com".into(),
                "2018-07-01".into(),
                ALPHA_LOCATION.into()
            ),
            (
                "gamma-games.net".into(),
                "2018-06-15".into(),
                GAMMA_PHONE.into()
            ),
        ]
    );
    // The first version mentioning an opt-out of sale.
    let opt_out = query_csv(&store, &["first-opt-out-of-sale"]);
    assert_eq!(opt_out.len(), 1, "{opt_out:?}");
    assert_eq!(opt_out[0][0], "beta-news.org");
    assert_eq!(opt_out[0][1], "2020-02-02");
    assert_eq!(opt_out[0][3], BETA_OPT_OUT);

    // The report: one page, charts inline, evidence linked from the table.
    let html = dir.path().join("report.html");
    let out = run(bin()
        .args(["report", "--html"])
        .arg(&html)
        .arg("--store")
        .arg(&store));
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    // To look at the page, its rendering and the store: PRIVACY_KG_KEEP_REPORT=DIR cargo test
    // --release --test history
    let keep = std::env::var_os("PRIVACY_KG_KEEP_REPORT").map(PathBuf::from);
    if let Some(keep) = &keep {
        std::fs::create_dir_all(keep).unwrap();
        std::fs::copy(&html, keep.join("report.html")).unwrap();
        let kept = Command::new("cp")
            .arg("-r")
            .arg(&store)
            .arg(keep.join("kg.db"))
            .status()
            .unwrap();
        assert!(kept.success());
    }
    assert_eq!(page.matches("<svg").count(), 4, "four charts");
    assert!(!page.contains("src=\"http") && !page.contains("href=\"http"));
    assert!(
        page.contains("Versions per year — 2015: 1, 2016: 1, 2017: 2, 2018: 2, 2019: 2, 2020: 1."),
        "per-year chart missing"
    );
    assert!(page.contains(ALPHA_SALE) && page.contains("href=\"#org-0-sell-is\""));
    let png = dir.path().join("report.png");
    render(&html, &png);
    if let Some(keep) = &keep {
        std::fs::copy(&png, keep.join("report.png")).unwrap();
    }
}

/// Renders the page with headless Chromium (installed by `make test`) and checks a PNG came
/// out. `scripts/render-report.sh` does the same by hand.
fn render(html: &Path, png: &Path) {
    let out = Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/render-report.sh"))
        .arg(html)
        .arg(png)
        .output()
        .expect("scripts/render-report.sh");
    assert!(
        out.status.success(),
        "rendering the report (is chromium installed? run scripts/ensure-chromium.sh): {}",
        stderr(&out)
    );
    let bytes = std::fs::read(png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    assert!(bytes.len() > 20_000, "a blank page? {} bytes", bytes.len());
}

const DELTA: &str = "d/de/del/delta-mail.com.md";
const FOXTROT: &str = "f/fo/fox/foxtrot.org.md";
const DELTA_NAME: &str = "We collect your name when you register.";
const DELTA_CONTACT: &str = "We collect your contact information when you sign up.";
const DELTA_EMAIL: &str = "We collect your email address when you sign up.";
const DELTA_NO_SALE: &str = "We do not sell your personal information.";
const DELTA_SALE: &str = "We may sell your personal information to advertisers.";

/// The versions of one file with their dates and the version each revises, oldest first
/// (archive date, then commit time).
fn chain_of(store: &Path, path: &str) -> Vec<Vec<String>> {
    query_csv(
        store,
        &["--sparql", &format!("PREFIX pp: <https://w3id.org/privacy-kg/ns#> PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?v ?date ?previous ?removed WHERE {{ ?v pp:gitPath \"{path}\" ; pp:archived ?date ; pp:gitCommitTime ?t . OPTIONAL {{ ?v prov:wasRevisionOf ?previous }} OPTIONAL {{ ?v prov:invalidatedAtTime ?removed }} }} ORDER BY ?date ?t")],
    )
}

/// Two distinct versions committed the same day (same Wayback date), the file later deleted,
/// loaded first for a narrow date range and then for all dates.
#[test]
fn same_day_versions_deletions_and_a_wider_date_range() {
    let repo = Repo::new();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kg.db");
    repo.write(
        DELTA,
        &policy(
            "delta-mail.com",
            Some("2018-01-05"),
            &[DELTA_NAME, DELTA_NO_SALE],
        ),
    );
    repo.write(
        FOXTROT,
        &policy("foxtrot.org", Some("2018-02-01"), &[DELTA_NAME]),
    );
    repo.commit("2018-01-10");
    repo.write(
        DELTA,
        &policy(
            "delta-mail.com",
            Some("2019-03-01"),
            &[DELTA_CONTACT, DELTA_NO_SALE],
        ),
    );
    // A re-crawl of an unchanged policy, the first crawl being before the first run's dates.
    repo.write(
        FOXTROT,
        &policy("foxtrot.org", Some("2019-04-01"), &[DELTA_NAME]),
    );
    repo.commit("2019-03-02T09:00:00Z");
    // Changed again the same day, under the same Wayback date.
    repo.write(
        DELTA,
        &policy(
            "delta-mail.com",
            Some("2019-03-01"),
            &[DELTA_EMAIL, DELTA_SALE],
        ),
    );
    repo.commit("2019-03-02T15:00:00Z");
    repo.remove(DELTA);
    repo.write(
        "e/ex/exa/example-keep.org.md",
        &policy("example-keep.org", None, &[DELTA_NAME]),
    );
    repo.commit("2020-05-05");

    // First: only 2019 on. Both versions of 2019-03-01 are loaded, each its own graph.
    let first = build_with(&repo.path, &store, &["--since", "2019-01-01"]);
    let summary = stdout(&first);
    assert!(
        summary.contains("6 seen: 4 loaded (1 revising an earlier one, 1 dated by commit, 1 another version of the same day), 0 unchanged text, 2 outside the dates"),
        "{summary}"
    );
    assert!(
        summary.contains("deleted     1 policy files (1 latest versions marked removed)"),
        "{summary}"
    );
    let chain = chain_of(&store, DELTA);
    assert_eq!(chain.len(), 2, "{chain:?}");
    let v1 = format!("{ID}policy/delta-mail.com/2019-03-01");
    assert_eq!(chain[0][0], v1);
    let v2 = chain[1][0].clone();
    let suffix = v2
        .strip_prefix(&format!("{v1}-"))
        .expect("a second version of the day");
    assert!(
        suffix.len() == 12 && suffix.chars().all(|c| c.is_ascii_hexdigit()),
        "{v2}"
    );
    assert_eq!(chain[0][2], "", "the first loaded version revises nothing");
    assert_eq!(chain[1][2], v1);
    assert_eq!(chain[0][3], "");
    assert!(chain[1][3].starts_with("2020-05-05T12:00:00"), "{chain:?}");

    // The diff: same day, in commit order; "email address" is narrower than "contact
    // information"; then the removal takes everything away.
    let d = diff_json(&store, &["delta-mail.com"]);
    let d = d.as_array().unwrap();
    assert_eq!(d.len(), 2, "{d:#?}");
    assert_eq!(d[0]["from"]["policy"], v1.as_str());
    assert_eq!(d[0]["to"]["policy"], v2.as_str());
    assert_eq!(d[0]["from"]["committed"], "2019-03-02T09:00:00Z");
    assert_eq!(d[0]["to"]["committed"], "2019-03-02T15:00:00Z");
    let changes = d[0]["changes"].as_array().unwrap();
    let collect: Vec<_> = changes
        .iter()
        .filter(|c| c["old"]["kind"] == "collect" || c["new"]["kind"] == "collect")
        .collect();
    assert_eq!(collect.len(), 1, "{changes:#?}");
    assert_eq!(collect[0]["change"], "changed");
    assert_eq!(collect[0]["fields"], serde_json::json!(["data (narrower)"]));
    assert_eq!(
        collect[0]["old"]["data"],
        serde_json::json!(["contact information"])
    );
    assert_eq!(
        collect[0]["new"]["data"],
        serde_json::json!(["email address"])
    );
    assert_eq!(collect[0]["old"]["evidence"], DELTA_CONTACT);
    assert_eq!(collect[0]["new"]["evidence"], DELTA_EMAIL);
    assert_eq!(d[1]["from"]["policy"], v2.as_str());
    assert_eq!(d[1]["to"]["policy"], v2.as_str());
    assert_eq!(d[1]["to"]["removed"], true);
    assert_eq!(d[1]["to"]["date"], "2020-05-05");
    assert_eq!(d[1]["unchanged"], 0);
    let gone = d[1]["changes"].as_array().unwrap();
    assert!(
        !gone.is_empty() && gone.iter().all(|c| c["change"] == "removed"),
        "{gone:#?}"
    );
    assert!(
        gone.iter().any(|c| c["old"]["evidence"] == DELTA_EMAIL),
        "{gone:#?}"
    );
    // The version in effect after the deletion is none: everything is removed.
    let after = diff_json(
        &store,
        &[
            "delta-mail.com",
            "--from",
            "2019-03-01",
            "--to",
            "2021-01-01",
        ],
    );
    assert_eq!(
        after[0]["from"]["policy"],
        v2.as_str(),
        "the later of the day is in effect"
    );
    assert_eq!(after[0]["to"]["removed"], true);
    let table = run(bin()
        .args(["diff", "delta-mail.com", "--store"])
        .arg(&store));
    let table = stdout(&table);
    assert!(table.contains("[data (narrower)]"), "{table}");
    assert!(table.contains("-> removed 2020-05-05"), "{table}");
    assert!(
        table.contains("2019-03-01 (committed 2019-03-02T09:00:00Z) -> 2019-03-01 (committed 2019-03-02T15:00:00Z)"),
        "{table}"
    );
    // Query 20 takes the later version of the day as the latest, and says it was removed.
    let flips = query_csv(&store, &["sale-denial-changes"]);
    assert_eq!(
        flips
            .iter()
            .map(|r| r[..3]
                .iter()
                .cloned()
                .chain([r[5].clone()])
                .collect::<Vec<_>>())
            .collect::<Vec<_>>(),
        vec![vec![
            "delta-mail.com".to_string(),
            "no longer says it does not sell".into(),
            "2019-03-01".into(),
            "2020-05-05".into()
        ]]
    );

    // Again with the same dates: nothing new to read.
    let again = stdout(&build_with(&repo.path, &store, &["--since", "2019-01-01"]));
    assert!(again.contains("commits     0 read"), "{again}");
    // Now every date: the history is read again from the first commit, the 2018 versions are
    // loaded, the three already loaded are kept and the first of delta's now revises its
    // 2018 version; foxtrot's 2019 version turns out to be a re-crawl of its 2018 one and
    // goes, as one run over all dates would not have loaded it.
    let wider = stdout(&build(&repo.path, &store));
    assert!(wider.contains("commits     4 read (after -"), "{wider}");
    assert!(
        wider.contains("re-read     from the first commit"),
        "{wider}"
    );
    assert!(
        wider.contains("6 seen: 2 loaded (0 revising an earlier one, 0 dated by commit, 0 another version of the same day), 1 unchanged text, 0 outside the dates, 3 already loaded"),
        "{wider}"
    );
    assert!(wider.contains("relinked    1 "), "{wider}");
    assert!(wider.contains("dropped     1 "), "{wider}");
    let fox = chain_of(&store, FOXTROT);
    assert_eq!(fox.len(), 1, "{fox:?}");
    assert_eq!(fox[0][1], "2018-02-01");
    let chain = chain_of(&store, DELTA);
    let v0 = format!("{ID}policy/delta-mail.com/2018-01-05");
    let expect = [
        [v0.as_str(), "2018-01-05", ""],
        [v1.as_str(), "2019-03-01", v0.as_str()],
        [v2.as_str(), "2019-03-01", v1.as_str()],
    ];
    assert_eq!(
        chain.iter().map(|r| r[..3].to_vec()).collect::<Vec<_>>(),
        expect.map(|r| r.map(String::from).to_vec()).to_vec()
    );
    assert_eq!(
        chain.iter().filter(|r| !r[3].is_empty()).count(),
        1,
        "only the last version is removed: {chain:?}"
    );
    // And after that, every date is covered: nothing to read.
    let last = stdout(&build(&repo.path, &store));
    assert!(last.contains("commits     0 read"), "{last}");
    assert!(!last.contains("re-read"), "{last}");
    // To look at the store: PRIVACY_KG_KEEP_REPORT=DIR cargo test --release --test history
    if let Some(keep) = std::env::var_os("PRIVACY_KG_KEEP_REPORT").map(PathBuf::from) {
        std::fs::create_dir_all(&keep).unwrap();
        let kept = Command::new("cp")
            .arg("-r")
            .arg(&store)
            .arg(keep.join("kg-delta.db"))
            .status()
            .unwrap();
        assert!(kept.success());
    }
}

/// A folder build of two different documents of one organisation archived the same day:
/// each is its own policy graph, and rebuilding after one changed keeps the other whole.
#[test]
fn same_day_documents_of_a_folder_build_keep_their_own_graphs() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let store = dir.path().join("kg.db");
    let write = |name: &str, body: &[&str]| {
        std::fs::write(
            docs.join(name),
            policy("delta-mail.com", Some("2019-03-01"), body),
        )
        .unwrap()
    };
    write("delta-privacy.md", &[DELTA_EMAIL]);
    write("delta-app-privacy.md", &[DELTA_NO_SALE]);
    let graphs = || {
        query_csv(
            &store,
            &["--sparql", "PREFIX pp: <https://w3id.org/privacy-kg/ns#> PREFIX oa: <http://www.w3.org/ns/oa#> SELECT ?g ?file (COUNT(DISTINCT ?sha) AS ?shas) (GROUP_CONCAT(DISTINCT ?exact; separator=\"|\") AS ?sentences) WHERE { GRAPH ?g { ?g pp:sourceFile ?file ; pp:sha256 ?sha . OPTIONAL { ?q oa:exact ?exact } } } GROUP BY ?g ?file ORDER BY ?file"],
        )
    };
    let build = || {
        let out = run(bin().arg("build").arg(&docs).arg("--store").arg(&store));
        assert!(out.status.success(), "{}", stderr(&out));
    };
    build();
    let first = graphs();
    assert_eq!(first.len(), 2, "two documents, two graphs: {first:?}");
    assert_ne!(first[0][0], first[1][0]);
    let plain = format!("{ID}policy/delta-mail.com/2019-03-01");
    assert!(first.iter().any(|r| r[0] == plain), "{first:?}");
    assert!(
        first
            .iter()
            .all(|r| r[0] == plain || r[0].starts_with(&format!("{plain}-"))),
        "{first:?}"
    );
    assert!(
        first.iter().all(|r| r[2] == "1"),
        "one document per graph: {first:?}"
    );
    assert!(first[0][1].ends_with("delta-app-privacy.md") && first[0][3] == DELTA_NO_SALE);
    assert!(first[1][1].ends_with("delta-privacy.md") && first[1][3] == DELTA_EMAIL);

    // One of them changes: its graph is replaced, the other is untouched.
    write("delta-privacy.md", &[DELTA_CONTACT]);
    build();
    let second = graphs();
    assert_eq!(second.len(), 2, "{second:?}");
    assert_eq!(
        second[0], first[0],
        "the unchanged document keeps its graph"
    );
    assert!(second[1][1].ends_with("delta-privacy.md") && second[1][3] == DELTA_CONTACT);
    assert_eq!(second[1][2], "1");
}
