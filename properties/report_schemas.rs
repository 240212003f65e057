//! The JSON reports validate against their committed schemas (`schemas/`), on real output of every fixture pair.

use crate::support;
use lookcoin_state::core::compare::compare;
use lookcoin_state::core::network::NetworkTable;
use lookcoin_state::core::reports::comparison::CompareReport;
use lookcoin_state::pipeline::load::load_source;
use lookcoin_state::report::json::compare_value;
use serde_json::Value;

fn schema(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(support::root().join("schemas").join(name)).expect("schema file");
    let value: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::draft202012::new(&value).expect("schema compiles")
}

#[test]
fn compare_json_of_every_fixture_pair_matches_its_schema() {
    let validator = schema("compare-report.schema.json");
    let left_dir = support::fixture_copy("realistic");
    let left = load_source(left_dir.path(), None).expect("realistic loads");
    for fixture in ["v1", "v3", "openzeppelin"] {
        let right = load_source(&support::root().join("fixtures").join(fixture), None).expect("fixture loads");
        let report = CompareReport::build(&left, &right, compare(&left, &right), &NetworkTable::builtin());
        let value = compare_value(&report);
        let errors: Vec<String> =
            validator.iter_errors(&value).map(|e| format!("{}: {e}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{fixture}: {errors:#?}");
        assert!(!report.discrepancies.is_empty(), "{fixture} plants discrepancies, so the items are validated too");
    }
}

#[test]
fn the_compare_schema_rejects_an_unknown_kind() {
    let validator = schema("compare-report.schema.json");
    let left_dir = support::fixture_copy("realistic");
    let left = load_source(left_dir.path(), None).expect("realistic loads");
    let right = load_source(&support::root().join("fixtures/v3"), None).expect("fixture loads");
    let report = CompareReport::build(&left, &right, compare(&left, &right), &NetworkTable::builtin());
    let mut value = compare_value(&report);
    value["discrepancies"][0]["kind"] = Value::String("mismatch".into());
    assert!(!validator.is_valid(&value));
}
