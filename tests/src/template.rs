//! What `infra/template.yaml` routes where: read from its `HttpApi` events.

/// One `HttpApi` event of the template.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    pub method: String,
    /// The path template, as API Gateway takes it: `/api/orders/{id}`.
    pub path: String,
    /// The function's binary (its `CodeUri` folder): `api-orders`.
    pub function: String,
}

impl Route {
    /// The path parameters of `path` when it matches this route's template.
    pub fn parameters(&self, path: &str) -> Option<Vec<(String, String)>> {
        let wanted: Vec<&str> = self.path.split('/').collect();
        let given: Vec<&str> = path.split('/').collect();
        if wanted.len() != given.len() {
            return None;
        }
        let mut parameters = Vec::new();
        for (want, got) in wanted.iter().zip(&given) {
            match want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                Some(name) if !got.is_empty() => parameters.push((name.into(), got.to_string())),
                Some(_) => return None,
                None if want == got => {}
                None => return None,
            }
        }
        Some(parameters)
    }
}

/// The template's text.
pub fn text() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// Each trimmed line of the template with the function it belongs to: the
/// binary of the last `CodeUri` above it (its folder).
fn lines_by_function() -> Vec<(Option<String>, String)> {
    let mut function = None;
    let mut lines = Vec::new();
    for line in text().lines().map(str::trim) {
        if let Some(uri) = line.strip_prefix("CodeUri:") {
            function = uri
                .trim()
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .map(String::from);
        }
        lines.push((function.clone(), line.to_string()));
    }
    lines
}

/// Every `HttpApi` event of the template, with the function it invokes.
pub fn routes() -> Vec<Route> {
    let mut routes = Vec::new();
    for (function, line) in lines_by_function() {
        if line.contains("Type: HttpApi") {
            let field = |name: &str| {
                // `, Path:` and `, Method:`: an event's own name may end in "Method".
                let label = format!(", {name}:");
                let start = line.find(&label)? + label.len();
                let rest = line[start..].trim_start();
                let value = match rest.strip_prefix('"') {
                    Some(quoted) => &quoted[..quoted.find('"')?],
                    None => &rest[..rest.find([',', '}']).unwrap_or(rest.len())],
                };
                Some(value.trim().to_string())
            };
            routes.push(Route {
                method: field("Method").expect("an HttpApi event names its method"),
                path: field("Path").expect("an HttpApi event names its path"),
                function: function.clone().expect("a CodeUri before the events"),
            });
        }
    }
    routes
}

/// One statement of a function's policy.
#[derive(Debug, Clone, Default)]
pub struct Statement {
    pub sid: String,
    pub actions: Vec<String>,
    /// The `Resource:` line as written (`!GetAtt JobQueue.Arn`).
    pub resource: String,
    /// The `dynamodb:LeadingKeys` patterns, when the statement has them.
    pub leading_keys: Option<Vec<String>>,
    /// The `dynamodb:Attributes` names (`ForAllValues:StringEquals`), when
    /// the statement has them.
    pub attributes: Option<Vec<String>>,
    /// The `kms:EncryptionContext:secret` values, when the statement has them.
    pub kms_secrets: Option<Vec<String>>,
    /// Whether that condition is `StringEqualsIfExists` (a request without
    /// an encryption context passes it).
    pub kms_secret_if_exists: bool,
    /// The condition operator read last, for the keys under it.
    operator: String,
}

impl Statement {
    /// Whether this statement lets `function` do `access`. A queue is named
    /// by what the test stack calls it: its dead-letter queue ends in `-dlq`.
    pub fn allows(&self, access: &crate::aws_access::Access) -> bool {
        if !self.actions.contains(&access.action) {
            return false;
        }
        if let Some(queue) = &access.queue {
            let wanted = if queue.ends_with("-dlq") {
                "DeadLetterQueue"
            } else {
                "JobQueue"
            };
            if !self.resource.contains(wanted) {
                return false;
            }
        }
        // ForAllValues: every value of the request's key must match one of
        // the statement's (and a request without values matches).
        let leading_keys = self.leading_keys.as_ref().is_none_or(|patterns| {
            access
                .leading_keys
                .iter()
                .all(|key| patterns.iter().any(|p| like(p, key)))
        });
        let attributes = self
            .attributes
            .as_ref()
            .is_none_or(|names| access.attributes.iter().all(|a| names.contains(a)));
        leading_keys && attributes && self.allows_context(access)
    }

    /// `StringEquals` (or `…IfExists`) on the encryption context's `secret`.
    fn allows_context(&self, access: &crate::aws_access::Access) -> bool {
        let Some(secrets) = &self.kms_secrets else {
            return true;
        };
        match access.context.iter().find(|(name, _)| name == "secret") {
            Some((_, secret)) => secrets.contains(secret),
            None => self.kms_secret_if_exists,
        }
    }
}

/// IAM's `StringLike`, for the patterns the template uses: a trailing `*`.
fn like(pattern: &str, value: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => value.starts_with(prefix),
        None => pattern == value,
    }
}

/// A flow list written on one line: `[a, "b#*"]`.
fn flow_list(text: &str) -> Vec<String> {
    text.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|item| item.trim().trim_matches('"').to_string())
        .filter(|item| !item.is_empty())
        .collect()
}

/// Every function's policy statements, by binary name.
pub fn policies() -> std::collections::HashMap<String, Vec<Statement>> {
    let mut policies: std::collections::HashMap<String, Vec<Statement>> = Default::default();
    for (function, line) in lines_by_function() {
        let Some(function) = &function else { continue };
        let statements = policies.entry(function.clone()).or_default();
        if let Some(sid) = line.strip_prefix("- Sid:") {
            statements.push(Statement {
                sid: sid.trim().into(),
                ..Statement::default()
            });
        } else if let Some(statement) = statements.last_mut() {
            if let Some(actions) = line.strip_prefix("Action:") {
                statement.actions = flow_list(actions);
            } else if let Some(resource) = line.strip_prefix("Resource:") {
                statement.resource = resource.trim().into();
            } else if let Some(keys) = line.strip_prefix("dynamodb:LeadingKeys:") {
                statement.leading_keys = Some(flow_list(keys));
            } else if let Some(names) = line.strip_prefix("dynamodb:Attributes:") {
                statement.attributes = Some(flow_list(names));
            } else if let Some(secrets) = line.strip_prefix("kms:EncryptionContext:secret:") {
                statement.kms_secrets = Some(flow_list(secrets));
                statement.kms_secret_if_exists = statement.operator.ends_with("IfExists");
            } else if let Some(operator) = line.strip_suffix(':')
                && operator.starts_with(|c: char| c.is_ascii_uppercase())
            {
                statement.operator = operator.to_string();
            }
        }
    }
    policies
}

/// The accesses no statement of their function's policy allows.
pub fn denied(accesses: &[crate::aws_access::Access]) -> Vec<crate::aws_access::Access> {
    let policies = policies();
    let mut denied: Vec<_> = accesses
        .iter()
        .filter(|access| {
            !policies
                .get(&access.function)
                .is_some_and(|statements| statements.iter().any(|s| s.allows(access)))
        })
        .cloned()
        .collect();
    denied.sort();
    denied.dedup();
    denied
}

/// The environment variables each function sets itself (by binary), and
/// those every function gets (`None`: the template's `Globals`).
pub fn environment() -> std::collections::HashMap<Option<String>, Vec<String>> {
    let mut variables: std::collections::HashMap<Option<String>, Vec<String>> = Default::default();
    for (function, line) in lines_by_function() {
        if let Some((name, _)) = line.split_once(':')
            && name.starts_with("HOSTFRONT_")
            && !name.contains(' ')
        {
            variables
                .entry(function)
                .or_default()
                .push(name.to_string());
        }
    }
    variables
}
