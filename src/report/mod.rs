//! The store as one self-contained HTML page a researcher can read or put in a paper:
//! practice kinds by prevalence, the most named data types and recipients, prevalence per
//! archive year when the store holds versions over time, and a table of organisations whose
//! counts link to the evidence sentences. Charts are inline SVG drawn with plotters; the
//! page loads nothing from the network.
//!
//! Cross-sections (kinds, data types, recipients, the table) use each organisation's latest
//! version, so an organisation with twenty archived versions counts once; the per-year chart
//! uses every version archived in that year.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use crate::history::cell;
use crate::store::{Store, StoreError};
use crate::vocab::ns;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("drawing a chart: {0}")]
    Chart(String),
    #[error("the store holds no policy: build it first")]
    Empty,
}

/// Report settings.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Title at the top of the page.
    pub title: String,
    /// At most this many organisations in the table (alphabetical); the rest are counted.
    pub max_organisations: usize,
    /// Bars in the data-type and recipient charts.
    pub top: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            title: "Privacy policy practices".into(),
            max_organisations: 500,
            top: 15,
        }
    }
}

/// One policy version and what it states.
#[derive(Debug, Default, Clone)]
struct Version {
    org: String,
    date: Option<String>,
    /// Commit time of a version read from git: orders versions of one day.
    committed: Option<String>,
    /// Day its file was deleted from the repository (`prov:invalidatedAtTime`), if it was.
    removed: Option<String>,
    /// (kind, negated) stated at least once.
    kinds: BTreeSet<(String, bool)>,
}

/// What the page is drawn from.
#[derive(Debug, Default)]
struct Data {
    versions: HashMap<String, Version>,
    org_names: HashMap<String, String>,
    labels: HashMap<String, String>,
    /// Latest version of each organisation.
    latest: BTreeMap<String, String>,
    /// Per latest version: concepts named by affirmed practices, ("data" | "recipient", concept).
    concepts: HashMap<String, BTreeSet<(String, String)>>,
    /// Per latest version: (kind, negated) → evidence sentences in text order.
    evidence: HashMap<String, BTreeMap<(String, bool), Vec<String>>>,
    practices: usize,
}

fn local_name(iri: &str) -> &str {
    iri.rsplit(['/', '#']).next().unwrap_or(iri)
}

fn read(store: &Store) -> Result<Data, StoreError> {
    let pp = ns::PP;
    let mut d = Data::default();
    for r in store.select_union(&format!("SELECT DISTINCT ?policy ?org ?date ?time ?removed WHERE {{ ?policy a <{pp}PrivacyPolicy> ; <{pp}organisation> ?org . OPTIONAL {{ ?policy <{pp}archived> ?date }} OPTIONAL {{ ?policy <{pp}gitCommitTime> ?time }} OPTIONAL {{ ?policy <{prov}invalidatedAtTime> ?removed }} }}", prov = ns::PROV),
    )? {
        let some = |i: usize| Some(cell(&r, i)).filter(|s| !s.is_empty());
        d.versions.insert(
            cell(&r, 0),
            Version {
                org: cell(&r, 1),
                date: some(2),
                committed: some(3),
                removed: some(4).map(|t| t.chars().take(10).collect()),
                kinds: BTreeSet::new(),
            },
        );
    }
    for r in store.select_union(&format!(
            "SELECT ?org (SAMPLE(?name) AS ?n) WHERE {{ {{ ?org <{pp}domain> ?name }} UNION {{ ?org a <{pp}Organisation> ; <{rdfs}label> ?name FILTER NOT EXISTS {{ ?org <{pp}domain> ?d }} }} }} GROUP BY ?org",
            rdfs = ns::RDFS
        ),
    )? {
        d.org_names.insert(cell(&r, 0), cell(&r, 1));
    }
    for r in store.select(&format!(
        "SELECT ?c ?l WHERE {{ GRAPH <{g}> {{ ?c <{skos}prefLabel> ?l FILTER (LANG(?l) = \"\" || LANGMATCHES(LANG(?l), \"en\")) }} }}",
        g = ns::ONTOLOGY_GRAPH,
        skos = ns::SKOS
    ))? {
        d.labels.insert(cell(&r, 0), cell(&r, 1));
    }
    for r in store.select_union(&format!("SELECT ?policy ?kind ?negated (COUNT(?p) AS ?n) WHERE {{ ?p <{pp}statedIn> ?policy ; <{pp}kind> ?kind ; <{pp}negated> ?negated }} GROUP BY ?policy ?kind ?negated"),
    )? {
        if let Some(v) = d.versions.get_mut(&cell(&r, 0)) {
            v.kinds
                .insert((local_name(&cell(&r, 1)).to_string(), cell(&r, 2) == "true"));
        }
        d.practices += cell(&r, 3).parse::<usize>().unwrap_or(0);
    }
    // The latest version of each organisation: the latest dated one (of one day, the last
    // committed), else any.
    type Key = (Option<String>, Option<String>, String);
    let mut latest: BTreeMap<String, Key> = BTreeMap::new();
    for (policy, v) in &d.versions {
        let key = (v.date.clone(), v.committed.clone(), policy.clone());
        match latest.get(&v.org) {
            Some(k) if *k >= key => {}
            _ => {
                latest.insert(v.org.clone(), key);
            }
        }
    }
    d.latest = latest.into_iter().map(|(o, (_, _, p))| (o, p)).collect();
    // Each version's statements are in the graph named after it: reading the latest versions
    // graph by graph touches only them, however many older versions the store holds.
    type ByStart = BTreeMap<i64, String>;
    let mut sentences: HashMap<String, BTreeMap<(String, bool), ByStart>> = HashMap::new();
    for policy in d.latest.values() {
        for r in store.select(&format!(
            "SELECT DISTINCT ?what ?c WHERE {{ GRAPH <{policy}> {{ ?p <{pp}statedIn> <{policy}> ; <{pp}negated> false . {{ ?p <{dpv}hasPersonalData> ?c BIND(\"data\" AS ?what) }} UNION {{ ?p <{dpv}hasRecipient> ?c BIND(\"recipient\" AS ?what) }} }} }}",
            dpv = ns::DPV
        ))? {
            d.concepts
                .entry(policy.clone())
                .or_default()
                .insert((cell(&r, 0), cell(&r, 1)));
        }
        // kind and polarity → start offset → sentence, so sentences come in text order
        let by_kind = sentences.entry(policy.clone()).or_default();
        for r in store.select(&format!(
            "SELECT DISTINCT ?kind ?negated ?exact ?start WHERE {{ GRAPH <{policy}> {{ ?p <{pp}statedIn> <{policy}> ; <{pp}kind> ?kind ; <{pp}negated> ?negated ; <{prov}wasDerivedFrom> ?ev . ?ev <{oa}hasSelector> ?q . ?q <{oa}exact> ?exact . OPTIONAL {{ ?ev <{oa}hasSelector> ?pos . ?pos <{oa}start> ?start }} }} }}",
            prov = ns::PROV,
            oa = ns::OA
        ))? {
            let key = (local_name(&cell(&r, 0)).to_string(), cell(&r, 1) == "true");
            let start = cell(&r, 3).parse::<i64>().unwrap_or(i64::MAX);
            by_kind
                .entry(key)
                .or_default()
                .insert(start, cell(&r, 2));
        }
    }
    d.evidence = sentences
        .into_iter()
        .map(|(p, kinds)| {
            (
                p,
                kinds
                    .into_iter()
                    .map(|(k, s)| (k, s.into_values().collect()))
                    .collect(),
            )
        })
        .collect();
    Ok(d)
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn chart_err(e: impl std::fmt::Display) -> ReportError {
    ReportError::Chart(e.to_string())
}

const STATED: RGBColor = RGBColor(31, 119, 180);
const NEGATED: RGBColor = RGBColor(214, 39, 40);
const FONT: &str = "sans-serif";

/// How a bar chart's axis reads.
#[derive(Debug, Clone, Copy)]
enum Scale {
    /// 0 to 100 percent.
    Percent,
    /// Whole numbers from 0 to the largest value.
    Count,
}

/// A legend in HTML beside a chart (an SVG legend inside the plot hides bars and lines).
fn legend(entries: &[(String, RGBColor)]) -> String {
    let mut out = String::from("<p class=\"legend\">");
    for (name, c) in entries {
        let _ = write!(
            out,
            "<span><i style=\"background:rgb({},{},{})\"></i>{}</span>",
            c.0,
            c.1,
            c.2,
            esc(name)
        );
    }
    out.push_str("</p>");
    out
}

/// Horizontal bars, the first row at the top: one bar per row, or two (stated above,
/// negated below) when rows carry a second value.
fn bars(
    title: &str,
    x_desc: &str,
    rows: &[(String, f64, Option<f64>)],
    scale: Scale,
) -> Result<String, ReportError> {
    let n = rows.len().max(1) as i32;
    let paired = rows.iter().any(|r| r.2.is_some());
    let height = 90 + 24 * n.max(2) as u32 * if paired { 2 } else { 1 };
    let largest = rows
        .iter()
        .map(|r| r.1.max(r.2.unwrap_or(0.0)))
        .fold(0.0f64, f64::max);
    let (max, ticks) = match scale {
        Scale::Percent => (100.0, 11),
        // Whole numbers: one tick per unit up to ten, else about ten.
        Scale::Count => {
            let top = largest.max(1.0).ceil();
            (top, (top as usize + 1).min(11))
        }
    };
    let label_width = rows
        .iter()
        .map(|r| r.0.chars().count())
        .max()
        .unwrap_or(10)
        .clamp(8, 40) as u32
        * 8
        + 16;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (880, height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(label_width)
            // n segments: 0..n-1 inclusive; one row needs a range that is not empty (0..0
            // drew no bar at all), so it gets an empty segment above it
            .build_cartesian_2d(0f64..max, (0..(n - 1).max(1)).into_segmented())
            .map_err(chart_err)?;
        // Row i is drawn at n-1-i so the first row is at the top.
        let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        let formatter = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) if *i >= 0 && *i < n => names[(n - 1 - *i) as usize].clone(),
            _ => String::new(),
        };
        let x_fmt = |x: &f64| match scale {
            Scale::Percent => format!("{x:.0}%"),
            Scale::Count => format!("{x:.0}"),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .bold_line_style(BLACK.mix(0.15))
            .x_labels(ticks)
            .x_label_formatter(&x_fmt)
            .y_labels(rows.len().max(1))
            .y_label_formatter(&formatter)
            .x_desc(x_desc)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .draw()
            .map_err(chart_err)?;
        let at = |i: usize| n - 1 - i as i32;
        chart
            .draw_series(rows.iter().enumerate().map(|(i, r)| {
                let y = at(i);
                let bottom = if paired {
                    SegmentValue::CenterOf(y)
                } else {
                    SegmentValue::Exact(y)
                };
                let mut bar = Rectangle::new(
                    [(0.0, SegmentValue::Exact(y + 1)), (r.1, bottom)],
                    STATED.filled(),
                );
                bar.set_margin(3, if paired { 1 } else { 3 }, 0, 0);
                bar
            }))
            .map_err(chart_err)?;
        if paired {
            chart
                .draw_series(rows.iter().enumerate().map(|(i, r)| {
                    let y = at(i);
                    let mut bar = Rectangle::new(
                        [
                            (0.0, SegmentValue::CenterOf(y)),
                            (r.2.unwrap_or(0.0), SegmentValue::Exact(y)),
                        ],
                        NEGATED.filled(),
                    );
                    bar.set_margin(1, 3, 0, 0);
                    bar
                }))
                .map_err(chart_err)?;
        }
        root.present().map_err(chart_err)?;
    }
    Ok(svg)
}

/// One line per series over the years.
fn lines(title: &str, years: &[i32], series: &[(String, Vec<f64>)]) -> Result<String, ReportError> {
    let (first, last) = (years[0], *years.last().unwrap());
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (880, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(first..last, 0f64..100.0)
            .map_err(chart_err)?;
        let year_fmt = |y: &i32| y.to_string();
        let percent_fmt = |p: &f64| format!("{p:.0}%");
        chart
            .configure_mesh()
            .x_labels((last - first + 1).clamp(2, 12) as usize)
            .x_label_formatter(&year_fmt)
            .y_label_formatter(&percent_fmt)
            .x_desc("archive year")
            .y_desc("% of versions archived that year")
            .light_line_style(WHITE)
            .bold_line_style(BLACK.mix(0.15))
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .draw()
            .map_err(chart_err)?;
        for (i, (_, values)) in series.iter().enumerate() {
            let color = line_colour(i).to_rgba();
            let points: Vec<(i32, f64)> =
                years.iter().copied().zip(values.iter().copied()).collect();
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                .map_err(chart_err)?;
            chart
                .draw_series(points.iter().map(|p| Circle::new(*p, 3, color.filled())))
                .map_err(chart_err)?;
        }
        root.present().map_err(chart_err)?;
    }
    Ok(svg)
}

/// Distinct colours for the lines (Tableau 10), in order.
fn line_colour(i: usize) -> RGBColor {
    const COLOURS: [RGBColor; 10] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(214, 39, 40),
        RGBColor(127, 127, 127),
        RGBColor(188, 189, 34),
        RGBColor(23, 190, 207),
    ];
    COLOURS[i % COLOURS.len()]
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (1000.0 * part as f64 / whole as f64).round() / 10.0
    }
}

const STYLE: &str = "body{font-family:sans-serif;margin:24px auto;max-width:1100px;color:#222;line-height:1.4}
h1{font-size:26px;margin-bottom:4px}h2{font-size:20px;margin-top:36px;border-bottom:1px solid #ccc}
.summary{color:#555}.chart svg{max-width:100%;height:auto}.note{color:#666;font-size:14px}
table{border-collapse:collapse;font-size:13px;width:100%}th,td{border:1px solid #ddd;padding:3px 6px;text-align:right}td{white-space:nowrap}
th:first-child,td:first-child{text-align:left}th{background:#f3f3f3;position:sticky;top:0}
td a{text-decoration:none}.neg{color:#b22}.org h3{font-size:16px;margin:20px 0 4px}
.org li{font-size:14px;margin:2px 0}.kind{font-weight:bold}
.legend span{margin-right:18px;font-size:14px}.legend i{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-1px}";

/// Writes the report of `store` as one HTML page.
pub fn html(store: &Store, options: &ReportOptions) -> Result<String, ReportError> {
    let d = read(store)?;
    if d.versions.is_empty() {
        return Err(ReportError::Empty);
    }
    let orgs = d.latest.len();
    let dates: BTreeSet<&str> = d
        .versions
        .values()
        .filter_map(|v| v.date.as_deref())
        .collect();
    let label = |iri: &str| {
        d.labels
            .get(iri)
            .cloned()
            .unwrap_or_else(|| local_name(iri).to_string())
    };
    let org_name = |org: &str| {
        d.org_names
            .get(org)
            .cloned()
            .unwrap_or_else(|| local_name(org).to_string())
    };

    // Practice kinds among the organisations' latest versions.
    let mut kind_counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for policy in d.latest.values() {
        for (kind, negated) in &d.versions[policy].kinds {
            let e = kind_counts.entry(kind.clone()).or_default();
            if *negated {
                e.1 += 1
            } else {
                e.0 += 1
            }
        }
    }
    let kind_iri = |k: &str| format!("{}{k}", ns::PRACTICE);
    let mut kinds: Vec<(String, usize, usize)> = kind_counts
        .into_iter()
        .map(|(k, (a, n))| (k, a, n))
        .collect();
    kinds.sort_by(|a, b| (b.1 + b.2, b.1).cmp(&(a.1 + a.2, a.1)).then(a.0.cmp(&b.0)));
    let kinds_svg = bars(
        "Practice kinds: share of organisations stating each (latest version)",
        "% of organisations",
        &kinds
            .iter()
            .map(|(k, a, n)| {
                (
                    label(&kind_iri(k)),
                    percent(*a, orgs),
                    Some(percent(*n, orgs)),
                )
            })
            .collect::<Vec<_>>(),
        Scale::Percent,
    )?;
    let kinds_legend = legend(&[
        ("stated".to_string(), STATED),
        ("negated (\"we do not ...\")".to_string(), NEGATED),
    ]);

    // Data types and recipients named by affirmed practices.
    let mut concept_orgs: BTreeMap<(String, String), usize> = BTreeMap::new();
    for set in d.concepts.values() {
        for key in set {
            *concept_orgs.entry(key.clone()).or_default() += 1;
        }
    }
    let top = |what: &str| -> Vec<(String, f64, Option<f64>)> {
        let mut v: Vec<(String, usize)> = concept_orgs
            .iter()
            .filter(|((w, _), _)| w == what)
            .map(|((_, c), n)| (label(c), *n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(options.top);
        v.into_iter().map(|(l, n)| (l, n as f64, None)).collect()
    };
    let data_rows = top("data");
    let recipient_rows = top("recipient");
    let data_svg = bars(
        &format!(
            "Top {} data types collected, used or shared",
            data_rows.len()
        ),
        "organisations (latest version, affirmed practices)",
        &data_rows,
        Scale::Count,
    )?;
    let recipient_svg = bars(
        &format!("Top {} recipients", recipient_rows.len()),
        "organisations (latest version, affirmed practices)",
        &recipient_rows,
        Scale::Count,
    )?;

    // Prevalence per archive year, over all versions of each year.
    let mut per_year: BTreeMap<i32, Vec<&Version>> = BTreeMap::new();
    for v in d.versions.values() {
        if let Some(y) = v.date.as_deref().and_then(|d| d.get(..4)?.parse().ok()) {
            per_year.entry(y).or_default().push(v);
        }
    }
    let years: Vec<i32> = per_year.keys().copied().collect();
    let year_section = if years.len() >= 2 {
        let mut tracked: Vec<(String, bool)> = kinds
            .iter()
            .filter(|k| k.1 > 0)
            .take(5)
            .map(|k| (k.0.clone(), false))
            .collect();
        for k in ["sell", "share"] {
            if kinds.iter().any(|x| x.0 == k && x.2 > 0) {
                tracked.push((k.to_string(), true));
            }
        }
        let series: Vec<(String, Vec<f64>)> = tracked
            .iter()
            .map(|(k, neg)| {
                let name = format!("{}{}", if *neg { "NOT " } else { "" }, label(&kind_iri(k)));
                let values = years
                    .iter()
                    .map(|y| {
                        let vs = &per_year[y];
                        let n = vs
                            .iter()
                            .filter(|v| v.kinds.contains(&(k.clone(), *neg)))
                            .count();
                        percent(n, vs.len())
                    })
                    .collect();
                (name, values)
            })
            .collect();
        let svg = lines("Practice prevalence per archive year", &years, &series)?;
        let counts: Vec<String> = years
            .iter()
            .map(|y| format!("{y}: {}", per_year[y].len()))
            .collect();
        let entries: Vec<(String, RGBColor)> = series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.0.clone(), line_colour(i)))
            .collect();
        format!(
            "<div class=\"chart\">{svg}</div>{}<p class=\"note\">Versions per year — {}.</p>",
            legend(&entries),
            counts.join(", ")
        )
    } else {
        "<p class=\"note\">The store holds versions from fewer than two archive years: no trend to draw. Load a policy history (<code>privacy-kg build --git-history REPO</code>) to see one.</p>".to_string()
    };

    // The organisation table and its evidence.
    let table_kinds: Vec<&str> = kinds.iter().map(|k| k.0.as_str()).collect();
    let mut rows: Vec<(String, &String, &String)> = d
        .latest
        .iter()
        .map(|(org, policy)| (org_name(org), org, policy))
        .collect();
    rows.sort_by(|a, b| {
        a.0.to_lowercase()
            .cmp(&b.0.to_lowercase())
            .then(a.1.cmp(b.1))
    });
    let shown = rows.len().min(options.max_organisations);
    let mut version_counts: HashMap<&str, (usize, Option<&str>)> = HashMap::new();
    for v in d.versions.values() {
        let e = version_counts.entry(v.org.as_str()).or_default();
        e.0 += 1;
        if let Some(date) = v.date.as_deref() {
            if e.1.is_none_or(|f| date < f) {
                e.1 = Some(date);
            }
        }
    }
    let mut table = String::new();
    let mut evidence = String::new();
    table.push_str(
        "<table><thead><tr><th>organisation</th><th>versions</th><th>first</th><th>latest</th>",
    );
    for k in &table_kinds {
        let _ = write!(table, "<th>{}</th>", esc(&label(&kind_iri(k))));
    }
    table.push_str("</tr></thead><tbody>");
    for (i, (name, org, policy)) in rows.iter().take(shown).enumerate() {
        let v = &d.versions[*policy];
        let (count, first) = version_counts[org.as_str()];
        let _ = write!(
            table,
            "<tr><td><a href=\"#org-{i}\">{}</a></td><td>{count}</td><td>{}</td><td>{}{}</td>",
            esc(name),
            first.unwrap_or("–"),
            v.date.as_deref().unwrap_or("–"),
            v.removed
                .as_deref()
                .map(|day| format!(" <span class=\"neg\">(removed {day})</span>"))
                .unwrap_or_default()
        );
        let ev = d.evidence.get(*policy);
        for k in &table_kinds {
            let link = |neg: bool| {
                let n = ev
                    .and_then(|e| e.get(&(k.to_string(), neg)))
                    .map_or(0, Vec::len);
                if n == 0 {
                    String::new()
                } else {
                    format!(
                        "<a class=\"{}\" href=\"#org-{i}-{k}-{}\">{}{n}</a>",
                        if neg { "neg" } else { "" },
                        if neg { "not" } else { "is" },
                        if neg { "¬" } else { "" }
                    )
                }
            };
            let (a, n) = (link(false), link(true));
            let sep = if !a.is_empty() && !n.is_empty() {
                " "
            } else {
                ""
            };
            let _ = write!(table, "<td>{a}{sep}{n}</td>");
        }
        table.push_str("</tr>");

        let _ = write!(
            evidence,
            "<div class=\"org\" id=\"org-{i}\"><h3>{}</h3><p class=\"note\">latest version {}{} — <code>{}</code></p><ul>",
            esc(name),
            v.date.as_deref().unwrap_or("undated"),
            v.removed
                .as_deref()
                .map(|day| format!(", its file deleted from the repository on {day}"))
                .unwrap_or_default(),
            esc(policy)
        );
        if let Some(ev) = ev {
            for ((k, neg), sentences) in ev {
                for (j, s) in sentences.iter().enumerate() {
                    let id = if j == 0 {
                        format!(" id=\"org-{i}-{k}-{}\"", if *neg { "not" } else { "is" })
                    } else {
                        String::new()
                    };
                    let _ = write!(
                        evidence,
                        "<li{id}><span class=\"kind{}\">{}{}</span>: {}</li>",
                        if *neg { " neg" } else { "" },
                        if *neg { "NOT " } else { "" },
                        esc(&label(&kind_iri(k))),
                        esc(&s.split_whitespace().collect::<Vec<_>>().join(" "))
                    );
                }
            }
        } else {
            evidence.push_str("<li>no practice found</li>");
        }
        evidence.push_str("</ul></div>");
    }
    table.push_str("</tbody></table>");
    let more = if rows.len() > shown {
        format!(
            "<p class=\"note\">{} more organisations not listed (raise the limit with <code>--max-organisations</code>).</p>",
            rows.len() - shown
        )
    } else {
        String::new()
    };

    let span = match (dates.first(), dates.last()) {
        (Some(a), Some(b)) => format!(", archived {a} to {b}"),
        _ => String::new(),
    };
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title><style>{STYLE}</style></head><body>\n<h1>{title}</h1>\n<p class=\"summary\">{orgs} organisations, {versions} policy versions{span}, {practices} practices. Made by privacy-kg {version}. Charts of organisations count each organisation's latest version once; ¬ marks negated statements (\"we do not sell\").</p>\n<h2>Practice kinds by prevalence</h2><div class=\"chart\">{kinds_svg}</div>{kinds_legend}\n<h2>Data types and recipients</h2><div class=\"chart\">{data_svg}</div><div class=\"chart\">{recipient_svg}</div>\n<h2>Prevalence per year</h2>{year_section}\n<h2>Organisations</h2><p class=\"note\">Statements of each organisation's latest version, by practice kind; a number links to the evidence sentences below.</p>{table}{more}\n<h2>Evidence</h2>{evidence}\n</body></html>\n",
        title = esc(&options.title),
        versions = d.versions.len(),
        practices = d.practices,
        version = crate::EXTRACTOR_VERSION,
    );
    Ok(page)
}
