//! The core's top-level modules depend one way: no module reaches, directly
//! or through others, back to itself. A cycle means two ideas that cannot be
//! read, tested or moved apart; this test names the modules of any cycle and
//! the files that close it.
//!
//! The graph is read from the sources: every `crate::<module>` path (in a
//! `use` or inline, grouped or not) in a file of one top-level module is an
//! edge to that module, and a name the crate root re-exports counts as an
//! edge to the module it comes from.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

#[test]
fn the_core_modules_depend_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = module_graph(&src);
    assert!(
        graph.len() >= 20,
        "read too few modules: {:?}",
        graph.keys()
    );
    let cycles = cycles(&graph);
    if !cycles.is_empty() {
        let mut report = String::new();
        for cycle in &cycles {
            report.push_str(&format!("cycle between {cycle:?}:\n"));
            for from in cycle {
                for (to, files) in &graph[from] {
                    if cycle.contains(to) {
                        report.push_str(&format!("  {from} -> {to} in {files:?}\n"));
                    }
                }
            }
        }
        panic!("the core's modules must depend one way\n{report}");
    }
}

#[test]
fn the_check_finds_a_cycle() {
    let mut graph = Graph::new();
    for (from, to) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        graph
            .entry(from.into())
            .or_default()
            .entry(to.into())
            .or_default()
            .insert(format!("{from}.rs"));
    }
    graph.entry("d".into()).or_default();
    assert_eq!(cycles(&graph), vec![vec!["a", "b", "c"]]);
    graph.get_mut("c").unwrap().remove("a");
    assert!(cycles(&graph).is_empty());
}

#[test]
fn paths_are_read_in_every_form() {
    let modules: BTreeSet<String> = ["orders", "billing", "services", "jobs"]
        .map(String::from)
        .into();
    let reexports = BTreeMap::from([("Settings".to_string(), "services".to_string())]);
    let source = "use crate::{Settings, billing::invoice, jobs};\n\
                  fn f() { crate::orders::find(); } // crate::staff::Role\n";
    let found = referenced_modules(source, &modules, &reexports);
    assert_eq!(
        found,
        ["billing", "jobs", "orders", "services"]
            .map(String::from)
            .into()
    );
}

/// For each top-level module, the modules it names and the files naming them.
fn module_graph(src: &Path) -> Graph {
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let modules: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect();
    let reexports = root_reexports(&lib);
    let mut graph = Graph::new();
    for module in &modules {
        let edges = graph.entry(module.clone()).or_default();
        for file in module_files(src, module) {
            let source = std::fs::read_to_string(&file).expect("source");
            for to in referenced_modules(&source, &modules, &reexports) {
                if &to != module {
                    let name = file.strip_prefix(src).unwrap().display().to_string();
                    edges.entry(to).or_default().insert(name);
                }
            }
        }
    }
    graph
}

/// `pub use services::{Billing, ...};` at the crate root: each name to its module.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for statement in lib.split(';') {
        let Some(rest) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, list)) = rest.split_once("::") else {
            continue;
        };
        for name in list
            .trim_matches(|c| c == '{' || c == '}' || char::is_whitespace(c))
            .split(',')
        {
            let name = name.trim();
            if !name.is_empty() {
                names.insert(name.to_string(), module.to_string());
            }
        }
    }
    names
}

fn module_files(src: &Path, module: &str) -> Vec<PathBuf> {
    let file = src.join(format!("{module}.rs"));
    let mut files = Vec::new();
    if file.exists() {
        files.push(file);
    }
    let dir = src.join(module);
    if dir.is_dir() {
        let mut stack = vec![dir];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).expect("dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
    }
    files
}

/// The top-level modules `source` names through `crate::`, outside comments.
fn referenced_modules(
    source: &str,
    modules: &BTreeSet<String>,
    reexports: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let mut name = |ident: &str| {
        if modules.contains(ident) {
            found.insert(ident.to_string());
        } else if let Some(module) = reexports.get(ident) {
            found.insert(module.clone());
        }
    };
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            // Nested groups (`a::{b, c}`) close early, which only drops inner names.
            for part in group.split(',') {
                name(leading_ident(part.trim()));
            }
        } else {
            name(leading_ident(rest));
        }
    }
    found
}

fn leading_ident(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The strongly connected components of more than one module (Tarjan's
/// algorithm), each sorted.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct Walk<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        found: Vec<Vec<String>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, v: &'g str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            for w in self.graph.get(v).into_iter().flat_map(|e| e.keys()) {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.stack.contains(&w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let at = self.stack.iter().rposition(|&m| m == v).expect("on stack");
                let mut component: Vec<String> = self.stack.drain(at..).map(String::from).collect();
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for module in graph.keys() {
        if !walk.index.contains_key(module.as_str()) {
            walk.visit(module);
        }
    }
    walk.found
}
