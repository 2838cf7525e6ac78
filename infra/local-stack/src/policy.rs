//! The policy audit: every AWS call a function made, as its log says (see
//! `shop::audit`), held against the `Allow` statements `template.yaml` gives that
//! function. IAM's rules, as far as these policies use them: an action and a resource
//! must both match one statement (`*` matches anything); a statement with a
//! `dynamodb:LeadingKeys` condition matches only keys whose partition key is like one of
//! its patterns (the log gives a key's kind, `ADDRESSES#*`, so patterns are kinds too).
//! A call whose key the log does not give (a put's item) is matched without the
//! condition.

use std::collections::{BTreeMap, BTreeSet};

use crate::template::{Statement, Template};

/// One call a function made that its policy does not allow.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// The function (logical id).
    pub function: String,
    /// The need, as logged.
    pub need: String,
}

/// What the audit found.
#[derive(Debug, Default)]
pub struct Report {
    /// Calls read from the log.
    pub calls: usize,
    /// Distinct (function, action, resource) needs checked.
    pub needs: BTreeSet<(String, String, String)>,
    /// Needs outside their function's policy.
    pub violations: BTreeSet<Violation>,
}

/// `*`-wildcard matching, as IAM's `StringLike` and resource ARNs use it.
pub fn like(pattern: &str, value: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == value,
        Some((head, rest)) => {
            let Some(tail) = value.strip_prefix(head) else {
                return false;
            };
            (0..=tail.len())
                .filter(|i| tail.is_char_boundary(*i))
                .any(|i| like(rest, &tail[i..]))
        }
    }
}

/// Audits the log lines of the local stack (`[<Function>] {json}`).
pub fn audit(template: &Template, log: &str, region: &str, account: &str) -> Report {
    let hash_keys: BTreeMap<String, String> = template
        .tables
        .iter()
        .filter_map(|t| {
            let hash = t.properties["KeySchema"]
                .as_array()?
                .iter()
                .find(|k| k["KeyType"] == "HASH")?["AttributeName"]
                .as_str()?
                .to_owned();
            Some((t.name.clone(), hash))
        })
        .collect();
    let policies: BTreeMap<&str, &[Statement]> = template
        .functions
        .iter()
        .map(|f| (f.name.as_str(), f.policy.as_slice()))
        .collect();
    let mut report = Report::default();
    for line in log.lines() {
        let Some((function, json)) = line
            .strip_prefix('[')
            .and_then(|rest| rest.split_once("] "))
        else {
            continue;
        };
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(json) else {
            continue;
        };
        if entry["fields"]["message"] != "aws call" {
            continue;
        }
        let Some(policy) = policies.get(function) else {
            continue;
        };
        report.calls += 1;
        for need in entry["fields"]["needs"]
            .as_str()
            .unwrap_or_default()
            .split(';')
        {
            let mut parts = need.split(' ');
            let (action, resource) = (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            );
            let pairs: BTreeMap<&str, &str> = parts.filter_map(|p| p.split_once('=')).collect();
            let (arn, key) = match action.split_once(':').map(|(s, _)| s) {
                Some("dynamodb") => {
                    let table = resource.split('/').next().unwrap_or_default();
                    let key = hash_keys
                        .get(table)
                        .and_then(|hash| pairs.get(hash.as_str()).copied());
                    (
                        format!("arn:aws:dynamodb:{region}:{account}:table/{resource}"),
                        key,
                    )
                }
                Some("sqs") => (format!("arn:aws:sqs:{region}:{account}:{resource}"), None),
                Some("ses") => (format!("arn:aws:ses:{region}:{account}:{resource}"), None),
                Some("s3") => (format!("arn:aws:s3:::{resource}"), None),
                _ => (resource.to_owned(), None),
            };
            report
                .needs
                .insert((function.to_owned(), action.to_owned(), resource.to_owned()));
            if !allowed(policy, action, &arn, key) {
                report.violations.insert(Violation {
                    function: function.to_owned(),
                    need: format!(
                        "{action} on {arn}{}",
                        key.map(|k| format!(" (key {k})")).unwrap_or_default()
                    ),
                });
            }
        }
    }
    report
}

fn allowed(policy: &[Statement], action: &str, arn: &str, key: Option<&str>) -> bool {
    policy.iter().any(|statement| {
        statement.actions.iter().any(|a| like(a, action))
            && statement.resources.iter().any(|r| like(r, arn))
            && match (&statement.leading_keys, key) {
                (Some(patterns), Some(key)) => patterns.iter().any(|p| like(p, key)),
                _ => true,
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Function, Table};

    fn function(policy: Vec<Statement>) -> Function {
        Function {
            name: "AddressesFunction".into(),
            binary: "x".into(),
            environment: Default::default(),
            timeout_secs: 3,
            memory_mb: 128,
            reserved_concurrency: None,
            routes: vec![],
            sqs: vec![],
            streams: vec![],
            schedules: vec![],
            policy,
        }
    }

    #[test]
    fn wildcards_match_as_iam_does() {
        assert!(like("ADDRESSES#*", "ADDRESSES#01J"));
        assert!(!like("ADDRESSES#*", "USER#01J"));
        assert!(like(
            "arn:aws:dynamodb:r:a:table/goods/index/*",
            "arn:aws:dynamodb:r:a:table/goods/index/by_x"
        ));
        assert!(like("dynamodb:*", "dynamodb:GetItem"));
        assert!(!like("dynamodb:GetItem", "dynamodb:GetItems"));
    }

    #[test]
    fn a_call_outside_the_policy_or_its_leading_keys_is_reported() {
        let table_arn = "arn:aws:dynamodb:r:a:table/users".to_owned();
        let template = Template {
            functions: vec![function(vec![Statement {
                actions: vec!["dynamodb:GetItem".into()],
                resources: vec![table_arn],
                leading_keys: Some(vec!["ADDRESSES#*".into()]),
            }])],
            tables: vec![Table {
                name: "users".into(),
                properties: serde_json::json!({"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}),
            }],
            ..Template::default()
        };
        let line = |needs: &str| {
            format!(
                r#"[AddressesFunction] {{"fields":{{"message":"aws call","needs":"{needs}"}}}}"#
            )
        };
        let log = [
            line("dynamodb:GetItem users pk=ADDRESSES#*"),
            line("dynamodb:GetItem users pk=USER#*"),
            line("dynamodb:DeleteItem users pk=ADDRESSES#*"),
            "[AddressesFunction] not json".to_owned(),
        ]
        .join("\n");
        let report = audit(&template, &log, "r", "a");
        assert_eq!(report.calls, 3);
        let found: Vec<String> = report.violations.iter().map(|v| v.need.clone()).collect();
        assert_eq!(
            found,
            [
                "dynamodb:DeleteItem on arn:aws:dynamodb:r:a:table/users (key ADDRESSES#*)",
                "dynamodb:GetItem on arn:aws:dynamodb:r:a:table/users (key USER#*)",
            ]
        );
    }
}
