//! The HAR report (`--report-har`): valid against the HAR 1.2 schema (written from the
//! format's field list, `tests/schemas/har-1.2.schema.json`), one entry per exchange of the
//! run, each naming its trial; the run that writes it is the encoded-secrets run of
//! `secrets.rs`, which holds the file to no secret in any encoding, as every other output.

use std::collections::BTreeSet;

use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/schemas/har-1.2.schema.json"
    );
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("the schema")).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .offline()
        .build(&schema)
        .expect("the HAR schema compiles")
}

#[test]
fn the_schema_refuses_what_har_does_not_allow() {
    let validator = validator();
    let entry = serde_json::json!({
        "startedDateTime": "2026-01-01T00:00:00.000Z", "time": 1.5,
        "request": {"method": "GET", "url": "http://h/a", "httpVersion": "HTTP/1.1",
            "cookies": [], "headers": [], "queryString": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1",
            "cookies": [], "headers": [], "content": {"size": 0, "mimeType": ""},
            "redirectURL": "", "headersSize": -1, "bodySize": 0},
        "cache": {}, "timings": {"send": 0, "wait": 1.5, "receive": 0},
        "_trial": "a::b"
    });
    let har = |entry: Value| {
        serde_json::json!({"log": {"version": "1.2",
            "creator": {"name": "t", "version": "1"}, "entries": [entry]}})
    };
    assert!(validator.is_valid(&har(entry.clone())));
    let mut no_timings = entry.clone();
    no_timings.as_object_mut().unwrap().remove("timings");
    assert!(!validator.is_valid(&har(no_timings)));
    let mut unknown = entry.clone();
    unknown["trial"] = Value::from("a::b");
    assert!(
        !validator.is_valid(&har(unknown)),
        "only _ names are custom"
    );
    let mut bad_time = entry;
    bad_time["startedDateTime"] = Value::from("yesterday");
    assert!(!validator.is_valid(&har(bad_time)));
}

/// What a run's HAR file (`text`) must be, beside its JSON report (`json`): valid HAR 1.2,
/// one entry per exchange the report lists, each naming its trial and its page, request
/// bodies kept and the secrets the server echoed there redacted. The run is the one
/// `secrets::secrets_echoed_in_every_encoding_leak_nowhere` makes (a server echoing every
/// secret in every encoding), which also holds the file to no secret in any encoding.
pub fn holds_every_exchange(text: &str, json: &str) {
    let doc: Value = serde_json::from_str(text).expect("HAR is JSON");
    let errors: Vec<String> = validator()
        .iter_errors(&doc)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "not HAR 1.2: {errors:#?}");

    // One entry per exchange the JSON report lists, each naming its trial and its page.
    let report: Value = serde_json::from_str(json).unwrap();
    let mut expected = 0;
    let mut places = BTreeSet::new();
    for t in report["trials"].as_array().unwrap() {
        let n = t["exchanges"].as_array().unwrap().len() + t["cleanup"].as_array().unwrap().len();
        if n > 0 {
            places.insert(t["name"].as_str().unwrap().to_string());
        }
        expected += n;
    }
    for part in ["tour", "housekeeping"] {
        let n = report[part].as_array().unwrap().len();
        if n > 0 {
            places.insert(part.to_string());
        }
        expected += n;
    }
    let entries = doc["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), expected);
    let named: BTreeSet<String> = entries
        .iter()
        .map(|e| {
            assert_eq!(e["_trial"], e["pageref"]);
            e["_trial"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(named, places);
    let pages: BTreeSet<String> = doc["log"]["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(pages, places);
    assert!(
        entries.iter().any(|e| e["request"]["postData"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("authentication-token"))),
        "request bodies are kept"
    );
    assert!(
        text.contains("[secret]"),
        "the echoes were recorded, redacted"
    );
}
