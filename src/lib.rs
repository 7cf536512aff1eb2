//! privacy-kg turns website privacy policies into an RDF knowledge graph.
//!
//! The stages run in one direction, each a module with plain data types between them:
//!
//! ```text
//! corpus ─▶ text ─▶ extract ─▶ graph ─▶ store ─▶ query | export
//! ```
//!
//! [`corpus`] finds and decodes inputs into [`corpus::Document`]s, [`text`] segments a
//! document into sentences with offsets ([`text::Segmented`]), [`extract`] finds practices
//! using the lexicon compiled by [`vocab`] from the ontology ([`extract::Extraction`]),
//! [`graph`] turns an extraction into quads with deterministic IRIs and provenance,
//! [`store`] loads them into Oxigraph, and [`query`] / [`export`] read the store back.
//! [`pipeline`] wires the per-document stages together for the command line, [`run_report`]
//! tells what a run skipped and warned about, [`history`] loads policy histories from git and
//! compares versions, [`report`] draws the store as an HTML page, [`eval`] measures the
//! extractor against public gold standards, and [`bench`] measures speed and memory at scale.
//! [`publish`] records each build's provenance and describes the dataset (VoID/DCAT),
//! [`validate`] checks the store against the SHACL shapes and [`serve`] answers SPARQL over
//! HTTP.

pub mod bench;
pub mod cli;
pub mod corpus;
pub mod eval;
pub mod export;
pub mod extract;
pub mod graph;
pub mod history;
pub mod pipeline;
pub mod publish;
pub mod query;
pub mod report;
pub mod run_report;
pub mod serve;
pub mod store;
#[cfg(test)]
mod testing;
pub mod text;
pub mod validate;
pub mod vocab;

/// The version written into every policy graph: a store built by another version is rebuilt.
pub const EXTRACTOR_VERSION: &str = env!("CARGO_PKG_VERSION");
