//! `policy-audit <log>…`: holds every AWS call the functions logged in the local stack's
//! logs (with `SHOP_AUDIT_AWS_CALLS=1`) against their policies in `template.yaml`; exits
//! non-zero, naming each call, when one is outside its function's policy. `infra/test.sh`
//! runs it on the tests' log.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use local_stack::policy::audit;
use local_stack::template::{self, LocalValues};

fn main() -> ExitCode {
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".into());
    let parameters: BTreeMap<String, String> = std::env::vars()
        .filter_map(|(k, v)| Some((k.strip_prefix("LOCAL_PARAM_")?.to_owned(), v)))
        .collect();
    let local = LocalValues {
        parameters,
        region: region.clone(),
        account: local_stack::ACCOUNT.into(),
        sqs_endpoint: "http://127.0.0.1:5000".into(),
    };
    let template = match template::load(Path::new("template.yaml"), &local) {
        Ok(template) => template,
        Err(e) => {
            eprintln!("policy-audit: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut log = String::new();
    for path in std::env::args().skip(1) {
        match std::fs::read_to_string(&path) {
            Ok(text) => log.push_str(&text),
            Err(e) => {
                eprintln!("policy-audit: {path}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let report = audit(&template, &log, &region, local_stack::ACCOUNT);
    let functions: std::collections::BTreeSet<&str> =
        report.needs.iter().map(|(f, _, _)| f.as_str()).collect();
    println!(
        "policy audit: {} AWS calls of {} functions, {} distinct needs, {} outside their policy",
        report.calls,
        functions.len(),
        report.needs.len(),
        report.violations.len()
    );
    for violation in &report.violations {
        println!("  {}: {}", violation.function, violation.need);
    }
    if report.calls == 0 {
        eprintln!("policy-audit: no AWS call in the log (is SHOP_AUDIT_AWS_CALLS=1 set for the functions?)");
        return ExitCode::FAILURE;
    }
    if report.violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
