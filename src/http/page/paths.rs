//! Which paths are pages, and where a request that cannot be repeated by GET comes back to
//! (a posted form whose session expired, a GET of a page that only takes a posted form).

use actix_web::http::header;
use actix_web::{HttpRequest, web};

use super::safe_next;

/// Whether `path` (without its query) is a page opened by GET.
pub fn gettable_page(req: &HttpRequest, path: &str) -> bool {
    use actix_web::dev::ResourceDef;
    use actix_web::http::Method;
    req.app_data::<web::Data<crate::http::routes::RouteTable>>()
        .is_some_and(|t| {
            t.routes().iter().any(|d| {
                d.method == Method::GET
                    && d.access.is_page()
                    && ResourceDef::new(d.path).is_match(path)
            })
        })
}

/// Whether `path` lies under the HTML pages (its first segment is a page route's: `/home/…`,
/// `/login`, …); everything else is the API's, answered in JSON.
pub fn is_page_path(req: &HttpRequest, path: &str) -> bool {
    fn first(p: &str) -> &str {
        p.trim_start_matches('/').split('/').next().unwrap_or("")
    }
    path == "/"
        || req
            .app_data::<web::Data<crate::http::routes::RouteTable>>()
            .is_some_and(|t| {
                t.routes()
                    .iter()
                    .any(|d| d.access.is_page() && d.path != "/" && first(d.path) == first(path))
            })
}

/// The nearest page enclosing `path` that opens by GET (`/home/collect/confirm` →
/// `/home/collect`), else home.
pub fn enclosing_page(req: &HttpRequest, path: &str) -> String {
    let mut p = path.trim_end_matches('/');
    while let Some((head, _)) = p.rsplit_once('/') {
        if head.is_empty() {
            break;
        }
        if gettable_page(req, head) {
            return head.to_owned();
        }
        p = head;
    }
    "/home".to_owned()
}

/// Where to come back to for a posted form that cannot be repeated: the page the form was on
/// (its `Referer`, when on this site and opened by GET, with its query); when that page was
/// itself the answer to a post (a confirmation), the page enclosing it with its query
/// (`/home/collect/confirm?consumer=A` → `/home/collect?consumer=A`); else the nearest page
/// enclosing the posted path, else home.
pub fn form_page(req: &HttpRequest) -> String {
    let referred = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            let rest = r
                .strip_prefix("https://")
                .or_else(|| r.strip_prefix("http://"))?;
            let (host, tail) = rest.split_at(rest.find('/')?);
            (host == req.connection_info().host()).then(|| tail.to_owned())
        })
        .map(|t| t.split('#').next().unwrap_or("").to_owned())
        .filter(|t| safe_next(Some(t)) == *t)
        .and_then(|t| {
            let (path, query) = t.split_once('?').unwrap_or((t.as_str(), ""));
            if gettable_page(req, path) {
                return (path != req.path()).then(|| t.clone());
            }
            if path == req.path() || !is_page_path(req, path) || query.is_empty() {
                return None;
            }
            Some(format!("{}?{query}", enclosing_page(req, path)))
        });
    referred.unwrap_or_else(|| enclosing_page(req, req.path()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn req() -> TestRequest {
        TestRequest::default().app_data(web::Data::new(crate::route_table()))
    }

    #[test]
    fn page_paths_are_those_under_a_page_routes_first_segment() {
        let r = req().to_http_request();
        for p in [
            "/",
            "/home",
            "/home/nosuch",
            "/login/x",
            "/forgot-password/y",
        ] {
            assert!(is_page_path(&r, p), "{p}");
        }
        for p in [
            "/homestead",
            "/user/_details",
            "/egov-mdms-service/v1/_search",
            "/static/x",
        ] {
            assert!(!is_page_path(&r, p), "{p}");
        }
    }

    #[test]
    fn a_post_only_page_comes_back_to_the_page_enclosing_it() {
        let r = req().to_http_request();
        assert_eq!(enclosing_page(&r, "/home/collect/confirm"), "/home/collect");
        assert_eq!(enclosing_page(&r, "/home/gp"), "/home");
        assert_eq!(enclosing_page(&r, "/nosuch/a/b"), "/home");
        assert!(gettable_page(&r, "/home/hrms/EMP-1"), "patterns match");
        assert!(!gettable_page(&r, "/home/collect/pay"));
    }

    #[test]
    fn a_posted_form_comes_back_to_its_page_only_from_this_site() {
        let post = |referer: &str| {
            req()
                .method(actix_web::http::Method::POST)
                .uri("/home/collect/confirm")
                .insert_header(("host", "gp.example"))
                .insert_header(("referer", referer))
                .to_http_request()
        };
        let r = post("http://gp.example/home/collect?consumer=A#x");
        assert_eq!(form_page(&r), "/home/collect?consumer=A");
        // a confirmation page answering a post: the page enclosing it, with its query
        let r = post("http://gp.example/home/collect/pay?consumer=B");
        assert_eq!(form_page(&r), "/home/collect?consumer=B");
        for other in [
            "http://evil.example/home/hrms",
            "http://evil.example/home/collect/pay?consumer=B",
            "http://gp.example/home/collect/confirm?consumer=C",
            "http://gp.example//evil.example",
            "http://gp.example/home/collect/confirm",
            "http://gp.example/home/collect/pay",
            "nonsense",
        ] {
            assert_eq!(form_page(&post(other)), "/home/collect", "{other}");
        }
    }
}
