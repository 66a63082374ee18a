//! A job's stage graph as inline SVG: stages in columns by their depth (inputs on the
//! left), an arrow for each edge, and the job's outputs after the stages whose rows they
//! are.

use std::collections::HashMap;
use std::sync::Arc;

use maud::{Markup, html};
use pigrs_runtime::stats::{JobRecord, StageStats, Stats, human_bytes};

use super::{colour, duration};

const NODE_W: f64 = 200.0;
const NODE_H: f64 = 74.0;
const GAP_X: f64 = 44.0;
const GAP_Y: f64 = 18.0;
const PAD: f64 = 8.0;
const OUT_H: f64 = 40.0;

/// What a box of the graph shows.
enum Item {
    Stage(Arc<StageStats>),
    /// An output: its location and the stage feeding it.
    Output(String, Option<usize>),
}

/// `text` cut to `max` characters, with an ellipsis in front when cut (the end of a path
/// is the part that tells).
fn fit(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_string();
    }
    let tail: String = text.chars().skip(n + 1 - max).collect();
    format!("…{tail}")
}

/// Words joined by commas into at most `lines` lines of at most `width` characters; the
/// last line ends with an ellipsis when words are left over.
fn wrap(words: &[&str], width: usize, lines: usize) -> Vec<String> {
    if words.is_empty() {
        return vec!["-".to_string()];
    }
    let mut out: Vec<String> = vec![String::new()];
    for (i, w) in words.iter().enumerate() {
        let sep = if i + 1 < words.len() { "," } else { "" };
        let last = out.len() - 1;
        if !out[last].is_empty() && out[last].chars().count() + 1 + w.len() + sep.len() > width {
            if out.len() == lines {
                out[last].push_str(" …");
                return out;
            }
            out.push(String::new());
        }
        let line = out.len() - 1;
        if !out[line].is_empty() {
            out[line].push(' ');
        }
        out[line].push_str(w);
        out[line].push_str(sep);
    }
    out
}

/// The depth of each stage: 0 for a stage nothing feeds, else one more than the deepest
/// stage feeding it (bounded, in case of a cycle).
fn depths(ids: &[usize], edges: &[(usize, usize)]) -> HashMap<usize, usize> {
    let mut depth: HashMap<usize, usize> = ids.iter().map(|&i| (i, 0)).collect();
    for _ in 0..ids.len() {
        let mut changed = false;
        for &(from, to) in edges {
            if let (Some(&f), Some(&t)) = (depth.get(&from), depth.get(&to))
                && t < f + 1
                && f < ids.len()
            {
                depth.insert(to, f + 1);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    depth
}

/// The SVG of one job, under a heading naming it.
pub fn job(job: &JobRecord, stats: &Stats) -> Markup {
    let stages: Vec<Arc<StageStats>> = stats
        .stages()
        .into_iter()
        .filter(|s| job.stages.contains(&s.id))
        .collect();
    let ids: Vec<usize> = stages.iter().map(|s| s.id).collect();
    let edges: Vec<(usize, usize)> = job
        .edges
        .iter()
        .copied()
        .filter(|(f, t)| ids.contains(f) && ids.contains(t))
        .collect();
    let depth = depths(&ids, &edges);
    let last = depth.values().copied().max().unwrap_or(0);
    // Columns of items: stages by depth, then the outputs.
    let mut columns: Vec<Vec<Item>> = (0..=last + 1).map(|_| Vec::new()).collect();
    for s in &stages {
        columns[depth[&s.id]].push(Item::Stage(s.clone()));
    }
    for (location, stage) in &job.outputs {
        columns[last + 1].push(Item::Output(location.clone(), *stage));
    }
    // Each column after the first in the order of what feeds it, so that arrows cross
    // less.
    let mut row_of: HashMap<usize, f64> = HashMap::new();
    for column in &mut columns {
        let key = |item: &Item| -> f64 {
            let feeders: Vec<f64> = match item {
                Item::Stage(s) => edges
                    .iter()
                    .filter(|(_, t)| *t == s.id)
                    .filter_map(|(f, _)| row_of.get(f).copied())
                    .collect(),
                Item::Output(_, stage) => stage
                    .and_then(|s| row_of.get(&s).copied())
                    .into_iter()
                    .collect(),
            };
            if feeders.is_empty() {
                f64::MAX
            } else {
                feeders.iter().sum::<f64>() / feeders.len() as f64
            }
        };
        let mut keyed: Vec<(f64, usize, Item)> = column
            .drain(..)
            .enumerate()
            .map(|(i, item)| (key(&item), i, item))
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (row, (_, _, item)) in keyed.into_iter().enumerate() {
            if let Item::Stage(s) = &item {
                row_of.insert(s.id, row as f64);
            }
            column.push(item);
        }
    }
    let height_of = |column: &[Item]| -> f64 {
        column
            .iter()
            .map(|i| match i {
                Item::Stage(_) => NODE_H,
                Item::Output(..) => OUT_H,
            })
            .sum::<f64>()
            + GAP_Y * column.len().saturating_sub(1) as f64
    };
    let height = columns.iter().map(|c| height_of(c)).fold(0.0, f64::max) + 2.0 * PAD;
    let width = columns.len() as f64 * (NODE_W + GAP_X) - GAP_X + 2.0 * PAD;
    // Where each stage's box is (left, top).
    let mut at: HashMap<usize, (f64, f64)> = HashMap::new();
    let mut placed: Vec<(f64, f64, &Item)> = Vec::new();
    for (c, column) in columns.iter().enumerate() {
        let x = PAD + c as f64 * (NODE_W + GAP_X);
        let mut y = PAD + (height - 2.0 * PAD - height_of(column)) / 2.0;
        for item in column {
            if let Item::Stage(s) = item {
                at.insert(s.id, (x, y));
            }
            placed.push((x, y, item));
            y += GAP_Y
                + match item {
                    Item::Stage(_) => NODE_H,
                    Item::Output(..) => OUT_H,
                };
        }
    }
    let arrow = format!("arrow-{}", job.id);
    let mut links: Vec<(f64, f64, f64, f64)> = edges
        .iter()
        .filter_map(|(f, t)| {
            let (fx, fy) = at.get(f)?;
            let (tx, ty) = at.get(t)?;
            Some((fx + NODE_W, fy + NODE_H / 2.0, *tx, ty + NODE_H / 2.0))
        })
        .collect();
    for (x, y, item) in &placed {
        if let Item::Output(_, Some(stage)) = item
            && let Some((fx, fy)) = at.get(stage)
        {
            links.push((fx + NODE_W, fy + NODE_H / 2.0, *x, y + OUT_H / 2.0));
        }
    }
    let outputs: Vec<String> = job
        .outputs
        .iter()
        .map(|(o, _)| {
            if o == "(dump)" {
                "DUMP".to_string()
            } else {
                format!("STORE {o}")
            }
        })
        .collect();
    html! {
        h3 {
            "Job " (job.id) ": " (outputs.join(", ")) " — " (duration(job.end.saturating_sub(job.start)))
            @if job.failed { " — failed" }
        }
        div.scroll {
            svg.graph data-job=(job.id) xmlns="http://www.w3.org/2000/svg"
                width=(format!("{width:.0}")) height=(format!("{height:.0}"))
                viewBox=(format!("0 0 {width:.0} {height:.0}")) role="img"
                aria-label=(format!("stage graph of job {}", job.id)) {
                defs {
                    marker id=(arrow) viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"
                        markerHeight="7" orient="auto-start-reverse" {
                        path d="M 0 0 L 10 5 L 0 10 z" fill="#8c959f" {}
                    }
                }
                @for (x1, y1, x2, y2) in &links {
                    @let mid = (x1 + x2) / 2.0;
                    path.edge marker-end=(format!("url(#{arrow})"))
                        d=(format!("M {x1:.1} {y1:.1} C {mid:.1} {y1:.1}, {mid:.1} {y2:.1}, {:.1} {y2:.1}", x2 - 2.0)) {}
                }
                @for (x, y, item) in &placed {
                    @match item {
                        Item::Stage(s) => (stage_box(s, *x, *y)),
                        Item::Output(location, _) => (output_box(location, *x, *y)),
                    }
                }
            }
        }
    }
}

/// A stage's box: its number, operator, tasks, records and feature tags.
fn stage_box(s: &StageStats, x: f64, y: f64) -> Markup {
    let ran = s.ran();
    let tags = s.features();
    let features = tags.join(", ");
    let tasks = if s.tasks == 1 { "task" } else { "tasks" };
    let records = if ran {
        // Compact counts (`2.74M`): the table below has them in full.
        format!(
            "{} {tasks} · {} → {} recs",
            s.tasks,
            human_bytes(s.records_in()),
            human_bytes(s.records_out())
        )
    } else {
        format!("{} {tasks} · not run", s.tasks)
    };
    let tip = format!(
        "stage {} {}: {} {tasks}, {} records in, {} out; combiner {} in, {} out; features: {}",
        s.id,
        s.name,
        s.tasks,
        s.records_in(),
        s.records_out(),
        s.combine_in(),
        s.combine_out(),
        if features.is_empty() { "-" } else { &features },
    );
    html! {
        g.node.idle[!ran] data-stage=(s.id) transform=(format!("translate({x:.1},{y:.1})")) {
            title { (tip) }
            rect width=(NODE_W) height=(NODE_H) rx="6" fill=(colour(s.id)) fill-opacity="0.16" {}
            rect width="6" height=(NODE_H) rx="2" fill=(colour(s.id)) stroke="none" {}
            text x="14" y="19" font-size="13" font-weight="600" fill="#1f2328" {
                (s.id) " " (fit(s.name, 24))
            }
            text x="14" y="37" font-size="11.5" fill="#1f2328" { (fit(&records, 30)) }
            @for (i, line) in wrap(&tags, 30, 2).iter().enumerate() {
                text x="14" y=(53 + 13 * i) font-size="10.5" fill="#656d76" { (line) }
            }
        }
    }
}

/// An output's box: the STORE's location, or standard output for a DUMP.
fn output_box(location: &str, x: f64, y: f64) -> Markup {
    let (what, text) = if location == "(dump)" {
        ("DUMP", "standard output".to_string())
    } else {
        ("STORE", fit(location, 28))
    };
    html! {
        g.out transform=(format!("translate({x:.1},{y:.1})")) {
            title { (what) " " (location) }
            rect width=(NODE_W) height=(OUT_H) rx="20" {}
            text x="16" y="16" font-size="10.5" fill="#1f883d" font-weight="600" { (what) }
            text x="16" y="31" font-size="12" fill="#1f2328" { (text) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_is_the_longest_path_from_an_input() {
        let d = depths(&[1, 2, 3, 4], &[(1, 3), (2, 3), (3, 4), (1, 4)]);
        assert_eq!((d[&1], d[&2], d[&3], d[&4]), (0, 0, 1, 2));
        let cycle = depths(&[1, 2], &[(1, 2), (2, 1)]);
        assert!(cycle[&1] <= 2 && cycle[&2] <= 2, "bounded: {cycle:?}");
    }

    #[test]
    fn tags_wrap_on_two_lines() {
        assert_eq!(wrap(&[], 10, 2), ["-"]);
        assert_eq!(wrap(&["FILTER", "FOREACH"], 30, 2), ["FILTER, FOREACH"]);
        assert_eq!(
            wrap(&["GROUP_BY", "COMBINER", "FOREACH", "TOP_K"], 19, 2),
            ["GROUP_BY, COMBINER,", "FOREACH, TOP_K"]
        );
        assert_eq!(wrap(&["AAAA", "BBBB", "CCCC"], 5, 2), ["AAAA,", "BBBB, …"]);
    }

    #[test]
    fn fit_keeps_the_end() {
        assert_eq!(fit("abc", 3), "abc");
        assert_eq!(fit("out/a/b/c", 5), "…/b/c");
    }
}
