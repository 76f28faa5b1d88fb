//! The order to publish workspace crates in: every crate after the members it needs, as cargo does.
//!
//! Only normal and build dependencies count: cargo strips path-only dev-dependencies when packaging, so a
//! dev-dependency cycle (a crate's tests using a crate that depends on it) is fine. Among crates that are ready
//! at the same time the name decides, so the order is the same on every machine.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use cargo_metadata::DependencyKind;

use crate::workspace::orders_publishing;

/// A workspace member and its dependencies on other members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateNode {
    /// The package name.
    pub name: String,
    /// False for `publish = false` members.
    pub publishable: bool,
    /// Dependencies on other members, by package name, with their kind.
    pub dependencies: Vec<(String, DependencyKind)>,
}

/// The publishable crates of `graph`, each after the members it depends on.
///
/// # Errors
///
/// - A publishable crate has a normal or build dependency on a `publish = false` member: it could never be
///   installed from the registry.
/// - The normal and build dependencies form a cycle; the error names the crates on it.
/// - A dependency names a crate that is not in `graph`.
pub fn publish_order(graph: &[CrateNode]) -> Result<Vec<String>> {
    let nodes: BTreeMap<&str, &CrateNode> = graph
        .iter()
        .map(|node| (node.name.as_str(), node))
        .collect();

    let mut unpublishable = Vec::new();
    // For each crate, the members it waits for.
    let mut waits_for: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for node in nodes.values().filter(|node| node.publishable) {
        let mut needs = BTreeSet::new();
        for (dependency, kind) in &node.dependencies {
            if !orders_publishing(*kind) {
                continue;
            }
            let Some(target) = nodes.get(dependency.as_str()) else {
                bail!(
                    "{} depends on {dependency}, which is not a workspace member",
                    node.name
                );
            };
            if target.publishable {
                needs.insert(target.name.as_str());
            } else {
                unpublishable.push(format!("{} -> {dependency}", node.name));
            }
        }
        waits_for.insert(node.name.as_str(), needs);
    }
    if !unpublishable.is_empty() {
        bail!(
            "publishable crates depend on members with `publish = false`: {}",
            unpublishable.join(", ")
        );
    }

    // Kahn's algorithm; the BTreeSet hands out ready crates by name.
    let mut ready: BTreeSet<&str> = waits_for
        .iter()
        .filter(|(_, needs)| needs.is_empty())
        .map(|(name, _)| *name)
        .collect();
    let mut order = Vec::new();
    while let Some(next) = ready.pop_first() {
        waits_for.remove(next);
        order.push(next.to_owned());
        for (name, needs) in &mut waits_for {
            if needs.remove(next) && needs.is_empty() {
                ready.insert(name);
            }
        }
    }
    if !waits_for.is_empty() {
        bail!(
            "dependency cycle among {}",
            on_cycles(&waits_for).join(", ")
        );
    }
    Ok(order)
}

/// The crates left by Kahn's algorithm, less those that only wait behind a cycle without being on one.
fn on_cycles<'a>(left: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Vec<&'a str> {
    let mut left = left.clone();
    loop {
        let needed: BTreeSet<&str> = left.values().flatten().copied().collect();
        let before = left.len();
        left.retain(|name, _| needed.contains(name));
        if left.len() == before {
            return left.into_keys().collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, publishable: bool, dependencies: &[(&str, DependencyKind)]) -> CrateNode {
        CrateNode {
            name: name.to_owned(),
            publishable,
            dependencies: dependencies
                .iter()
                .map(|(name, kind)| ((*name).to_owned(), *kind))
                .collect(),
        }
    }

    use DependencyKind::{Build, Development, Normal};

    #[test]
    fn dependencies_come_first_whatever_the_names_say() {
        // Sorting by name would give a, b, c: exactly backwards.
        let graph = [
            node("a", true, &[("b", Normal)]),
            node("b", true, &[("c", Build)]),
            node("c", true, &[]),
        ];
        assert_eq!(publish_order(&graph).unwrap(), ["c", "b", "a"]);
    }

    #[test]
    fn ties_are_broken_by_name() {
        let graph = [
            node(
                "facade",
                true,
                &[("zeta", Normal), ("alpha", Normal), ("core", Normal)],
            ),
            node("zeta", true, &[("core", Normal)]),
            node("alpha", true, &[("core", Normal)]),
            node("core", true, &[]),
            node("sim", true, &[]),
        ];
        assert_eq!(
            publish_order(&graph).unwrap(),
            ["core", "alpha", "sim", "zeta", "facade"]
        );
    }

    #[test]
    fn dev_dependencies_neither_order_nor_cycle() {
        let graph = [
            node("a", true, &[("b", Normal)]),
            node("b", true, &[("a", Development)]),
        ];
        assert_eq!(publish_order(&graph).unwrap(), ["b", "a"]);
    }

    #[test]
    fn unpublishable_crates_are_left_out() {
        let graph = [
            node("tool", false, &[("a", Normal)]),
            node("a", true, &[]),
            node("tests", false, &[("a", Development)]),
        ];
        assert_eq!(publish_order(&graph).unwrap(), ["a"]);
    }

    #[test]
    fn a_cycle_names_the_crates_on_it() {
        let graph = [
            node("a", true, &[("b", Normal)]),
            node("b", true, &[("c", Normal)]),
            node("c", true, &[("b", Build)]),
            node("d", true, &[]),
        ];
        let message = publish_order(&graph).unwrap_err().to_string();
        assert!(message.contains("cycle among b, c"), "{message}");
    }

    #[test]
    fn a_publishable_crate_may_not_need_an_unpublishable_one() {
        let graph = [
            node("a", true, &[("tool", Normal)]),
            node("tool", false, &[]),
            node("b", true, &[("tool", Development)]),
        ];
        let message = publish_order(&graph).unwrap_err().to_string();
        assert!(message.contains("a -> tool"), "{message}");
        assert!(!message.contains("b -> tool"), "{message}");
    }
}
