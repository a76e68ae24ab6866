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

/// Every `HttpApi` event of the template, with the function it invokes.
pub fn routes() -> Vec<Route> {
    let mut routes = Vec::new();
    let mut function = None;
    for line in text().lines().map(str::trim) {
        if let Some(uri) = line.strip_prefix("CodeUri:") {
            function = uri
                .trim()
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .map(String::from);
        }
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
