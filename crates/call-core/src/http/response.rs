//! A provider's answer, read within caps.

use crate::error::ErrorExt;
use std::borrow::Cow;
use std::time::SystemTime;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::http::parse_retry_after;
use crate::{CallId, Error, ErrorKind, Provider};

/// The final answer to a [`Request`](crate::http::Request), after any retries: any HTTP status, with its body read
/// (success bodies up to the request's cap, error bodies up to 64 KiB).
///
/// Provider clients turn it into data with [`Response::json`] or into an [`Error`] with [`Response::error`].
#[derive(Debug, Clone)]
pub struct Response {
    pub(crate) provider: Provider,
    pub(crate) operation: std::borrow::Cow<'static, str>,
    pub(crate) call_id: Option<CallId>,
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) attempts: u32,
    pub(crate) earlier_may_have_taken_effect: bool,
}

impl Response {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A header's value as text, if present and printable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// How many requests were sent in all (retries included).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Whether an attempt before this answer (a retry's predecessor) may have been acted on by the provider: it timed
    /// out or broke after sending, or got a 5xx or 408. A 429 or a connection that never opened does not count (see
    /// [`Error::may_have_taken_effect`]). Errors built with [`Response::context`] carry it.
    pub fn earlier_attempt_may_have_taken_effect(&self) -> bool {
        self.earlier_may_have_taken_effect
    }

    /// The delay asked for by `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        parse_retry_after(self.header("retry-after")?, SystemTime::now())
    }

    /// Decodes the body as JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`] when the body is not the JSON `T` expects. The error names the operation, the status, the
    /// type decoded, where the body stopped fitting (line and column) and, when serde says it, the field missing or
    /// the JSON type found and the one expected; it never quotes the body (a call record holds phone numbers and
    /// what was said), and serde's own error, which would, is not kept as its source.
    pub fn json<T: DeserializeOwned>(&self) -> crate::Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            self.decode_error(format!(
                "the body is not the JSON `{}` expects: {}",
                short_type_name(std::any::type_name::<T>()),
                describe_json_error(&e)
            ))
        })
    }

    /// Decodes the body as a JSON object, for a reader that takes only a few fields of it and must not depend on the
    /// shape of the rest (use [`Response::string_field`] on it).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`] when the body is not JSON, or is JSON but not an object; the error says which and
    /// where, never quoting the body.
    pub fn json_object(&self) -> crate::Result<Map<String, Value>> {
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(object)) => Ok(object),
            Ok(other) => Err(self.decode_error(format!(
                "the body is {}, not a JSON object",
                json_type(&other)
            ))),
            Err(e) => {
                Err(self.decode_error(format!("the body is not JSON: {}", describe_json_error(&e))))
            }
        }
    }

    /// Field `field` of `object` (from [`Response::json_object`]) as text: `None` when absent or `null`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`] naming the field and the JSON type it has instead of a string; never its value.
    pub fn string_field<'a>(
        &self,
        object: &'a Map<String, Value>,
        field: &str,
    ) -> crate::Result<Option<&'a str>> {
        match object.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(self.decode_error(format!(
                "field `{field}` is {}, expected a string",
                json_type(other)
            ))),
        }
    }

    /// An [`ErrorKind::Decode`] error for this response, with `detail`.
    ///
    /// The body is never quoted: a success body may be a call record (phone numbers, what was said), and errors are
    /// printed and logged. The detail gets the body's size and media type instead, which tell a proxy's HTML page
    /// from a provider's JSON.
    pub fn decode_error(&self, detail: impl Into<Cow<'static, str>>) -> Error {
        let detail = detail.into();
        let media = self
            .header("content-type")
            .and_then(|value| value.split(';').next())
            .map(str::trim)
            .filter(|media| {
                !media.is_empty()
                    && media.len() <= 64
                    && media
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"/+.-_".contains(&b))
            })
            .unwrap_or("unknown type");
        let detail = format!("{detail} ({} bytes of {media})", self.body.len());
        self.context(Error::new(ErrorKind::Decode, detail))
    }

    /// The error for this (non-2xx) response: the kind from its status ([`ErrorKind::from_status`]), with
    /// `Retry-After`, the provider, operation, call id and attempts filled in. Clients add what the body says.
    pub fn error(&self) -> Error {
        let mut error = Error::from_status(self.status);
        if let Some(delay) = self.retry_after() {
            error = error.with_retry_after(delay);
        }
        self.context(error)
    }

    /// Fills in the provider, operation, call id and attempts of `error`.
    pub fn context(&self, error: Error) -> Error {
        let error = error
            .with_provider(self.provider)
            .with_operation(self.operation.clone())
            .with_status(self.status)
            .with_request_sent(true)
            .with_earlier_attempt_may_have_taken_effect(self.earlier_may_have_taken_effect)
            .with_attempts(self.attempts);
        match &self.call_id {
            Some(id) => error.with_call_id(id.clone()),
            None => error,
        }
    }
}

/// The JSON type of `value`, for errors that name a field's type instead of quoting it.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// What went wrong in a JSON decode, in words of our own: the kind of failure, where, and from serde's message only
/// the parts our types wrote (the field missing, the type expected) and the JSON type found, never a value from the
/// body (serde quotes strings it did not expect: `invalid type: string "+14155550100"`).
fn describe_json_error(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("line {}, column {}", error.line(), error.column());
    let what = match error.classify() {
        Category::Syntax => return format!("malformed JSON at {at}"),
        Category::Eof => return format!("the JSON ends early, at {at}"),
        Category::Io => return format!("the body could not be read, at {at}"),
        Category::Data => data_error(&error.to_string()),
    };
    format!("{what} at {at}")
}

/// The safe parts of a serde data error's message.
fn data_error(message: &str) -> String {
    // serde_json appends the position; we give it ourselves.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message, |(head, _)| head);
    if let Some(rest) = message.strip_prefix("missing field `")
        && let Some((field, _)) = rest.split_once('`')
        && is_identifier(field)
    {
        return format!("field `{field}` is missing");
    }
    let (found, rest) = if let Some(rest) = message.strip_prefix("invalid type: ") {
        (found_type(rest), rest)
    } else if let Some(rest) = message.strip_prefix("invalid value: ") {
        (found_type(rest), rest)
    } else if let Some(rest) = message.strip_prefix("invalid length ") {
        ("a sequence or map of another length", rest)
    } else if message.starts_with("unknown variant ") {
        return "a value outside the expected set".to_owned();
    } else {
        return "a value does not have the expected shape".to_owned();
    };
    // The expected part comes last and is written by our types; a quoted body value can only come before it.
    match rest.rsplit_once(", expected ") {
        Some((_, expected)) if !expected.contains('"') => {
            format!("found {found}, expected {expected}")
        }
        _ => format!("found {found} where another type was expected"),
    }
}

/// The JSON type at the start of serde's `Unexpected` text (`string "..."`, `integer `5``), without its value.
fn found_type(unexpected: &str) -> &'static str {
    const TYPES: [(&str, &str); 9] = [
        ("string", "a string"),
        ("integer", "a number"),
        ("floating point", "a number"),
        ("boolean", "a boolean"),
        ("null", "null"),
        ("unit value", "null"),
        ("sequence", "an array"),
        ("map", "an object"),
        ("character", "a string"),
    ];
    TYPES
        .iter()
        .find(|(prefix, _)| unexpected.starts_with(prefix))
        .map_or("a value", |(_, name)| name)
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `cartesia_calls::json::PageBody<cartesia_calls::call::Call>` as `PageBody<Call>`.
fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut segment = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            segment.push(c);
        } else {
            out.push_str(segment.rsplit("::").next().unwrap_or(""));
            segment.clear();
            out.push(c);
        }
    }
    out.push_str(segment.rsplit("::").next().unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &'static str) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            reqwest::header::HeaderValue::from_static("application/json; charset=utf-8"),
        );
        Response {
            provider: Provider::Cartesia,
            operation: "get call".into(),
            call_id: None,
            status: 200,
            headers,
            body: Bytes::from_static(body.as_bytes()),
            attempts: 1,
            earlier_may_have_taken_effect: false,
        }
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Record {
        status: u32,
        transcript: Vec<Turn>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Turn {
        text: u32,
    }

    const PHONE: &str = "+14155550100";
    const SAID: &str = "my card number is four two four two";

    /// Asserts neither the phone number nor the sentence is in the error's `Display` or `Debug`.
    fn assert_quotes_nothing(error: &Error) {
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains(PHONE), "{text}");
            assert!(!text.contains(SAID), "{text}");
            assert!(!text.contains("four two"), "{text}");
        }
    }

    #[test]
    fn decode_errors_name_the_shape_never_the_body() {
        let bodies = [
            // A string where a number is expected: serde's message would quote it.
            r#"{"status":"+14155550100","transcript":[]}"#,
            r#"{"status":1,"transcript":[{"text":"my card number is four two four two"}]}"#,
            r#"{"transcript":[],"to":"+14155550100"}"#,
            r#"{"status":1,"transcript":"my card number is four two four two"}"#,
            "my card number is four two four two +14155550100",
            r#"{"status":1,"transcript":[{"text":1}],"x":"+14155550100"#,
        ];
        for body in bodies {
            let error = response(body).json::<Record>().unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Decode, "{body}");
            assert_eq!(error.provider_message(), None);
            assert!(std::error::Error::source(&error).is_none());
            assert!(error.to_string().contains("`Record`"), "{error}");
            assert_quotes_nothing(&error);
        }
        let missing = response(r#"{"transcript":[]}"#)
            .json::<Record>()
            .unwrap_err();
        assert!(
            missing.to_string().contains("field `status` is missing"),
            "{missing}"
        );
        let wrong = response(r#"{"status":"+14155550100","transcript":[]}"#)
            .json::<Record>()
            .unwrap_err();
        assert!(
            wrong.to_string().contains("found a string, expected u32"),
            "{wrong}"
        );
        assert!(wrong.to_string().contains("application/json"), "{wrong}");
    }

    #[test]
    fn fields_are_read_by_name_and_type_never_value() {
        let ok = response(r#"{"status":"started","end_reason":null,"transcript":{"odd":[1]}}"#);
        let object = ok.json_object().unwrap();
        assert_eq!(ok.string_field(&object, "status").unwrap(), Some("started"));
        assert_eq!(ok.string_field(&object, "end_reason").unwrap(), None);
        assert_eq!(ok.string_field(&object, "absent").unwrap(), None);
        let error = ok.string_field(&object, "transcript").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("field `transcript` is an object, expected a string"),
            "{error}"
        );
        for body in [
            r#"["+14155550100"]"#,
            "+14155550100 my card number is four two four two",
        ] {
            let error = response(body).json_object().unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Decode);
            assert_quotes_nothing(&error);
        }
    }

    #[test]
    fn type_names_are_short() {
        assert_eq!(
            short_type_name("cartesia_calls::json::PageBody<cartesia_calls::call::Call>"),
            "PageBody<Call>"
        );
        assert_eq!(short_type_name("u32"), "u32");
    }
}
