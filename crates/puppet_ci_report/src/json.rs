//! The JSON rendering: the serde shape of [`RunReport`], with durations in seconds.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serializer};

use crate::RunReport;

pub fn render_json(report: &RunReport) -> String {
    let mut value = serde_json::to_value(report).expect("a RunReport always serializes");
    if let serde_json::Value::Object(map) = &mut value {
        map.insert("passed".to_string(), serde_json::Value::Bool(report.passed()));
    }
    let mut text = serde_json::to_string_pretty(&value).expect("a JSON value always serializes");
    text.push('\n');
    text
}

pub(crate) fn serialize_seconds<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((duration.as_secs_f64() * 1000.0).round() / 1000.0)
}

pub(crate) fn deserialize_seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    let seconds = f64::deserialize(deserializer)?;
    Duration::try_from_secs_f64(seconds).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use crate::test_support::sample_run;

    #[test]
    fn json_snapshot() {
        insta::assert_snapshot!(super::render_json(&sample_run()));
    }
}
