//! A fuzzer for the pigrs front end and planner, on the stable toolchain.
//!
//! Inputs come from a grammar-aware generator of mostly valid scripts ([`generate`]) and
//! from mutations ([`mutate`]) of a seed corpus (the shared conformance scripts and
//! `scripts/*.pig`). Each input goes through [`target::run_one`]; any panic is a bug.
//! The `pigrs-fuzz` binary drives it for a time budget; the crate's tests run it briefly
//! with fixed seeds and replay `fuzz/regressions/`.

use std::path::{Path, PathBuf};

use fastrand::Rng;

pub mod generate;
pub mod mutate;
pub mod target;

/// One seed script with the parameters it is run with.
#[derive(Clone, Debug)]
pub struct Seed {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// `-- params: k=v ...` header values plus defaults for `$in`/`$out`.
    pub params: Vec<(String, String)>,
}

/// Parameters a seed script is run with: its `-- params:` header plus common defaults.
pub fn params_for(text: &str) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| l.strip_prefix("-- params:"))
        .flat_map(str::split_whitespace)
        .filter_map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    for k in ["in", "out", "restrictions", "input", "output"] {
        if params.iter().all(|(p, _)| p != k) {
            params.push((k.to_string(), format!("data/{k}")));
        }
    }
    params
}

/// The crate's folder (`fuzz/`).
pub fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The seed corpus: `../../shared/conformance/cases/*/*/script.pig` relative to this crate
/// (the shared folder beside the repository), then the repository's `scripts/*.pig`.
/// Missing folders are skipped.
pub fn load_corpus() -> Vec<Seed> {
    let mut paths = Vec::new();
    let cases = crate_dir().join("../../shared/conformance/cases");
    if let Ok(groups) = std::fs::read_dir(&cases) {
        for g in groups.flatten() {
            if let Ok(cs) = std::fs::read_dir(g.path()) {
                paths.extend(cs.flatten().map(|c| c.path().join("script.pig")));
            }
        }
    }
    if let Ok(scripts) = std::fs::read_dir(crate_dir().join("../scripts")) {
        paths.extend(
            scripts
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "pig")),
        );
    }
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let params = params_for(&text);
            Some(Seed { path, text, params })
        })
        .collect()
}

/// The inputs in `fuzz/regressions/` (every `.pig` file), sorted by name.
pub fn load_regressions() -> Vec<Seed> {
    let mut out: Vec<Seed> = std::fs::read_dir(crate_dir().join("regressions"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pig"))
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let params = params_for(&text);
            Some(Seed { path, text, params })
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Where the next input comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A freshly generated script.
    Generated,
    /// A generated script, mutated.
    MutatedGenerated,
    /// A corpus script, mutated.
    MutatedCorpus,
    /// A corpus script as it is.
    Corpus,
}

/// Makes fuzz inputs from a seeded PRNG.
pub struct InputMaker {
    rng: Rng,
    corpus: Vec<Seed>,
    funcs: Vec<&'static str>,
}

impl InputMaker {
    /// An input maker seeded with `seed`, mutating `corpus`.
    pub fn new(seed: u64, corpus: Vec<Seed>) -> Self {
        let mut funcs = pigrs_udf::func::builtin_names();
        // Unknown and near-miss names too.
        funcs.extend([
            "NoSuchFunc",
            "count",
            "org.apache.pig.builtin.COUNT",
            "MyUpper",
        ]);
        InputMaker {
            rng: Rng::with_seed(seed),
            corpus,
            funcs,
        }
    }

    /// The next input: its text, its parameters, and where it came from.
    pub fn next_input(&mut self) -> (String, Vec<(String, String)>, Source) {
        let roll = self.rng.u8(..20);
        let source = if self.corpus.is_empty() {
            if roll < 12 {
                Source::Generated
            } else {
                Source::MutatedGenerated
            }
        } else {
            match roll {
                0..=6 => Source::Generated,
                7..=10 => Source::MutatedGenerated,
                11 => Source::Corpus,
                _ => Source::MutatedCorpus,
            }
        };
        match source {
            Source::Generated | Source::MutatedGenerated => {
                let max = 1 + self.rng.usize(..25);
                let g = generate::Generator::new(&mut self.rng, &self.funcs).script(max);
                if source == Source::Generated {
                    (g.script, g.params, source)
                } else {
                    let other = self.other();
                    let text = mutate::mutate(&mut self.rng, &g.script, &other);
                    (text, g.params, source)
                }
            }
            Source::Corpus | Source::MutatedCorpus => {
                let seed = self.corpus[self.rng.usize(..self.corpus.len())].clone();
                if source == Source::Corpus {
                    (seed.text, seed.params, source)
                } else {
                    let other = self.other();
                    let text = mutate::mutate(&mut self.rng, &seed.text, &other);
                    (text, seed.params, source)
                }
            }
        }
    }

    fn other(&mut self) -> String {
        if self.corpus.is_empty() {
            String::new()
        } else {
            self.corpus[self.rng.usize(..self.corpus.len())]
                .text
                .clone()
        }
    }
}
