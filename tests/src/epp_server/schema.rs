//! Every EPP frame checked against the XML schemas of the RFCs (kept in
//! `tests/epp-schemas/`, see its README), in process, by libxml2's XML
//! Schema validator: the one `xmllint --schema` runs, here without a
//! process per frame. Only the handful of libxml2 calls that validation
//! needs are declared; Debian's `libxml2-dev` provides the library.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

#[repr(C)]
struct Opaque {
    _private: [u8; 0],
}

/// The head of libxml2's `xmlError`: all that is read of it.
#[repr(C)]
struct XmlError {
    domain: c_int,
    code: c_int,
    message: *const c_char,
}

type StructuredError = unsafe extern "C" fn(*mut c_void, *mut XmlError);

#[link(name = "xml2")]
unsafe extern "C" {
    fn xmlInitParser();
    fn xmlSchemaNewParserCtxt(url: *const c_char) -> *mut Opaque;
    fn xmlSchemaSetParserStructuredErrors(
        ctxt: *mut Opaque,
        handler: StructuredError,
        data: *mut c_void,
    );
    fn xmlSchemaParse(ctxt: *mut Opaque) -> *mut Opaque;
    fn xmlSchemaFreeParserCtxt(ctxt: *mut Opaque);
    fn xmlSchemaNewValidCtxt(schema: *mut Opaque) -> *mut Opaque;
    fn xmlSchemaSetValidStructuredErrors(
        ctxt: *mut Opaque,
        handler: StructuredError,
        data: *mut c_void,
    );
    fn xmlSchemaValidateDoc(ctxt: *mut Opaque, doc: *mut Opaque) -> c_int;
    fn xmlReadMemory(
        buffer: *const c_char,
        size: c_int,
        url: *const c_char,
        encoding: *const c_char,
        options: c_int,
    ) -> *mut Opaque;
    fn xmlFreeDoc(doc: *mut Opaque);
}

/// `XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NONET`: a frame
/// never loads anything from the network, and its faults are returned,
/// not printed.
const PARSE_OPTIONS: c_int = 32 | 64 | 2048;

/// Collects libxml2's messages into the `Vec<String>` behind `data`.
unsafe extern "C" fn collect(data: *mut c_void, error: *mut XmlError) {
    // SAFETY: `data` is the `Vec` the validator lent for this call, and
    // libxml2 passes a valid error whose message is a C string or null.
    unsafe {
        let messages = &mut *(data as *mut Vec<String>);
        if let Some(error) = error.as_ref()
            && !error.message.is_null()
        {
            let text = CStr::from_ptr(error.message).to_string_lossy();
            messages.push(text.trim().to_string());
        }
    }
}

/// The parsed schemas and one validation context, used under a lock.
struct Validator {
    context: *mut Opaque,
}

// SAFETY: the context is only used under the mutex that holds it.
unsafe impl Send for Validator {}

/// The folder of the schemas.
pub fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("epp-schemas")
}

fn validator() -> &'static Mutex<Validator> {
    static VALIDATOR: OnceLock<Mutex<Validator>> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = schema_dir().join("registry.xsd");
        let path = CString::new(path.to_string_lossy().as_bytes()).expect("a path");
        let mut messages: Vec<String> = Vec::new();
        // SAFETY: libxml2 calls as documented; the schema and the context
        // live for the rest of the process.
        unsafe {
            xmlInitParser();
            let parser = xmlSchemaNewParserCtxt(path.as_ptr());
            assert!(!parser.is_null(), "libxml2 could not open the schemas");
            let data = &mut messages as *mut Vec<String> as *mut c_void;
            xmlSchemaSetParserStructuredErrors(parser, collect, data);
            let schema = xmlSchemaParse(parser);
            xmlSchemaFreeParserCtxt(parser);
            assert!(!schema.is_null(), "the EPP schemas: {messages:?}");
            let context = xmlSchemaNewValidCtxt(schema);
            assert!(!context.is_null(), "libxml2 made no validation context");
            Mutex::new(Validator { context })
        }
    })
}

/// Whether `xml` is a valid EPP frame; if not, libxml2's reasons.
pub fn validate(xml: &str) -> Result<(), String> {
    let validator = validator().lock().unwrap_or_else(|e| e.into_inner());
    let size = c_int::try_from(xml.len()).map_err(|_| "a frame over 2 GiB".to_string())?;
    let mut messages: Vec<String> = Vec::new();
    // SAFETY: the document is parsed from a buffer that outlives the call,
    // validated while the lock is held, and freed once.
    unsafe {
        let document = xmlReadMemory(
            xml.as_ptr() as *const c_char,
            size,
            std::ptr::null(),
            std::ptr::null(),
            PARSE_OPTIONS,
        );
        if document.is_null() {
            return Err("not well-formed XML".into());
        }
        let data = &mut messages as *mut Vec<String> as *mut c_void;
        xmlSchemaSetValidStructuredErrors(validator.context, collect, data);
        let outcome = xmlSchemaValidateDoc(validator.context, document);
        xmlFreeDoc(document);
        match outcome {
            0 => Ok(()),
            _ if messages.is_empty() => Err(format!("invalid (libxml2 code {outcome})")),
            _ => Err(messages.join("; ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::validate;

    const HELLO: &str = r#"<?xml version="1.0" encoding="UTF-8"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><hello/></epp>"#;

    fn login(password: &str, object: &str) -> String {
        format!(
            r#"<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><login><clID>hostfront</clID><pw>{password}</pw><options><version>1.0</version><lang>en</lang></options><svcs><objURI>{object}</objURI></svcs></login><clTRID>hf-login-1</clTRID></command></epp>"#
        )
    }

    #[test]
    fn frames_are_held_to_the_rfc_schemas() {
        validate(HELLO).expect("a hello is valid");
        validate(&login(
            "sixteen-chars-pw",
            "urn:ietf:params:xml:ns:domain-1.0",
        ))
        .expect("a login with a 16-character password");
        let long = validate(&login(
            "twenty-two-characters!",
            "urn:ietf:params:xml:ns:domain-1.0",
        ))
        .unwrap_err();
        assert!(long.contains("pw"), "{long}");
        assert!(validate("<epp").is_err(), "not XML");
        let unknown = r#"<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><info><domain:info xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"><domain:nom>a.com</domain:nom></domain:info></info><clTRID>abc</clTRID></command></epp>"#;
        assert!(validate(unknown).is_err(), "an element the schema lacks");
    }
}
