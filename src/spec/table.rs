//! The operation table: every operation of the spec compiled into the binary, looked up by
//! operationId or by the generated client's name for it, with its response schemas compiled.

use std::{collections::HashMap, sync::OnceLock};

use http::Method;
use serde_json::{Value, json};

use super::{Operation, operation::operation, schema::compile};

const SPEC_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/spec.json"));

/// The whole spec, ready to judge responses.
pub struct Spec {
    operations: Vec<Operation>,
    /// Operation index by operationId and by the client's name for it.
    by_name: HashMap<String, usize>,
    pub(super) validators: HashMap<String, jsonschema::Validator>,
    /// `components/schemas`, for `declared`.
    pub(super) schemas: Value,
}

impl Spec {
    /// The spec compiled into this binary; built on first use, then shared.
    pub fn get() -> &'static Spec {
        static SPEC: OnceLock<Spec> = OnceLock::new();
        SPEC.get_or_init(|| {
            let doc: Value = serde_json::from_str(SPEC_JSON).expect("build.rs wrote valid JSON");
            Spec::from_document(&doc).expect("the spec compiled into the binary is consistent")
        })
    }

    pub fn from_document(doc: &Value) -> Result<Spec, String> {
        let mut operations = Vec::new();
        let paths = doc["paths"].as_object().ok_or("spec has no paths")?;
        for (path, item) in paths {
            let item = item.as_object().ok_or("path item is not an object")?;
            for (method, op) in item {
                let Ok(method) = method.to_ascii_uppercase().parse::<Method>() else {
                    continue;
                };
                if method == Method::OPTIONS || op.get("operationId").is_none() {
                    continue;
                }
                operations.push(operation(doc, path, method, op)?);
            }
        }
        let mut validators = HashMap::new();
        let schemas = doc
            .pointer("/components/schemas")
            .cloned()
            .unwrap_or(json!({}));
        for op in &operations {
            for response in op.responses.values() {
                let Some(name) = &response.schema else {
                    continue;
                };
                if validators.contains_key(name) {
                    continue;
                }
                validators.insert(name.clone(), compile(&schemas, name)?);
            }
        }
        let mut by_name = HashMap::new();
        for (i, op) in operations.iter().enumerate() {
            by_name.insert(op.id.clone(), i);
            by_name.insert(op.alias.clone(), i);
        }
        Ok(Spec {
            operations,
            by_name,
            validators,
            schemas,
        })
    }

    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// Looks an operation up by operationId or by the generated client's name for it.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.by_name.get(id).map(|i| &self.operations[*i])
    }

    /// Like `operation`, for ids the harness itself names: a miss is a harness bug.
    pub fn op(&self, id: &str) -> &Operation {
        self.operation(id)
            .unwrap_or_else(|| panic!("the harness names operation {id:?}, which the spec lacks"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_indexed_both_ways() {
        let spec = Spec::get();
        let op = spec.op("createOrganizationToken");
        assert_eq!(op.alias, "create_organization_token");
        assert_eq!(op.method, Method::POST);
        assert!(std::ptr::eq(op, spec.op("create_organization_token")));
        assert_eq!(
            op.responses[&201].schema.as_deref(),
            Some("AuthenticationTokenDocument")
        );
        assert_eq!(op.responses[&404].schema.as_deref(), Some("ErrorDocument"));
        assert!(
            spec.op("deleteOrganizationToken").responses[&204]
                .schema
                .is_none()
        );
        assert_eq!(
            op.path_with(&[("organization_name", "a b")]),
            "/organizations/a%20b/authentication-token"
        );
    }

    #[test]
    fn every_operation_documents_429_and_create_team_both_200_and_201() {
        let spec = Spec::get();
        for op in spec.operations() {
            assert!(op.responses.contains_key(&429), "{} lacks 429", op.id);
        }
        // The docs say 201, HashiCorp's OpenAPI file 200, for teams and agent pools alike.
        for operation in ["createTeam", "createAgentPool"] {
            let create = spec.op(operation);
            assert!(create.responses.contains_key(&200), "{operation}");
            assert!(create.responses.contains_key(&201), "{operation}");
        }
    }
}
