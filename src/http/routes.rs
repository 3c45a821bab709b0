//! The route table. Every route is declared once, with who may call it, through [`Routes`]; the
//! gateway reads the declaration of the route a request matched and keeps no list of paths of its
//! own. A route cannot be added without an access class (the builder asks for one), and a path the
//! table does not know is refused (deny by default).

use actix_web::http::Method;
use actix_web::{FromRequest, Handler, Responder, web};

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No login; a token, if sent, is still read.
    Open,
    /// Login optional (the handler decides what an anonymous caller may do). Anonymous calls
    /// are rate-limited per client address.
    Mixed,
    /// With a token, exactly [`Access::Protected`]. Without one, the view of someone holding a
    /// link to one household's bill or receipt (the mGramSeva app and the citizen pages call
    /// these without a token): the handler answers only the one consumer the request names,
    /// never a list, with mobile numbers masked (`platform::access::link`). Anonymous calls are
    /// rate-limited per client address.
    ProtectedOrLink,
    /// Login only: a person's own profile, password, session and search (the handler limits
    /// what others it shows).
    Authenticated,
    /// Login, and a role mapped to the path's action (role-action master) on every tenant the
    /// request names; at least one tenant must be named.
    Protected,
    /// Login and a role mapped to the action on some tenant; the service decides which tenants
    /// (HRMS: the body names the employees' base tenant, not the GPs the caller manages).
    ActionOnly,
    /// An HTML page anyone may open (language, login, forgotten password).
    PublicPage,
    /// An HTML page for staff holding one of these roles on the GP they work on now (roles on
    /// the state tenant count on every GP). An empty list: any logged-in member of staff.
    Page(&'static [&'static str]),
}

impl Access {
    /// An HTML page (answered in HTML, session cookie, CSRF).
    pub fn is_page(self) -> bool {
        matches!(self, Self::PublicPage | Self::Page(_))
    }

    /// The class as a word, for logs and the docs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Mixed => "mixed",
            Self::Authenticated => "authenticated",
            Self::Protected => "protected",
            Self::ProtectedOrLink => "protected, or a link holder's view",
            Self::ActionOnly => "action-only",
            Self::PublicPage => "public page",
            Self::Page(_) => "page",
        }
    }
}

/// One declared route.
#[derive(Clone, Debug)]
pub struct RouteDecl {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// A file upload: the gateway reads a multipart body up to `filestore.max_file_bytes` (not
    /// `server.max_body_bytes`) and parses it (`http::multipart`).
    pub upload: bool,
}

/// Declares routes: registers each with actix (when given a `ServiceConfig`) and records its
/// access class.
pub struct Routes<'a> {
    cfg: Option<&'a mut web::ServiceConfig>,
    decls: Vec<RouteDecl>,
}

impl<'a> Routes<'a> {
    /// Declares into an actix configuration.
    pub fn new(cfg: &'a mut web::ServiceConfig) -> Self {
        Self {
            cfg: Some(cfg),
            decls: Vec::new(),
        }
    }

    /// Only records the declarations (the table for the gateway and the tests).
    pub fn collect() -> Routes<'static> {
        Routes {
            cfg: None,
            decls: Vec::new(),
        }
    }

    pub fn get<F, Args>(&mut self, path: &'static str, access: Access, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::GET, path, access, || web::get().to(handler))
    }

    pub fn post<F, Args>(&mut self, path: &'static str, access: Access, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::POST, path, access, || web::post().to(handler))
    }

    /// A POST taking files as multipart/form-data (see [`RouteDecl::upload`]).
    pub fn upload<F, Args>(&mut self, path: &'static str, access: Access, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::POST, path, access, || web::post().to(handler));
        if let Some(d) = self.decls.last_mut() {
            d.upload = true;
        }
        self
    }

    fn add(
        &mut self,
        method: Method,
        path: &'static str,
        access: Access,
        route: impl FnOnce() -> actix_web::Route,
    ) -> &mut Self {
        if let Some(cfg) = self.cfg.as_deref_mut() {
            cfg.route(path, route());
        }
        self.decls.push(RouteDecl {
            method,
            path,
            access,
            upload: false,
        });
        self
    }

    pub fn into_table(self) -> RouteTable {
        RouteTable { decls: self.decls }
    }
}

/// Every declared route; the gateway's source of truth.
#[derive(Clone, Debug, Default)]
pub struct RouteTable {
    decls: Vec<RouteDecl>,
}

/// What the table says of a matched path and method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    Declared(Access),
    /// The path is declared, but not for this method: no handler serves it (actix answers).
    OtherMethod,
    /// Nothing declares this path: refused.
    Undeclared,
}

impl RouteTable {
    pub fn routes(&self) -> &[RouteDecl] {
        &self.decls
    }

    /// The declaration of `pattern` (as actix reports the matched pattern) for `method`.
    pub fn lookup(&self, method: &Method, pattern: &str) -> Lookup {
        let mut seen = false;
        for d in &self.decls {
            if d.path == pattern {
                if d.method == *method {
                    return Lookup::Declared(d.access);
                }
                seen = true;
            }
        }
        if seen {
            Lookup::OtherMethod
        } else {
            Lookup::Undeclared
        }
    }

    /// Whether `pattern`, posted, is a file upload route.
    pub fn is_upload(&self, method: &Method, pattern: &str) -> bool {
        self.decls
            .iter()
            .any(|d| d.upload && d.path == pattern && d.method == *method)
    }

    /// Routes declared twice for one method (a mistake: the first would win).
    pub fn duplicates(&self) -> Vec<(Method, &'static str)> {
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for d in &self.decls {
            if !seen.insert((d.method.as_str().to_owned(), d.path)) {
                out.push((d.method.clone(), d.path));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn ok() -> &'static str {
        "ok"
    }

    #[test]
    fn the_table_answers_for_what_was_declared_and_refuses_the_rest() {
        let mut r = Routes::collect();
        r.get("/a", Access::Open, ok)
            .post("/a", Access::Protected, ok)
            .get("/p", Access::Page(&["X"]), ok);
        let t = r.into_table();
        assert_eq!(t.lookup(&Method::GET, "/a"), Lookup::Declared(Access::Open));
        assert_eq!(
            t.lookup(&Method::POST, "/a"),
            Lookup::Declared(Access::Protected)
        );
        assert_eq!(t.lookup(&Method::PUT, "/a"), Lookup::OtherMethod);
        assert_eq!(t.lookup(&Method::GET, "/b"), Lookup::Undeclared);
        assert!(t.duplicates().is_empty());
        assert!(Access::Page(&[]).is_page());
        assert!(!Access::Mixed.is_page());
    }

    #[test]
    fn a_route_declared_twice_is_reported() {
        let mut r = Routes::collect();
        r.get("/a", Access::Open, ok)
            .get("/a", Access::Protected, ok);
        assert_eq!(r.into_table().duplicates(), vec![(Method::GET, "/a")]);
    }
}
