//! Each frame's command: held to the schemas, login and logout, and the
//! objects' commands handed on.

use super::answer::{Answer, EXTENSIONS, OBJECT_SERVICES, child, greeting, text_of, texts_of};
use super::schema;
use super::{After, CLIENT_ID, Command, PASSWORD, Registry, Session};

impl Registry {
    /// `frame` if it is valid; else nothing is sent, and the reason is kept
    /// for the test to fail on.
    pub(super) fn checked(&mut self, frame: String) -> Option<String> {
        match schema::validate(&frame) {
            Ok(()) => Some(frame),
            Err(why) => {
                self.invalid.push(format!("sent: {why}\n{frame}"));
                None
            }
        }
    }

    pub(super) fn handle(
        &mut self,
        request: &str,
        session: &mut Option<Session>,
    ) -> (String, After) {
        self.served += 1;
        let served = self.served;
        let syntax_error = |id: Option<&str>| {
            let answer = Answer::error(2001, "Command syntax error");
            (answer.render(id, served), After::Continue)
        };
        let Ok(document) = roxmltree::Document::parse(request) else {
            self.invalid.push(format!("received: not XML\n{request}"));
            return syntax_error(None);
        };
        let root = document.root_element();
        let command = child(root, "command");
        let id = command
            .map(|c| text_of(c, "clTRID"))
            .filter(|id| !id.is_empty());
        if let Err(why) = schema::validate(request) {
            self.invalid.push(format!("received: {why}\n{request}"));
            return syntax_error(id.as_deref());
        }
        if child(root, "hello").is_some() {
            return (greeting(), After::Continue);
        }
        // Valid and not a hello: a command (RFC 5730 section 2.4).
        let Some(command) = command else {
            return syntax_error(None);
        };
        let Some(element) = command
            .children()
            .find(|n| n.is_element() && !["extension", "clTRID"].contains(&n.tag_name().name()))
        else {
            return syntax_error(id.as_deref());
        };
        let command = Command {
            name: element.tag_name().name(),
            element,
            extension: child(command, "extension"),
            id: id.unwrap_or_default(),
        };
        self.seen
            .push((command.name.to_string(), command.id.clone()));
        let (answer, after) = self.session_command(&command, session);
        (
            answer.render(
                Some(&command.id)
                    .filter(|id| !id.is_empty())
                    .map(|id| id.as_str()),
                served,
            ),
            after,
        )
    }

    /// A command within a session: login and logout, or an object's.
    fn session_command(
        &mut self,
        command: &Command,
        session: &mut Option<Session>,
    ) -> (Answer, After) {
        if command.name == "login" {
            return self.login(command, session);
        }
        let Some(current) = session.as_ref() else {
            return (
                Answer::error(2002, "Command use error: log in first"),
                After::Continue,
            );
        };
        if command.name == "logout" {
            *session = None;
            self.sessions -= 1;
            let answer = Answer::error(1500, "Command completed successfully; ending session");
            return (answer, After::Close);
        }
        if let Some(refusal) = unchosen(command, current) {
            return (refusal, After::Continue);
        }
        if let Some(code) = self.faults.fail_next.take() {
            return (Answer::error(code, "Command failed"), After::Continue);
        }
        let transform = ["create", "renew", "update", "transfer", "delete"].contains(&command.name);
        let answer = self.domain_command(command);
        if transform && std::mem::take(&mut self.faults.drop_next) {
            return (Answer::error(2400, "dropped"), After::Drop);
        }
        (answer, After::Continue)
    }

    fn login(&mut self, command: &Command, session: &mut Option<Session>) -> (Answer, After) {
        let asked: Vec<String> = texts_of(command.element, "objURI")
            .into_iter()
            .chain(texts_of(command.element, "extURI"))
            .collect();
        self.logins.push(asked.clone());
        if text_of(command.element, "clID") != CLIENT_ID
            || text_of(command.element, "pw") != PASSWORD
        {
            return (Answer::error(2200, "Authentication error"), After::Continue);
        }
        if session.is_some() {
            return (Answer::error(2002, "Already logged in"), After::Continue);
        }
        // RFC 5730 section 2.9.1.1: a login may choose only among the
        // services and extensions the greeting announced.
        if let Some(uri) = texts_of(command.element, "objURI")
            .into_iter()
            .find(|uri| !OBJECT_SERVICES.contains(&uri.as_str()))
        {
            return (
                Answer::error(2307, format!("Unimplemented object service: {uri}")),
                After::Continue,
            );
        }
        if let Some(uri) = texts_of(command.element, "extURI")
            .into_iter()
            .find(|uri| !EXTENSIONS.contains(&uri.as_str()))
        {
            return (
                Answer::error(2103, format!("Unimplemented extension: {uri}")),
                After::Continue,
            );
        }
        if self.sessions >= self.max_sessions {
            return (
                Answer::error(2502, "Session limit exceeded; server closing connection"),
                After::Close,
            );
        }
        self.sessions += 1;
        *session = Some(Session { services: asked });
        (
            Answer::error(1000, "Command completed successfully"),
            After::Continue,
        )
    }
}

/// The refusal of a command on an object service or with an extension
/// that the session's login did not choose.
fn unchosen(command: &Command, session: &Session) -> Option<Answer> {
    let chosen = |node: roxmltree::Node| {
        node.tag_name()
            .namespace()
            .is_some_and(|ns| session.services.iter().any(|s| s == ns))
    };
    let object = command.element.children().find(|n| n.is_element())?;
    if !chosen(object) {
        return Some(Answer::error(2307, "Unimplemented object service"));
    }
    let extensions = command.extension.into_iter().flat_map(|e| e.children());
    for extension in extensions.filter(|n| n.is_element()) {
        if !chosen(extension) {
            return Some(Answer::error(2103, "Unimplemented extension"));
        }
    }
    None
}
