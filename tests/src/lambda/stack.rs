//! The resources of one deployment on moto, and the functions started on them.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hostfront::Ports;
use hostfront::adapters::aws::{DynamoTable, KmsSealer, SqsQueue};
use hostfront::clock::SystemClock;
use serde_json::{Value, json};

use super::gateway::Gateway;
use super::runtime::Function;
use crate::{kms_client, moto_endpoint, sqs_client, test_config, unique};

/// A stack on moto: its table, queues and key, the environment the
/// template gives every function, and services over the same resources for
/// the test to look with.
pub struct Stack {
    pub env: Vec<(String, String)>,
    pub ports: Ports,
    pub queue: SqsQueue,
    /// What the functions `start` started asked of AWS.
    pub access: crate::aws_access::AccessLog,
    /// The data directory: the development mailbox the functions deliver to.
    _data: tempfile::TempDir,
}

impl Stack {
    pub async fn on_moto() -> Stack {
        let clock = Arc::new(SystemClock);
        let dir = tempfile::TempDir::new().unwrap();
        let config = test_config(dir.path());
        let table_name = unique("stack");
        let table = DynamoTable::new(crate::dynamodb_client(), &table_name, clock.clone());
        table.create_if_missing().await.unwrap();
        let queue = SqsQueue::create(sqs_client(), &unique("stack-jobs"), 5)
            .await
            .unwrap();
        let key = KmsSealer::create_key(&kms_client()).await.unwrap();
        let data = dir.path().to_string_lossy().to_string();
        let env = [
            // Mail to the development mailbox that `services` reads, as a
            // person reads mail (the table's records withhold links' tokens).
            ("HOSTFRONT_MAIL", "outbox"),
            ("HOSTFRONT_DATA_DIR", data.as_str()),
            ("HOSTFRONT_TABLE", table_name.as_str()),
            ("HOSTFRONT_QUEUE_URL", queue.url()),
            ("HOSTFRONT_DLQ_URL", queue.dead_letter_url()),
            ("HOSTFRONT_QUEUE_MAX_RECEIVES", "5"),
            ("HOSTFRONT_KMS_KEY_ID", key.as_str()),
            ("HOSTFRONT_DEMO", "true"),
            ("HOSTFRONT_AWS_ENDPOINT", moto_endpoint().as_str()),
            ("HOSTFRONT_SIM_REGISTRAR_LATENCY_MS", "0"),
            ("HOSTFRONT_SIM_PANEL_LATENCY_MS", "0"),
            ("HOSTFRONT_LOG_FORMAT", "json"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .to_vec();
        let sealer = Arc::new(KmsSealer::new(kms_client(), key));
        let ports = hostfront::wiring::with_ports(
            config,
            clock,
            Arc::new(table),
            Arc::new(queue.clone()),
            sealer,
        );
        Stack {
            env,
            ports,
            queue,
            access: Default::default(),
            _data: dir,
        }
    }

    /// Starts `bootstrap` with the stack's environment and `extra`, its AWS
    /// calls recorded in `access`, and waits for its init.
    pub async fn start(&self, bootstrap: &str, extra: &[(&str, &str)]) -> Function {
        let bootstrap = Path::new(bootstrap);
        let name = bootstrap.file_name().unwrap().to_string_lossy();
        let endpoint = crate::aws_access::proxy(&name, &moto_endpoint(), self.access.clone()).await;
        let mut extra = extra.to_vec();
        extra.push(("HOSTFRONT_AWS_ENDPOINT", &endpoint));
        let mut function = self.start_unready(bootstrap, &extra).await;
        function.init(Duration::from_secs(20)).await;
        function
    }

    /// Starts `bootstrap` with the stack's environment and `extra`.
    pub async fn start_unready(&self, bootstrap: &Path, extra: &[(&str, &str)]) -> Function {
        let mut env = self.env.clone();
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Function::start(bootstrap, &env).await
    }

    /// The API `functions` (binary name, bootstrap) behind a gateway routing
    /// as the template does.
    pub async fn gateway(
        &self,
        functions: &[(&str, &str)],
        extra: &[(&str, &str)],
        base64_bodies: bool,
    ) -> Gateway {
        let mut started = HashMap::new();
        for (name, bootstrap) in functions {
            started.insert(
                name.to_string(),
                Arc::new(self.start(bootstrap, extra).await),
            );
        }
        Gateway::start(crate::template::routes(), started, base64_bodies).await
    }

    /// The catalog, written as the template has the scheduler write it on deploy.
    pub async fn seed(&self, scheduler: &str) {
        let scheduler = self.start(scheduler, &[]).await;
        let answer = scheduler
            .invoke(json!({"seed_catalog": true}))
            .await
            .response();
        assert_eq!(answer, json!({"seeded": true}));
        let again = scheduler
            .invoke(json!({"seed_catalog": true}))
            .await
            .response();
        assert_eq!(again, json!({"seeded": false}), "seeding is done once");
        scheduler.stop().await;
    }

    /// One to `count` messages of the job queue, as the SQS event source
    /// receives them, waiting at most 15 s for the first.
    pub async fn receive(&self, count: i32) -> Vec<aws_sdk_sqs::types::Message> {
        let what = "a message on the job queue";
        crate::eventually(Duration::from_secs(15), what, || async {
            let received = sqs_client()
                .receive_message()
                .queue_url(self.queue.url())
                .max_number_of_messages(count)
                .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
                .send()
                .await
                .unwrap()
                .messages
                .unwrap_or_default();
            if received.is_empty() {
                Err("none")
            } else {
                Ok(received)
            }
        })
        .await
    }
}

/// The SQS event Lambda's event source sends for `messages`.
pub fn sqs_event(messages: &[aws_sdk_sqs::types::Message]) -> Value {
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            let attributes: serde_json::Map<String, Value> = m
                .attributes()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.as_str().to_string(), Value::from(v.clone())))
                .collect();
            json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "attributes": attributes,
                "messageAttributes": {},
                "md5OfBody": m.md5_of_body(),
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:jobs",
                "awsRegion": "us-east-1",
            })
        })
        .collect();
    json!({ "Records": records })
}
