//! The document's operations as `(method, templated path)` pairs, and the matcher from a concrete
//! request (`GET /api/v1/workspaces/3f…`) to the operation it calls.
//!
//! A concrete path can fit several templates (`/api/v1/workspaces/stats` fits both `/stats` and
//! `/{workspace_id}`); the matcher prefers a literal segment over a parameter at the first place they
//! differ, as Airbyte's router does. Only templates that declare the method are candidates, so
//! `DELETE /api/v1/workspaces/stats` reaches `DELETE /{workspace_id}` (whose `uuid` parameter then
//! fails), again as Airbyte's router would route it.

use std::sync::LazyLock;

use percent_encoding::percent_decode_str;

use crate::document;

/// One operation of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Operation {
    /// Lowercase, as the document's keys (`get`, `post`, …).
    pub method: &'static str,
    /// The path as templated in the document (`/api/v1/workspaces/{workspace_id}`).
    pub path: &'static str,
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method.to_uppercase(), self.path)
    }
}

/// A concrete request matched to its operation, with the path parameters' values (percent-decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub operation: Operation,
    pub path_params: Vec<(&'static str, String)>,
}

#[derive(Debug)]
enum Segment {
    Literal(&'static str),
    Param(&'static str),
}

#[derive(Debug)]
struct Template {
    path: &'static str,
    segments: Vec<Segment>,
    methods: Vec<&'static str>,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

static TEMPLATES: LazyLock<Vec<Template>> = LazyLock::new(|| {
    let Some(paths) = document()["paths"].as_object() else {
        return Vec::new();
    };
    paths
        .iter()
        .map(|(path, item)| Template {
            path: path.as_str(),
            segments: path
                .split('/')
                .map(
                    |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Segment::Param(name),
                        None => Segment::Literal(s),
                    },
                )
                .collect(),
            methods: METHODS
                .into_iter()
                .filter(|m| item[*m].is_object())
                .collect(),
        })
        .collect()
});

/// Every operation of the document, in the document's order.
pub fn operations() -> Vec<Operation> {
    TEMPLATES
        .iter()
        .flat_map(|t| {
            t.methods.iter().map(|method| Operation {
                method,
                path: t.path,
            })
        })
        .collect()
}

/// The operation `method path` calls (`path` without its query), or `None` when the document has no
/// operation for it.
pub fn match_operation(method: &str, path: &str) -> Option<Matched> {
    let method = method.to_ascii_lowercase();
    let concrete: Vec<&str> = path.split('/').collect();
    let mut best: Option<(&Template, Vec<bool>)> = None;
    for template in TEMPLATES.iter() {
        if template.segments.len() != concrete.len()
            || !template.methods.iter().any(|m| *m == method)
        {
            continue;
        }
        let fits = template
            .segments
            .iter()
            .zip(&concrete)
            .all(|(segment, value)| match segment {
                Segment::Literal(literal) => literal == value,
                Segment::Param(_) => !value.is_empty(),
            });
        if !fits {
            continue;
        }
        // Literal-ness per segment: the lexicographically greatest wins (a literal at the first
        // difference beats a parameter).
        let rank: Vec<bool> = template
            .segments
            .iter()
            .map(|s| matches!(s, Segment::Literal(_)))
            .collect();
        if best.as_ref().is_none_or(|(_, best_rank)| rank > *best_rank) {
            best = Some((template, rank));
        }
    }
    let (template, _) = best?;
    let method = template.methods.iter().find(|m| **m == method)?;
    let path_params = template
        .segments
        .iter()
        .zip(&concrete)
        .filter_map(|(segment, value)| match segment {
            Segment::Param(name) => Some((
                *name,
                percent_decode_str(value).decode_utf8_lossy().into_owned(),
            )),
            Segment::Literal(_) => None,
        })
        .collect();
    Some(Matched {
        operation: Operation {
            method,
            path: template.path,
        },
        path_params,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_win_over_parameters() {
        let stats = match_operation("GET", "/api/v1/workspaces/stats").unwrap();
        assert_eq!(stats.operation.path, "/api/v1/workspaces/stats");
        assert!(stats.path_params.is_empty());
        let one = match_operation(
            "GET",
            "/api/v1/workspaces/3fa85f64-5717-4562-b3fc-2c963f66afa6",
        )
        .unwrap();
        assert_eq!(one.operation.path, "/api/v1/workspaces/{workspace_id}");
        assert_eq!(
            one.path_params,
            [(
                "workspace_id",
                "3fa85f64-5717-4562-b3fc-2c963f66afa6".to_owned()
            )]
        );
        let check = match_operation("POST", "/api/v1/integrations/connectors/check").unwrap();
        assert_eq!(
            check.operation.path,
            "/api/v1/integrations/connectors/check"
        );
        let cron = match_operation(
            "post",
            "/api/v1/integrations/templates/connections/cron/describe",
        )
        .unwrap();
        assert_eq!(
            cron.operation.to_string(),
            "POST /api/v1/integrations/templates/connections/cron/describe"
        );
    }

    #[test]
    fn the_method_picks_among_fitting_templates() {
        // Only {workspace_id} declares DELETE, so "stats" is taken as the id (and will fail uuid).
        let m = match_operation("DELETE", "/api/v1/workspaces/stats").unwrap();
        assert_eq!(m.operation.path, "/api/v1/workspaces/{workspace_id}");
        assert_eq!(m.path_params, [("workspace_id", "stats".to_owned())]);
        assert_eq!(match_operation("PATCH", "/api/v1/workspaces"), None);
    }

    #[test]
    fn other_paths_are_not_operations() {
        for path in [
            "/api/v1/embedded/sources",
            "/_mock/health",
            "/api/v1/workspaces/",
            "/api/v1/workspaces//x",
            "/widget.js",
            "/",
        ] {
            assert_eq!(match_operation("GET", path), None, "{path}");
        }
    }

    #[test]
    fn parameters_are_percent_decoded() {
        let m = match_operation(
            "DELETE",
            "/api/v1/oauth/credentials/connector_type/source%2Dgithub",
        )
        .unwrap();
        assert_eq!(
            m.path_params,
            [("connector_type", "source-github".to_owned())]
        );
    }

    #[test]
    fn every_operation_is_listed() {
        let all = operations();
        assert_eq!(all.len(), 34);
        for op in &all {
            let concrete = op.path.replace(['{', '}'], "");
            assert_eq!(
                match_operation(op.method, &concrete).map(|m| m.operation),
                Some(*op),
                "{op}"
            );
        }
    }
}
