//! Attachments (issue 14): `POST /filestore/v1/files` takes PDF, JPEG and PNG files by their
//! content, at most 5 MB, for staff who may create expenses on a GP they hold a role on; files
//! are kept on disk and come back byte-identical through signed links, never to another GP.

use actix_web::test;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use mgramseva::db::schema::filestore_file as ff;
use serde_json::json;

use crate::helpers::*;

const BOUNDARY: &str = "filestoretestboundary91c2";

/// A small PDF with bytes of every kind (NUL and high bytes included).
pub(crate) fn pdf() -> Vec<u8> {
    let mut b = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
    b.extend((0u8..=255).cycle().take(3000));
    b.extend_from_slice(b"\ntrailer << >>\n%%EOF\n");
    b
}

fn jpeg() -> Vec<u8> {
    let mut b = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00".to_vec();
    b.extend((0u8..=255).rev().cycle().take(2000));
    b.extend_from_slice(b"\xFF\xD9");
    b
}

fn png() -> Vec<u8> {
    let mut b =
        b"\x89PNG\r\n\x1A\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06".to_vec();
    b.extend((0u8..=255).step_by(3).cycle().take(1500));
    b
}

/// A Windows program's first bytes.
fn exe() -> Vec<u8> {
    let mut b = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00".to_vec();
    b.extend(std::iter::repeat_n(0u8, 500));
    b
}

/// Parts: (name, file name, bytes).
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, file, content) in parts {
        out.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
        );
        if let Some(f) = file {
            // the declared type is the app's guess from the name, never trusted
            out.extend_from_slice(
                format!("; filename=\"{f}\"\r\nContent-Type: application/pdf").as_bytes(),
            );
        }
        out.extend_from_slice(b"\r\n\r\n");
        out.extend_from_slice(content);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

fn upload_req(token: Option<&str>, body: Vec<u8>) -> test::TestRequest {
    let mut r = test::TestRequest::post()
        .uri("/filestore/v1/files")
        .insert_header((
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        ))
        .set_payload(body);
    if let Some(t) = token {
        r = r.insert_header(("auth-token", t.to_owned()));
    }
    r
}

/// Uploads one file as the app does (fields tenantId and module), with the token in the header.
pub(crate) async fn upload(
    app: &TestApp,
    token: Option<&str>,
    tenant: &str,
    name: &str,
    bytes: &[u8],
) -> Resp {
    let body = multipart(&[
        ("file", Some(name), bytes),
        ("tenantId", None, tenant.as_bytes()),
        ("module", None, b"mgramseva"),
    ]);
    app.send(upload_req(token, body)).await
}

pub(crate) fn file_id(r: &Resp) -> String {
    assert_eq!(r.0, 201, "{}", r.1);
    // the app reads `files` as a list of its `FileStore` model
    crate::app_models::list_parses_as("FileStore", &r.1["files"], "files").unwrap();
    r.1["files"][0]["fileStoreId"].as_str().unwrap().to_owned()
}

/// The signed link `files/url` hands out, without the base URL.
async fn link(app: &TestApp, token: Option<&str>, tenant: &str, id: &str) -> Resp {
    let mut r = test::TestRequest::get().uri(&format!(
        "/filestore/v1/files/url?tenantId={tenant}&fileStoreIds={id}"
    ));
    if let Some(t) = token {
        r = r.insert_header(("auth-token", t.to_owned()));
    }
    app.send(r).await
}

fn path_of(url: &str) -> String {
    let at = url.find("/filestore/").unwrap();
    url[at..].to_owned()
}

async fn download(app: &TestApp, path: &str) -> (u16, String, Vec<u8>) {
    let resp = app.call(test::TestRequest::get().uri(path)).await;
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, test::read_body(resp).await.to_vec())
}

fn rows(app: &TestApp) -> i64 {
    ff::table.count().get_result(&mut app.db.conn()).unwrap()
}

/// Files (not directories) under the app's file store directory.
pub(crate) fn files_on_disk(app: &TestApp) -> usize {
    fn walk(p: &std::path::Path) -> usize {
        std::fs::read_dir(p).map_or(0, |d| {
            d.flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
    }
    walk(&app.state.settings.filestore.dir)
}

#[actix_web::test]
async fn each_kind_comes_back_byte_identical_from_disk() {
    let app = TestApp::new();
    let token = app.login("9800000001", &["EXPENSE_PROCESSING"]);
    for (name, bytes, ct) in [
        ("bill.pdf", pdf(), "application/pdf"),
        ("photo.jpg", jpeg(), "image/jpeg"),
        // named wrongly: the content decides, the name gets the right extension
        ("receipt.pdf", png(), "image/png"),
    ] {
        let r = upload(&app, Some(&token), GP, name, &bytes).await;
        let id = file_id(&r);
        assert_eq!(r.1["files"][0]["tenantId"], GP);
        let (status, v) = link(&app, Some(&token), GP, &id).await;
        assert_eq!(status, 200, "{v}");
        let url = v[&id].as_str().unwrap();
        assert_eq!(v["fileStoreIds"][0]["url"], url);
        let (status, got_ct, got) = download(&app, &path_of(url)).await;
        assert_eq!((status, got_ct.as_str()), (200, ct));
        assert_eq!(got, bytes, "{name} comes back byte for byte");
        // the row keeps the metadata; the bytes are on disk
        let uuid = uuid::Uuid::parse_str(&id).unwrap();
        let (bytes_col, path, size, sha, module, file_name): (
            Option<Vec<u8>>,
            Option<String>,
            i64,
            String,
            String,
            String,
        ) = ff::table
            .find(uuid)
            .select((
                ff::bytes,
                ff::path,
                ff::size,
                ff::sha256,
                ff::module,
                ff::file_name,
            ))
            .first(&mut app.db.conn())
            .unwrap();
        assert_eq!(bytes_col, None);
        let path = path.unwrap();
        let on_disk = std::fs::read(app.state.settings.filestore.dir.join(&path)).unwrap();
        assert_eq!(on_disk, bytes);
        assert_eq!(size, bytes.len() as i64);
        assert_eq!(sha.len(), 64);
        assert_eq!(module, "mgramseva");
        if ct == "image/png" {
            assert_eq!(file_name, "receipt.pdf.png");
        } else {
            assert_eq!(file_name, name);
        }
    }
    assert_eq!(rows(&app), 3);
    assert_eq!(files_on_disk(&app), 3);
}

#[actix_web::test]
async fn the_contract_form_with_request_info_and_several_files() {
    let app = TestApp::new();
    let token = app.login("9800000002", &["SECRETARY"]);
    let ri = json!({"apiId": "mgramseva", "authToken": token}).to_string();
    let (p, j) = (pdf(), jpeg());
    let body = multipart(&[
        ("tenantId", None, GP.as_bytes()),
        ("module", None, b"echallan"),
        ("tag", None, b"expense-bill"),
        ("requestInfo", None, ri.as_bytes()),
        ("file", Some("a.pdf"), &p),
        ("file", Some("b.jpeg"), &j),
    ]);
    let (status, v) = app.send(upload_req(None, body)).await;
    assert_eq!(status, 201, "{v}");
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert!(files.iter().all(|f| f["tenantId"] == GP));
    assert_eq!(rows(&app), 2);
}

#[actix_web::test]
async fn refusals_have_their_codes_and_keep_nothing() {
    let app = TestApp::new();
    let token = app.login("9800000003", &["EXPENSE_PROCESSING"]);
    let tk = Some(token.as_str());
    let code_of = |r: &Resp| (r.0.as_u16(), code(&r.1).to_owned());

    // 6 MB (declared length over the limit: refused before the body is read)
    let mut big = pdf();
    big.resize(6 * 1024 * 1024, b'x');
    let r = upload(&app, tk, GP, "big.pdf", &big).await;
    assert_eq!(code_of(&r), (413, "FILE_TOO_LARGE".into()), "{}", r.1);
    // just over 5 MB: the body fits the upload's room, the file does not
    let mut over = pdf();
    over.resize(5 * 1024 * 1024 + 1, b'x');
    let r = upload(&app, tk, GP, "over.pdf", &over).await;
    assert_eq!(code_of(&r), (413, "FILE_TOO_LARGE".into()), "{}", r.1);
    // a program named .pdf, a text file, an empty file
    let r = upload(&app, tk, GP, "invoice.pdf", &exe()).await;
    assert_eq!(
        code_of(&r),
        (415, "FILE_TYPE_NOT_ALLOWED".into()),
        "{}",
        r.1
    );
    let r = upload(&app, tk, GP, "note.pdf", b"just some text\n").await;
    assert_eq!(
        code_of(&r),
        (415, "FILE_TYPE_NOT_ALLOWED".into()),
        "{}",
        r.1
    );
    let r = upload(&app, tk, GP, "empty.pdf", b"").await;
    assert_eq!(code_of(&r), (400, "FILE_EMPTY".into()), "{}", r.1);
    // one bad file among good ones: none is kept
    let (p, e) = (pdf(), exe());
    let body = multipart(&[
        ("tenantId", None, GP.as_bytes()),
        ("module", None, b"mgramseva"),
        ("file", Some("ok.pdf"), &p),
        ("file", Some("bad.pdf"), &e),
    ]);
    let r = app.send(upload_req(tk, body)).await;
    assert_eq!(code_of(&r), (415, "FILE_TYPE_NOT_ALLOWED".into()));
    // fields
    let body = multipart(&[("module", None, b"mgramseva"), ("file", Some("a.pdf"), &p)]);
    let r = app.send(upload_req(tk, body)).await;
    assert_eq!(code_of(&r), (400, "MISSING_FIELD".into()), "{}", r.1);
    let body = multipart(&[
        ("tenantId", None, GP.as_bytes()),
        ("file", Some("a.pdf"), &p),
    ]);
    let r = app.send(upload_req(tk, body)).await;
    assert_eq!(code_of(&r), (400, "MISSING_FIELD".into()), "{}", r.1);
    assert_eq!(r.1["Errors"][0]["params"][0], "module");
    let body = multipart(&[("tenantId", None, GP.as_bytes()), ("module", None, b"m")]);
    let r = app.send(upload_req(tk, body)).await;
    assert_eq!(code_of(&r), (400, "MISSING_FIELD".into()), "{}", r.1);
    let body = multipart(&[
        ("tenantId", None, GP.as_bytes()),
        ("module", None, b"m\0x"),
        ("file", Some("a.pdf"), &p),
    ]);
    let r = app.send(upload_req(tk, body)).await;
    assert_eq!(code_of(&r), (400, "INVALID_CHARACTER".into()), "{}", r.1);
    // two tenants in one form
    let body = multipart(&[
        ("tenantId", None, GP.as_bytes()),
        ("tenantId", None, OTHER_GP.as_bytes()),
        ("module", None, b"m"),
        ("file", Some("a.pdf"), &p),
    ]);
    let r = app.send(upload_req(tk, body)).await;
    assert!(matches!(r.0.as_u16(), 400 | 403), "{}", r.1);
    // another GP's tenant, the state tenant
    let r = upload(&app, tk, OTHER_GP, "a.pdf", &p).await;
    assert_eq!(code_of(&r), (403, "CustomException".into()), "{}", r.1);
    let su = app.login("9800000004", &["SUPERUSER@pb"]);
    let r = upload(&app, Some(&su), STATE, "a.pdf", &p).await;
    assert_eq!(code_of(&r), (400, "INVALID_TENANT".into()), "{}", r.1);
    // JSON where multipart is expected
    let r = app
        .send(
            test::TestRequest::post()
                .uri("/filestore/v1/files")
                .set_json(json!({"RequestInfo": ri(&token), "tenantId": GP, "module": "m"})),
        )
        .await;
    assert_eq!(code_of(&r), (415, "INVALID_UPLOAD".into()), "{}", r.1);
    // an unknown token (no token is the app's upload: see expense.rs), a role that may not upload
    let r = upload(&app, Some("not-a-token"), GP, "a.pdf", &p).await;
    assert_eq!(r.0, 401, "{}", r.1);
    let collector = app.login("9800000005", &["COLLECTION_OPERATOR"]);
    let r = upload(&app, Some(&collector), GP, "a.pdf", &p).await;
    assert_eq!(code_of(&r), (403, "CustomException".into()), "{}", r.1);

    assert_eq!(rows(&app), 0, "nothing written");
    assert_eq!(files_on_disk(&app), 0, "nothing left on disk");
    // and the same staff can still upload
    file_id(&upload(&app, tk, GP, "fine.pdf", &p).await);
}

#[actix_web::test]
async fn a_file_of_one_gp_is_never_served_to_another() {
    let app = TestApp::new();
    let token = app.login("9800000006", &["EXPENSE_PROCESSING"]);
    let other = app.login("9800000007", &[&format!("EXPENSE_PROCESSING@{OTHER_GP}")]);
    let id = file_id(&upload(&app, Some(&token), GP, "bill.pdf", &pdf()).await);

    // their own GP: the id is not found there
    let (status, v) = link(&app, Some(&other), OTHER_GP, &id).await;
    assert_eq!(status, 200);
    assert_eq!(v["fileStoreIds"], json!([]), "{v}");
    assert!(v.get(&id).is_none());
    // the file's GP: not theirs
    let (status, v) = link(&app, Some(&other), GP, &id).await;
    assert_eq!((status.as_u16(), code(&v)), (403, "CustomException"));
    // without a login, on the wrong GP: nothing
    let (status, v) = link(&app, None, OTHER_GP, &id).await;
    assert_eq!(status, 200);
    assert_eq!(v["fileStoreIds"], json!([]));
    // the service face is tenant-scoped too
    let uuid = uuid::Uuid::parse_str(&id).unwrap();
    let mut c = app.db.conn();
    assert!(
        mgramseva::platform::filestore::get(&mut c, OTHER_GP, uuid)
            .unwrap()
            .is_none()
    );
    assert!(
        mgramseva::platform::filestore::get(&mut c, GP, uuid)
            .unwrap()
            .is_some()
    );

    // signed links: another GP's name on the link, a forged signature, an expired link
    let (_, v) = link(&app, Some(&token), GP, &id).await;
    let good = path_of(v[&id].as_str().unwrap());
    assert_eq!(download(&app, &good).await.0, 200);
    let swapped = good.replace(&format!("tenantId={GP}"), &format!("tenantId={OTHER_GP}"));
    assert_eq!(download(&app, &swapped).await.0, 403);
    let (head, _) = good.rsplit_once("sig=").unwrap();
    let (status, _, body) = download(&app, &format!("{head}sig=AAAAAAAAAAAAAAAAAAAAAA")).await;
    assert_eq!(status, 403);
    assert!(String::from_utf8_lossy(&body).contains("INVALID_LINK"));
    let old = Utc::now() - Duration::days(8);
    let expired = mgramseva::platform::filestore::signed_path(&app.state.crypto, GP, uuid, old);
    let (status, _, body) = download(&app, &expired).await;
    assert_eq!(status, 410);
    assert!(String::from_utf8_lossy(&body).contains("LINK_EXPIRED"));
    // a link signed for the other GP names a file that is not there
    let theirs =
        mgramseva::platform::filestore::signed_path(&app.state.crypto, OTHER_GP, uuid, Utc::now());
    let (status, _, body) = download(&app, &theirs).await;
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("FILE_NOT_FOUND"));
}

#[actix_web::test]
async fn pages_store_uploads_with_the_same_checks() {
    use mgramseva::platform::filestore;
    let app = TestApp::new();
    let s = &app.state.settings.filestore;
    let mut c = app.db.conn();
    let now = Utc::now();
    let id =
        filestore::store_upload(&mut c, s, GP, "echallan", "IMG_1.JPG", jpeg(), None, now).unwrap();
    let (f, bytes) = filestore::read(&mut c, &s.dir, GP, id).unwrap().unwrap();
    assert_eq!(
        (f.content_type.as_str(), f.file_name.as_str()),
        ("image/jpeg", "IMG_1.JPG")
    );
    assert_eq!(bytes, jpeg());
    let refused = |r: mgramseva::error::AppResult<uuid::Uuid>| match r {
        Err(mgramseva::error::AppError::Client { errors, .. }) => errors[0].code.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        refused(filestore::store_upload(
            &mut c,
            s,
            GP,
            "echallan",
            "x.pdf",
            exe(),
            None,
            now
        )),
        "FILE_TYPE_NOT_ALLOWED"
    );
    assert_eq!(
        refused(filestore::store_upload(
            &mut c,
            s,
            STATE,
            "echallan",
            "x.pdf",
            pdf(),
            None,
            now
        )),
        "INVALID_TENANT"
    );
    let mut big = png();
    big.resize(s.max_file_bytes + 1, 0);
    assert_eq!(
        refused(filestore::store_upload(
            &mut c, s, GP, "echallan", "x.png", big, None, now
        )),
        "FILE_TOO_LARGE"
    );
    assert_eq!(rows(&app), 1);
    assert_eq!(files_on_disk(&app), 1);
}

#[actix_web::test]
async fn the_sweep_moves_old_rows_to_disk_and_removes_files_without_a_row() {
    use mgramseva::platform::filestore;
    let app = TestApp::new();
    let dir = app.state.settings.filestore.dir.clone();
    let mut c = app.db.conn();
    // a row from before files moved to disk
    let legacy = uuid::Uuid::new_v4();
    diesel::sql_query(format!(
        "INSERT INTO filestore_file (id, tenant_id, module, file_name, content_type, bytes, size, \
         sha256, created_at) VALUES ('{legacy}', '{GP}', 'PDF', 'old.pdf', 'application/pdf', \
         '\\x255044462d312e34', 8, '{}', now())",
        "0".repeat(64)
    ))
    .execute(&mut c)
    .unwrap();
    // a kept file, and a file whose transaction rolled back
    let kept = filestore::store_upload(
        &mut c,
        &app.state.settings.filestore,
        GP,
        "m",
        "a.pdf",
        pdf(),
        None,
        Utc::now(),
    )
    .unwrap();
    let _ = c.transaction::<(), mgramseva::error::AppError, _>(|c| {
        filestore::store_upload(
            c,
            &app.state.settings.filestore,
            GP,
            "m",
            "b.pdf",
            pdf(),
            None,
            Utc::now(),
        )?;
        Err(mgramseva::error::AppError::bad_request(
            "ROLLBACK",
            "rolled back",
        ))
    });
    assert_eq!(files_on_disk(&app), 2);
    // within the hour nothing is removed (its transaction may still be running)
    let done = filestore::sweep(&mut c, &dir, Utc::now()).unwrap();
    assert_eq!((done.moved, done.removed), (1, 0));
    assert_eq!(files_on_disk(&app), 3);
    let done = filestore::sweep(&mut c, &dir, Utc::now() + Duration::hours(2)).unwrap();
    assert_eq!((done.moved, done.removed), (0, 1));
    assert_eq!(files_on_disk(&app), 2);
    let (_, old) = filestore::read(&mut c, &dir, GP, legacy).unwrap().unwrap();
    assert_eq!(old, b"%PDF-1.4");
    let path: Option<String> = ff::table
        .find(legacy)
        .select(ff::path)
        .first(&mut c)
        .unwrap();
    assert!(path.is_some());
    assert!(filestore::read(&mut c, &dir, GP, kept).unwrap().is_some());
}
