//! The village's place in the engineering hierarchy, as iFIX's department-entity and project
//! masters hold it, built from the tenant master (no table of its own).
//!
//! Levels (`hierarchyLevel`, what the app keys its GPWSC card by): 0 the state's department,
//! 1 zone, 2 circle, 3 division, 4 sub-division, 5 section, 6 the village (the GP's water
//! scheme). A village's code is its iFIX village code (`city.code` = `city.projectId` of the
//! tenant master); the project of a village has the same code and links to the village's entity.
//! Ids are stable: a name-based UUID of the state, the level and the code, so the app can pass
//! the village's id on to the project search.

use diesel::PgConnection;
use sha2::{Digest, Sha256};

use crate::error::AppResult;
use crate::platform::access::identity::{AuthUser, tenant_covers};
use crate::platform::mdms::model::{OrgUnit, Tenant};
use crate::platform::mdms::service::hierarchy as mdms;

pub const STATE_LEVEL: i32 = 0;
pub const VILLAGE_LEVEL: i32 = 6;

/// The level of each kind of engineering unit.
fn level_of(kind: &str) -> Option<i32> {
    match kind {
        "ZONE" => Some(1),
        "CIRCLE" => Some(2),
        "DIVISION" => Some(3),
        "SUBDIVISION" => Some(4),
        "SECTION" => Some(5),
        _ => None,
    }
}

/// A stable id: a name-based UUID (RFC 9562 version 8) of `parts`.
fn stable_id(parts: &[&str]) -> String {
    let digest = Sha256::digest(parts.join("|").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// The id of the department entity of `level` with `code` in `state`.
pub fn entity_id(state: &str, level: i32, code: &str) -> String {
    stable_id(&["ifix-department-entity", state, &level.to_string(), code])
}

/// The id of the state's water supply department (every entity's `departmentId`).
pub fn department_id(state: &str) -> String {
    stable_id(&["ifix-department", state])
}

/// The id of the project (water scheme) of the village with `code`.
pub fn project_id(state: &str, code: &str) -> String {
    stable_id(&["ifix-project", state, code])
}

/// One department entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entity {
    pub id: String,
    pub level: i32,
    pub code: String,
    pub name: String,
}

impl Entity {
    fn new(state: &str, level: i32, code: &str, name: &str) -> Self {
        Self {
            id: entity_id(state, level, code),
            level,
            code: code.to_owned(),
            name: name.trim().to_owned(),
        }
    }
}

/// An entity found, with its ancestry: the state first, the entity last.
#[derive(Clone, Debug)]
pub struct Found {
    pub chain: Vec<Entity>,
    /// The GP, when the entity is a village.
    pub gp: Option<Tenant>,
}

impl Found {
    /// The entity itself (the chain's last).
    pub fn entity(&self) -> Option<&Entity> {
        self.chain.last()
    }
}

/// The project (water scheme) of a village.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    pub id: String,
    pub code: String,
    pub name: String,
    /// The village's department entity.
    pub entity_id: String,
}

pub fn project_of(state: &str, village: &Entity) -> Project {
    Project {
        id: project_id(state, &village.code),
        code: village.code.clone(),
        name: village.name.clone(),
        entity_id: village.id.clone(),
    }
}

/// The master data the answers are built from.
pub struct Masters {
    pub state: Tenant,
    pub units: Vec<OrgUnit>,
}

impl Masters {
    pub fn load(conn: &mut PgConnection, state_tenant: &str) -> AppResult<Option<Self>> {
        let Some(state) = mdms::tenant(conn, state_tenant)? else {
            return Ok(None);
        };
        Ok(Some(Self {
            state,
            units: mdms::units(conn)?,
        }))
    }

    fn root(&self) -> Entity {
        Entity::new(
            &self.state.code,
            STATE_LEVEL,
            &self.state.city_code,
            &self.state.name,
        )
    }

    /// A GP of this state (a village: `pb.lodhipur`).
    fn is_village(&self, t: &Tenant) -> bool {
        t.is_gram_panchayat()
            && t.code
                .strip_prefix(self.state.code.as_str())
                .is_some_and(|r| r.starts_with('.'))
    }

    fn unit(&self, code: &str) -> Option<&OrgUnit> {
        self.units.iter().find(|u| u.code == code)
    }

    fn entity_of_unit(&self, u: &OrgUnit) -> Option<Entity> {
        Some(Entity::new(
            &self.state.code,
            level_of(&u.level)?,
            &u.code,
            &u.name,
        ))
    }

    /// The chain from the state down to the unit `code` (levels the data lacks are skipped).
    fn unit_chain(&self, code: &str) -> Vec<Entity> {
        let mut rev = Vec::new();
        let mut next = Some(code.to_owned());
        while let Some(c) = next.take() {
            let Some(u) = self.unit(&c) else { break };
            if rev.len() > 8 {
                break;
            }
            if let Some(e) = self.entity_of_unit(u) {
                rev.push(e);
            }
            next = u.parent_code.clone();
        }
        rev.push(self.root());
        rev.reverse();
        rev
    }

    /// The chain of a village: its lowest known unit's chain, then the village.
    pub fn village_chain(&self, t: &Tenant) -> Vec<Entity> {
        let lowest = [
            &t.section_code,
            &t.subdivision_code,
            &t.division_code,
            &t.circle_code,
            &t.zone_code,
        ]
        .into_iter()
        .flatten()
        .find(|c| self.unit(c).is_some());
        let mut chain = match lowest {
            Some(c) => self.unit_chain(c),
            None => vec![self.root()],
        };
        chain.push(Entity::new(
            &self.state.code,
            VILLAGE_LEVEL,
            &t.city_code,
            &t.name,
        ));
        chain
    }

    /// The entity with `code`: the state's department, a unit, or a village.
    pub fn by_code(&self, conn: &mut PgConnection, code: &str) -> AppResult<Option<Found>> {
        if code == self.state.city_code {
            return Ok(Some(Found {
                chain: vec![self.root()],
                gp: None,
            }));
        }
        if let Some(u) = self.unit(code)
            && level_of(&u.level).is_some()
        {
            return Ok(Some(Found {
                chain: self.unit_chain(code),
                gp: None,
            }));
        }
        Ok(mdms::tenant_by_city_code(conn, code)?
            .filter(|t| self.is_village(t))
            .map(|t| Found {
                chain: self.village_chain(&t),
                gp: Some(t),
            }))
    }

    /// The entity with `id` (ids are not reversible: the candidates are computed).
    pub fn by_id(&self, conn: &mut PgConnection, id: &str) -> AppResult<Option<Found>> {
        let root = self.root();
        if root.id == id {
            return Ok(Some(Found {
                chain: vec![root],
                gp: None,
            }));
        }
        if let Some(e) = self
            .units
            .iter()
            .filter_map(|u| self.entity_of_unit(u))
            .find(|e| e.id == id)
        {
            return Ok(Some(Found {
                chain: self.unit_chain(&e.code),
                gp: None,
            }));
        }
        let state = self.state.code.clone();
        let village = mdms::tenants(conn)?
            .into_iter()
            .filter(|t| self.is_village(t))
            .find(|t| entity_id(&state, VILLAGE_LEVEL, &t.city_code) == id);
        Ok(village.map(|t| Found {
            chain: self.village_chain(&t),
            gp: Some(t),
        }))
    }

    /// The village whose project has `id`.
    pub fn by_project_id(&self, conn: &mut PgConnection, id: &str) -> AppResult<Option<Found>> {
        let state = self.state.code.clone();
        let village = mdms::tenants(conn)?
            .into_iter()
            .filter(|t| self.is_village(t))
            .find(|t| project_id(&state, &t.city_code) == id);
        Ok(village.map(|t| Found {
            chain: self.village_chain(&t),
            gp: Some(t),
        }))
    }

    /// The direct children of an entity, for an answer without ancestry: units below a unit
    /// (or the zones below the state), the villages of a section.
    pub fn children(&self, conn: &mut PgConnection, e: &Entity) -> AppResult<Vec<Entity>> {
        if e.level == VILLAGE_LEVEL {
            return Ok(Vec::new());
        }
        let mut out: Vec<Entity> = self
            .units
            .iter()
            .filter(|u| match e.level {
                STATE_LEVEL => u.parent_code.is_none() && u.level == "ZONE",
                _ => u.parent_code.as_deref() == Some(e.code.as_str()),
            })
            .filter_map(|u| self.entity_of_unit(u))
            .collect();
        if e.level == 5 {
            let state = self.state.code.clone();
            out.extend(
                mdms::tenants(conn)?
                    .iter()
                    .filter(|t| self.is_village(t))
                    .filter(|t| t.section_code.as_deref() == Some(e.code.as_str()))
                    .map(|t| Entity::new(&state, VILLAGE_LEVEL, &t.city_code, &t.name)),
            );
        }
        Ok(out)
    }
}

/// Whether `user` may read `found`: an employee holding a role on the village's GP (roles on
/// the state cover every GP; a division admin holds the division's GPs); above the village, a
/// role on the state or on a GP below the entity.
pub fn may_read(
    conn: &mut PgConnection,
    m: &Masters,
    user: &AuthUser,
    found: &Found,
) -> AppResult<bool> {
    if user.user_type != "EMPLOYEE" || user.roles.is_empty() {
        return Ok(false);
    }
    if let Some(gp) = &found.gp {
        return Ok(user
            .roles
            .iter()
            .any(|r| tenant_covers(&r.tenant_id, &gp.code)));
    }
    if user
        .roles
        .iter()
        .any(|r| tenant_covers(&r.tenant_id, &m.state.code))
    {
        return Ok(true);
    }
    let Some(target) = found.entity() else {
        return Ok(false);
    };
    let held: Vec<String> = user.roles.iter().map(|r| r.tenant_id.clone()).collect();
    Ok(mdms::tenants_by_codes(conn, &held)?
        .iter()
        .filter(|t| t.is_gram_panchayat())
        .any(|t| m.village_chain(t).iter().any(|e| e == target)))
}

/// The village of GP `tenant` with its ancestry and project, for its details page.
pub fn village(
    conn: &mut PgConnection,
    state_tenant: &str,
    tenant: &str,
) -> AppResult<Option<(Vec<Entity>, Project)>> {
    let Some(m) = Masters::load(conn, state_tenant)? else {
        return Ok(None);
    };
    let Some(t) = mdms::tenant(conn, tenant)?.filter(Tenant::is_gram_panchayat) else {
        return Ok(None);
    };
    let chain = m.village_chain(&t);
    let Some(v) = chain.last() else {
        return Ok(None);
    };
    let project = project_of(&m.state.code, v);
    Ok(Some((chain, project)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_uuids_and_differ_by_level_and_code() {
        let a = entity_id("pb", 6, "7374");
        assert_eq!(a, entity_id("pb", 6, "7374"));
        assert_ne!(a, entity_id("pb", 5, "7374"));
        assert_ne!(a, entity_id("pb", 6, "7204"));
        let u = uuid::Uuid::parse_str(&a).ok();
        assert_eq!(u.map(|u| u.get_version_num()), Some(8));
        assert_ne!(project_id("pb", "7374"), a);
    }
}
