//! The face of the in-app notifications: raise an event for people or roles of a GP, find a
//! person's events, count them, mark them READ / INACTIVE, and remember when the person last
//! looked. A person sees only the events of the GP they ask about that are addressed to them by
//! name or to a role they hold there; each person's state of an event is their own.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::repo;
pub use super::repo::Viewer;
use crate::error::{AppError, AppResult, codes};

/// The states a person's event can be in.
pub const STATUSES: [&str; 3] = ["ACTIVE", "READ", "INACTIVE"];

/// An event as one person sees it.
#[derive(Clone, Debug)]
pub struct Event {
    pub id: Uuid,
    pub tenant_id: String,
    pub event_type: String,
    pub event_category: Option<String>,
    pub name: String,
    pub description: String,
    pub source: String,
    pub posted_by: String,
    pub reference_id: Option<String>,
    pub localization_code: String,
    /// `{"{amount}": "1200", …}` as the original's `additionalDetails.attributes`.
    pub attributes: Value,
    pub action_urls: Value,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_modified_by: Option<Uuid>,
    pub last_modified_at: DateTime<Utc>,
    /// The viewer's state: ACTIVE (unread), READ or INACTIVE (closed).
    pub status: String,
    pub to_roles: Vec<String>,
    /// Addressed to the viewer by name.
    pub to_me: bool,
}

impl From<repo::Row> for Event {
    fn from(r: repo::Row) -> Self {
        Self {
            id: r.id,
            tenant_id: r.tenant_id,
            event_type: r.event_type,
            event_category: r.event_category,
            name: r.name,
            description: r.description,
            source: r.source,
            posted_by: r.posted_by,
            reference_id: r.reference_id,
            localization_code: r.localization_code,
            attributes: r.attributes,
            action_urls: r.action_urls,
            created_by: r.created_by,
            created_at: r.created_at,
            last_modified_by: r.last_modified_by,
            last_modified_at: r.last_modified_at,
            status: r.status,
            to_roles: r.to_roles,
            to_me: r.to_me,
        }
    }
}

impl Event {
    /// The placeholders of the text and their values, without the braces (`amount`, `1200`).
    pub fn args(&self) -> Vec<(String, String)> {
        self.attributes
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        let k = k.trim_start_matches('{').trim_end_matches('}');
                        (k.to_owned(), v.as_str().unwrap_or_default().to_owned())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first action link (a path of this server), if any.
    pub fn action_url(&self) -> Option<String> {
        self.action_urls
            .get(0)
            .and_then(|a| a.get("actionUrl"))
            .and_then(Value::as_str)
            .filter(|u| u.starts_with('/') && !u.starts_with("//"))
            .map(str::to_owned)
    }

    /// The event on the wire (`events[]` of egov-user-event), as `viewer` sees it.
    pub fn to_wire(&self, viewer: Uuid) -> Value {
        let actions = if self.action_urls.as_array().is_some_and(|a| !a.is_empty()) {
            json!({
                "tenantId": self.tenant_id,
                "id": null,
                "eventId": self.id.to_string(),
                "actionUrls": self.action_urls,
            })
        } else {
            Value::Null
        };
        let to_users: Vec<String> = if self.to_me {
            vec![viewer.to_string()]
        } else {
            Vec::new()
        };
        json!({
            "tenantId": self.tenant_id,
            "id": self.id.to_string(),
            "referenceId": self.reference_id,
            "eventType": self.event_type,
            "eventCategory": self.event_category,
            "name": self.name,
            "description": self.description,
            "status": self.status,
            "source": self.source,
            "postedBy": self.posted_by,
            "recepient": {"toRoles": self.to_roles, "toUsers": to_users},
            "actions": actions,
            "eventDetails": null,
            "auditDetails": {
                "createdBy": self.created_by.map(|u| u.to_string()),
                "createdTime": self.created_at.timestamp_millis(),
                "lastModifiedBy": self.last_modified_by.map(|u| u.to_string()),
                "lastModifiedTime": self.last_modified_at.timestamp_millis(),
            },
            "recepientEventMap": null,
            "generateCounterEvent": null,
            "internallyUpdted": null,
            "additionalDetails": {
                "localizationCode": self.localization_code,
                "attributes": self.attributes,
            },
        })
    }
}

/// A person's events of a GP in `statuses` (all of [`STATUSES`] when empty), newest first, and
/// how many there are in all.
pub fn search(
    conn: &mut PgConnection,
    v: &Viewer<'_>,
    statuses: &[String],
    types: &[String],
    ids: &[Uuid],
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<Event>, i64)> {
    let statuses = checked_statuses(statuses)?;
    let rows = repo::search(conn, v, &statuses, types, ids, offset, limit)?;
    let total = rows.first().map_or(0, |r| r.full_count);
    Ok((rows.into_iter().map(Event::from).collect(), total))
}

fn checked_statuses(statuses: &[String]) -> AppResult<Vec<String>> {
    if statuses.is_empty() {
        return Ok(STATUSES.iter().map(|s| (*s).to_owned()).collect());
    }
    for s in statuses {
        if !STATUSES.contains(&s.as_str()) {
            return Err(AppError::invalid_field(
                codes::INVALID_VALUE,
                format!("status must be one of {}", STATUSES.join(", ")),
                "status",
            ));
        }
    }
    Ok(statuses.to_vec())
}

/// (events not closed, of which unread)
pub fn counts(conn: &mut PgConnection, v: &Viewer<'_>) -> AppResult<(i64, i64)> {
    let c = repo::counts(conn, v)?;
    Ok((c.total, c.unread))
}

/// Sets the viewer's state of `ids` to `status`; every id must be an event the viewer sees.
/// Answers the events as they now stand.
pub fn set_status(
    conn: &mut PgConnection,
    v: &Viewer<'_>,
    ids: &[Uuid],
    status: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<Event>> {
    if !STATUSES.contains(&status) {
        return Err(AppError::invalid_field(
            codes::INVALID_VALUE,
            format!("status must be one of {}", STATUSES.join(", ")),
            "events.status",
        ));
    }
    let limit = i64::try_from(ids.len()).unwrap_or(i64::MAX).max(1);
    let (found, _) = search(conn, v, &[], &[], ids, 0, limit)?;
    if let Some(missing) = ids.iter().find(|i| !found.iter().any(|e| e.id == **i)) {
        return Err(AppError::invalid_field(
            codes::INVALID_REFERENCE,
            format!("no event {missing} of {} is addressed to you", v.tenant),
            "events.id",
        ));
    }
    repo::set_state(conn, v.user, ids, status, now)?;
    Ok(search(conn, v, &[], &[], ids, 0, limit)?.0)
}

/// When the person last looked at their notifications (before now).
pub fn last_access(conn: &mut PgConnection, user: Uuid) -> AppResult<Option<DateTime<Utc>>> {
    Ok(repo::last_access(conn, user)?)
}

/// Remembers that the person looked now (`lat/_update`).
pub fn touch(conn: &mut PgConnection, user: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    repo::touch(conn, user, now)?;
    Ok(())
}

/// An event to raise.
pub struct NewEvent<'a> {
    pub tenant_id: &'a str,
    /// The card's title key (`PENDING_COLLECTION_USEREVENT`, `EXPENSE_PAYMENT`, …).
    pub name: &'a str,
    /// The text's key; `args` fill its `{placeholders}`.
    pub localization_code: &'a str,
    pub args: &'a [(&'a str, String)],
    /// The text in the state's language, kept as the event's `description`.
    pub description: String,
    /// A path of this server the card leads to.
    pub action_url: Option<&'a str>,
    pub to_users: &'a [Uuid],
    pub to_roles: &'a [&'a str],
    pub posted_by: &'a str,
    pub now: DateTime<Utc>,
}

/// Raises an event in the caller's transaction; its id. Nothing is raised (None) when it is
/// addressed to no one.
pub fn raise(conn: &mut PgConnection, e: &NewEvent<'_>) -> AppResult<Option<Uuid>> {
    if e.to_users.is_empty() && e.to_roles.is_empty() {
        return Ok(None);
    }
    let mut attributes = Map::new();
    for (k, v) in e.args {
        attributes.insert(format!("{{{k}}}"), Value::String(v.clone()));
    }
    let action_urls = match e.action_url {
        Some(u) => json!([{"actionUrl": u, "code": null}]),
        None => json!([]),
    };
    let mut users = e.to_users.to_vec();
    users.sort();
    users.dedup();
    let roles: Vec<String> = e.to_roles.iter().map(|r| (*r).to_owned()).collect();
    let id = Uuid::new_v4();
    let description: String = e.description.chars().take(2000).collect();
    repo::insert(
        conn,
        &repo::NewRow {
            id,
            tenant_id: e.tenant_id,
            name: e.name,
            description: &description,
            posted_by: e.posted_by,
            localization_code: e.localization_code,
            attributes: Value::Object(attributes),
            action_urls,
            now: e.now,
        },
        &users,
        &roles,
    )?;
    Ok(Some(id))
}
