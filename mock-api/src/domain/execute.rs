//! `POST /api/v1/integrations/connectors/{id}/execute`: an agent's `list`, `get` and `search` on a
//! connected source's entities, answered with fake records.
//!
//! The records are a pure function of the mock's seed, the source id, the entity and the record's
//! position: each record has its own ChaCha generator seeded from those (never the store's shared
//! id generator), so executing changes no state and gives the same records every time, whatever
//! else happened. Which entities a connector has, and their fields, is data ([`tables`]).

mod tables;

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fake::Fake;
use fake::faker::{address, company, internet, job, lorem, name, phone_number};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::store::Store;
use crate::catalog::Catalog;
use crate::error::{AppError, AppResult};
use tables::{EntityDef, Total};

/// The actions this mock simulates.
pub(crate) const ACTIONS: [&str; 3] = ["list", "get", "search"];
/// `list` and `search` page size when `params.limit` is absent, and its ceiling.
const DEFAULT_LIMIT: u64 = 10;
const MAX_LIMIT: u64 = 100;
/// The search operators of `params.query.filter`.
const OPERATORS: [&str; 4] = ["eq", "neq", "like", "in"];
/// 2023-01-01T00:00:00Z: the first record's creation; later records are about three hours apart.
const EPOCH: i64 = 1_672_531_200;
const SPACING: i64 = 3 * 3600;

/// `ConnectorExecuteRequest`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub(crate) struct ExecuteRequest {
    pub(crate) entity: String,
    pub(crate) action: String,
    #[serde(default)]
    pub(crate) params: Option<Map<String, Value>>,
    #[serde(default)]
    pub(crate) select_fields: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) exclude_fields: Option<Vec<String>>,
    /// Accepted; records are never truncated here.
    #[serde(default)]
    #[allow(dead_code)]
    pub(crate) skip_truncation: Option<bool>,
}

/// How one field's value is made.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// `start + index`.
    Seq(u64),
    /// `start + index`, as a string (HubSpot's ids).
    SeqString(u64),
    /// A large unique number: `base + index * step + jitter` (GitHub's ids).
    Id(u64, u64),
    /// `prefix` then `len` alphanumerics (`cus_…`, Salesforce's `001…`).
    Prefixed(&'static str, usize),
    /// A random element of the source configuration's array `key`, or the default.
    FromConfig(&'static str, &'static str),
    /// The id of a random record of another entity of the same connector.
    Ref(&'static str),
    /// `{field}` replaced by fields made before this one.
    Template(&'static str),
    Const(&'static str),
    False,
    /// `true` with this percentage.
    Bool(u8),
    /// An integer in `[low, high]`.
    Int(i64, i64),
    Digits(usize),
    OneOf(&'static [&'static str]),
    /// Up to `n` distinct elements.
    SomeOf(&'static [&'static str], usize),
    FirstName,
    LastName,
    FullName,
    Username,
    Email,
    Phone,
    Company,
    JobTitle,
    Domain,
    Street,
    City,
    State,
    Zip,
    Country,
    CountryCode,
    Title,
    Sentence,
    Paragraph,
    Slug,
    ProductName,
    /// The record's creation time, RFC 3339; grows with the index.
    Created,
    /// Unix seconds (Stripe's `created`).
    CreatedUnix,
    /// `YYYY-MM-DD`.
    CreatedDate,
    /// Some time after the creation, RFC 3339.
    Updated,
    UpdatedDate,
}

/// A stable 64-bit FNV-1a over the parts: the same inputs give the same seed on every build.
fn fnv(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.iter().chain(&[0xff]) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// One source's simulated data: where every record's seed comes from.
pub(crate) struct Dataset<'a> {
    seed: u64,
    source_id: Uuid,
    connector: &'a str,
    config: &'a Map<String, Value>,
}

/// One entity as the source shows it: its name (Postgres' carry their schema) and definition.
#[derive(Debug, Clone)]
pub(crate) struct Entity {
    pub(crate) name: String,
    prefix: String,
    def: &'static EntityDef,
}

impl<'a> Dataset<'a> {
    pub(crate) fn new(
        seed: u64,
        source_id: Uuid,
        connector: &'a str,
        config: &'a Map<String, Value>,
    ) -> Self {
        Self {
            seed,
            source_id,
            connector,
            config,
        }
    }

    /// The entities, in table order (per schema for Postgres).
    pub(crate) fn entities(&self) -> Vec<Entity> {
        let defs = tables::entities(self.connector);
        let prefixes: Vec<String> = if tables::per_schema(self.connector) {
            let schemas: Vec<String> = self
                .config
                .get("schemas")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .filter(|s: &Vec<String>| !s.is_empty())
                .unwrap_or_else(|| vec!["public".to_owned()]);
            schemas
                .into_iter()
                .map(|s| {
                    if s == "public" {
                        String::new()
                    } else {
                        format!("{s}.")
                    }
                })
                .collect()
        } else {
            vec![String::new()]
        };
        prefixes
            .iter()
            .flat_map(|prefix| {
                defs.iter().map(move |def| Entity {
                    name: format!("{prefix}{}", def.name),
                    prefix: prefix.clone(),
                    def,
                })
            })
            .collect()
    }

    pub(crate) fn entity(&self, name: &str) -> Option<Entity> {
        self.entities().into_iter().find(|e| e.name == name)
    }

    pub(crate) fn total(&self, entity: &Entity) -> usize {
        match entity.def.total {
            Total::Fixed(n) => n,
            Total::Config(key, default, max) => self
                .config
                .get(key)
                .and_then(Value::as_u64)
                .map_or(default, |n| usize::try_from(n).unwrap_or(max))
                .clamp(1, max),
        }
    }

    fn rng(&self, entity: &str, index: usize) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(fnv(&[
            &self.seed.to_le_bytes(),
            self.source_id.as_bytes(),
            entity.as_bytes(),
            &(index as u64).to_le_bytes(),
        ]))
    }

    /// Record `index` of `entity` (the first field only when `id_only`).
    fn make(&self, entity: &Entity, index: usize, id_only: bool) -> Value {
        let mut rng = self.rng(&entity.name, index);
        let created =
            EPOCH + index as i64 * SPACING + (0..SPACING).fake_with_rng::<i64, _>(&mut rng);
        let mut record = Value::Object(Map::new());
        for (path, kind) in entity.def.fields {
            let value = self.value(entity, index, created, *kind, &record, &mut rng);
            insert_path(&mut record, path, value);
            if id_only {
                break;
            }
        }
        record
    }

    pub(crate) fn record(&self, entity: &Entity, index: usize) -> Value {
        self.make(entity, index, false)
    }

    fn id_of(&self, entity: &Entity, index: usize) -> Value {
        let id_field = entity.def.fields[0].0;
        get_path(&self.make(entity, index, true), id_field)
            .cloned()
            .unwrap_or(Value::Null)
    }

    fn value(
        &self,
        entity: &Entity,
        index: usize,
        created: i64,
        kind: Kind,
        record: &Value,
        rng: &mut ChaCha8Rng,
    ) -> Value {
        let idx = index as u64;
        match kind {
            Kind::Seq(start) => json!(start + idx),
            Kind::SeqString(start) => json!((start + idx).to_string()),
            Kind::Id(base, step) => {
                json!(base + idx * step + (0..step).fake_with_rng::<u64, _>(rng))
            }
            Kind::Prefixed(prefix, len) => json!(format!("{prefix}{}", alnum(rng, len))),
            Kind::FromConfig(key, default) => {
                let options: Vec<&str> = self
                    .config
                    .get(key)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if options.is_empty() {
                    json!(default)
                } else {
                    json!(options[(0..options.len()).fake_with_rng::<usize, _>(rng)])
                }
            }
            Kind::Ref(target) => {
                let name = format!("{}{target}", entity.prefix);
                match self.entity(&name) {
                    Some(other) => {
                        let total = self.total(&other);
                        let pick = (0..total).fake_with_rng::<usize, _>(rng);
                        self.id_of(&other, pick)
                    }
                    None => Value::Null,
                }
            }
            Kind::Template(template) => json!(fill(template, record)),
            Kind::Const(s) => json!(s),
            Kind::False => json!(false),
            Kind::Bool(percent) => json!((0..100u8).fake_with_rng::<u8, _>(rng) < percent),
            Kind::Int(low, high) => json!((low..=high).fake_with_rng::<i64, _>(rng)),
            Kind::Digits(n) => json!(
                (0..n)
                    .map(|_| char::from(b'0' + (0..10u8).fake_with_rng::<u8, _>(rng)))
                    .collect::<String>()
            ),
            Kind::OneOf(options) => {
                json!(options[(0..options.len()).fake_with_rng::<usize, _>(rng)])
            }
            Kind::SomeOf(options, n) => {
                let count = (0..=n.min(options.len())).fake_with_rng::<usize, _>(rng);
                let mut picked: Vec<&str> = Vec::new();
                for _ in 0..count {
                    let o = options[(0..options.len()).fake_with_rng::<usize, _>(rng)];
                    if !picked.contains(&o) {
                        picked.push(o);
                    }
                }
                json!(picked)
            }
            Kind::FirstName => json!(name::en::FirstName().fake_with_rng::<String, _>(rng)),
            Kind::LastName => json!(name::en::LastName().fake_with_rng::<String, _>(rng)),
            Kind::FullName => json!(name::en::Name().fake_with_rng::<String, _>(rng)),
            Kind::Username => json!(internet::en::Username().fake_with_rng::<String, _>(rng)),
            Kind::Email => json!(internet::en::SafeEmail().fake_with_rng::<String, _>(rng)),
            Kind::Phone => json!(phone_number::en::PhoneNumber().fake_with_rng::<String, _>(rng)),
            Kind::Company => json!(company::en::CompanyName().fake_with_rng::<String, _>(rng)),
            Kind::JobTitle => json!(job::en::Title().fake_with_rng::<String, _>(rng)),
            Kind::Domain => {
                let word: String = lorem::en::Word().fake_with_rng(rng);
                let suffix: String = internet::en::DomainSuffix().fake_with_rng(rng);
                json!(format!("{}.{suffix}", word.to_lowercase()))
            }
            Kind::Street => json!(format!(
                "{} {}",
                address::en::BuildingNumber().fake_with_rng::<String, _>(rng),
                address::en::StreetName().fake_with_rng::<String, _>(rng)
            )),
            Kind::City => json!(address::en::CityName().fake_with_rng::<String, _>(rng)),
            Kind::State => json!(address::en::StateAbbr().fake_with_rng::<String, _>(rng)),
            Kind::Zip => json!(address::en::ZipCode().fake_with_rng::<String, _>(rng)),
            Kind::Country => json!(address::en::CountryName().fake_with_rng::<String, _>(rng)),
            Kind::CountryCode => json!(address::en::CountryCode().fake_with_rng::<String, _>(rng)),
            Kind::Title => {
                let s: String = company::en::CatchPhrase().fake_with_rng(rng);
                json!(s)
            }
            Kind::Sentence => json!(lorem::en::Sentence(4..10).fake_with_rng::<String, _>(rng)),
            Kind::Paragraph => json!(lorem::en::Paragraph(2..4).fake_with_rng::<String, _>(rng)),
            Kind::Slug => {
                let words: Vec<String> = lorem::en::Words(1..3).fake_with_rng(rng);
                json!(words.join("-").to_lowercase())
            }
            Kind::ProductName => {
                let adjective: String = company::en::BsAdj().fake_with_rng(rng);
                let noun: String = company::en::BsNoun().fake_with_rng(rng);
                json!(format!("{} {noun}", capitalise(&adjective)))
            }
            Kind::Created => json!(rfc3339(created)),
            Kind::CreatedUnix => json!(created),
            Kind::CreatedDate => json!(rfc3339(created)[..10]),
            Kind::Updated => json!(rfc3339(updated(created, rng))),
            Kind::UpdatedDate => json!(rfc3339(updated(created, rng))[..10]),
        }
    }
}

fn updated(created: i64, rng: &mut ChaCha8Rng) -> i64 {
    created + (0..60 * 86_400i64).fake_with_rng::<i64, _>(rng)
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn alnum(rng: &mut ChaCha8Rng, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| char::from(ALPHABET[(0..ALPHABET.len()).fake_with_rng::<usize, _>(rng)]))
        .collect()
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// `{path}` placeholders replaced by the record's values.
fn fill(template: &str, record: &Value) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let path = &rest[open + 1..open + close];
        out.push_str(&scalar(get_path(record, path).unwrap_or(&Value::Null)));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// A scalar as text (strings unquoted), for templates, ids and `like`.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The value at a dot-notation path.
pub(crate) fn get_path<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

fn insert_path(target: &mut Value, path: &str, value: Value) {
    let mut current = target;
    let mut keys = path.split('.').peekable();
    while let Some(key) = keys.next() {
        let Value::Object(map) = current else { return };
        if keys.peek().is_none() {
            map.insert(key.to_owned(), value);
            return;
        }
        current = map
            .entry(key.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

fn remove_path(target: &mut Value, path: &str) {
    match path.rsplit_once('.') {
        None => {
            if let Value::Object(map) = target {
                map.remove(path);
            }
        }
        Some((parent, last)) => {
            let mut current = Some(target);
            for key in parent.split('.') {
                current = current.and_then(|v| v.get_mut(key));
            }
            if let Some(Value::Object(map)) = current {
                map.remove(last);
            }
        }
    }
}

/// `select_fields` (an allowlist, winning) or `exclude_fields` (a blocklist) applied to a record.
pub(crate) fn trim(record: &Value, select: Option<&[String]>, exclude: Option<&[String]>) -> Value {
    if let Some(paths) = select {
        let mut out = Value::Object(Map::new());
        for path in paths {
            if let Some(v) = get_path(record, path) {
                insert_path(&mut out, path, v.clone());
            }
        }
        return out;
    }
    let mut out = record.clone();
    for path in exclude.unwrap_or_default() {
        remove_path(&mut out, path);
    }
    out
}

/// The dot-notation paths of an entity's fields, for error messages and search.
fn field_names(entity: &Entity) -> Vec<&'static str> {
    entity.def.fields.iter().map(|(name, _)| *name).collect()
}

fn encode_cursor(entity: &str, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{entity}:{offset}"))
}

fn decode_cursor(entity: &str, raw: &str, total: usize) -> AppResult<usize> {
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|s| {
            let (e, offset) = s.rsplit_once(':')?;
            (e == entity)
                .then(|| offset.parse::<usize>().ok())
                .flatten()
        })
        .filter(|offset| *offset <= total)
        .ok_or_else(|| {
            AppError::invalid(
                "params.cursor",
                format!("'{raw}' is not a cursor this mock issued for entity '{entity}'"),
            )
        })
}

fn limit(params: &Map<String, Value>) -> AppResult<usize> {
    match params.get("limit") {
        None | Some(Value::Null) => Ok(DEFAULT_LIMIT as usize),
        Some(v) => v
            .as_u64()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .map(|n| n as usize)
            .ok_or_else(|| {
                AppError::invalid(
                    "params.limit",
                    format!("{v} is not an integer from 1 to {MAX_LIMIT}"),
                )
            }),
    }
}

fn cursor(entity: &str, params: &Map<String, Value>, total: usize) -> AppResult<usize> {
    match params.get("cursor") {
        None | Some(Value::Null) => Ok(0),
        Some(Value::String(raw)) => decode_cursor(entity, raw, total),
        Some(other) => Err(AppError::invalid(
            "params.cursor",
            format!("{other} is not a cursor (a string from meta.end_cursor)"),
        )),
    }
}

/// One page of `items` (already in order) from `params`' cursor, with the paging metadata.
fn page(
    entity: &str,
    params: &Map<String, Value>,
    total: usize,
    items: impl FnOnce(usize, usize) -> Vec<Value>,
) -> AppResult<Value> {
    let limit = limit(params)?;
    let offset = cursor(entity, params, total)?;
    let end = (offset + limit).min(total);
    let data = items(offset, end);
    let more = end < total;
    Ok(json!({
        "data": data,
        "meta": {
            "has_next_page": more,
            "end_cursor": more.then(|| encode_cursor(entity, end)),
            "total_count": total,
        },
    }))
}

/// A search condition: `field` compared by `op` to `value`.
struct Condition {
    op: &'static str,
    field: String,
    value: Value,
}

impl Condition {
    fn matches(&self, record: &Value) -> bool {
        let got = get_path(record, &self.field).unwrap_or(&Value::Null);
        let same = |want: &Value| scalar(got) == scalar(want);
        match self.op {
            "eq" => same(&self.value),
            "neq" => !same(&self.value),
            "like" => scalar(got)
                .to_lowercase()
                .contains(&scalar(&self.value).to_lowercase().replace('%', "")),
            "in" => self.value.as_array().is_some_and(|a| a.iter().any(same)),
            _ => false,
        }
    }
}

/// `params.query.filter`: `{"eq": {"state": "open"}, "like": {"title": "sync"}}`, every condition
/// holding.
fn conditions(entity: &Entity, params: &Map<String, Value>) -> AppResult<Vec<Condition>> {
    let filter = params
        .get("query")
        .and_then(|q| q.get("filter"))
        .ok_or_else(|| AppError::missing("params.query.filter"))?;
    let Some(filter) = filter.as_object().filter(|f| !f.is_empty()) else {
        return Err(AppError::invalid(
            "params.query.filter",
            format!(
                "must be an object of conditions, e.g. {{\"eq\": {{\"{}\": …}}}}; operators: {}",
                entity.def.fields[0].0,
                OPERATORS.join(", ")
            ),
        ));
    };
    let names = field_names(entity);
    let mut out = Vec::new();
    for (op, fields) in filter {
        let field_path = format!("params.query.filter.{op}");
        let Some(op) = OPERATORS.iter().copied().find(|o| o == op) else {
            return Err(AppError::invalid(
                &field_path,
                format!(
                    "unknown operator '{op}'; valid operators: {}",
                    OPERATORS.join(", ")
                ),
            ));
        };
        let Some(fields) = fields.as_object().filter(|f| !f.is_empty()) else {
            return Err(AppError::invalid(
                &field_path,
                "must be an object of field: value",
            ));
        };
        for (field, value) in fields {
            if !names
                .iter()
                .any(|n| n == field || n.starts_with(&format!("{field}.")))
            {
                return Err(AppError::invalid(
                    &format!("{field_path}.{field}"),
                    format!(
                        "entity '{}' has no field '{field}'; valid fields: {}",
                        entity.name,
                        names.join(", ")
                    ),
                ));
            }
            if op == "in" && !value.is_array() {
                return Err(AppError::invalid(
                    &format!("{field_path}.{field}"),
                    "'in' takes an array of values",
                ));
            }
            out.push(Condition {
                op,
                field: field.clone(),
                value: value.clone(),
            });
        }
    }
    Ok(out)
}

/// The `result` of `request` on the dataset, before field selection.
fn run(data: &Dataset<'_>, request: &ExecuteRequest) -> AppResult<Value> {
    let entity = data.entity(&request.entity).ok_or_else(|| {
        let valid: Vec<String> = data.entities().into_iter().map(|e| e.name).collect();
        let message = format!(
            "Entity '{}' is not available on {}; valid entities: {}",
            request.entity,
            data.connector,
            valid.join(", ")
        );
        AppError::new(StatusCode::BAD_REQUEST, message.clone()).with(
            Some("entity"),
            message,
            "unknown_entity",
        )
    })?;
    let params = request.params.clone().unwrap_or_default();
    let total = data.total(&entity);
    match request.action.as_str() {
        "list" => page(&entity.name, &params, total, |from, to| {
            (from..to).map(|i| data.record(&entity, i)).collect()
        }),
        "get" => {
            let id = match params.get("id") {
                None | Some(Value::Null) => return Err(AppError::missing("params.id")),
                Some(v @ (Value::String(_) | Value::Number(_))) => scalar(v),
                Some(other) => {
                    return Err(AppError::invalid(
                        "params.id",
                        format!("{other} is not an id (a string or a number)"),
                    ));
                }
            };
            (0..total)
                .find(|i| scalar(&data.id_of(&entity, *i)) == id)
                .map(|i| data.record(&entity, i))
                .ok_or_else(|| AppError::not_found(&format!("{} record", entity.name), id))
        }
        "search" => {
            let conditions = conditions(&entity, &params)?;
            let matches: Vec<Value> = (0..total)
                .map(|i| data.record(&entity, i))
                .filter(|r| conditions.iter().all(|c| c.matches(r)))
                .collect();
            let count = matches.len();
            page(&entity.name, &params, count, |from, to| {
                matches[from..to].to_vec()
            })
        }
        other => {
            let message = format!(
                "Action '{other}' is not supported on entity '{}'; valid actions: {}",
                entity.name,
                ACTIONS.join(", ")
            );
            Err(
                AppError::new(StatusCode::BAD_REQUEST, message.clone()).with(
                    Some("action"),
                    message,
                    "unsupported_action",
                ),
            )
        }
    }
}

/// Field selection over a `result`: each record of a page, or the one record of a `get`.
fn select(result: Value, request: &ExecuteRequest) -> Value {
    let params = request.params.as_ref();
    // A search's own `params.fields` is its allowlist when `select_fields` is absent.
    let fields: Option<Vec<String>> = request.select_fields.clone().or_else(|| {
        (request.action == "search")
            .then(|| {
                params
                    .and_then(|p| p.get("fields"))
                    .and_then(Value::as_array)
                    .cloned()
            })
            .flatten()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
    });
    let select = fields.as_deref();
    let exclude = request.exclude_fields.as_deref();
    if select.is_none() && exclude.is_none() {
        return result;
    }
    match result {
        Value::Object(mut page) if page.contains_key("meta") && request.action != "get" => {
            if let Some(Value::Array(items)) = page.get_mut("data") {
                for item in items.iter_mut() {
                    *item = trim(item, select, exclude);
                }
            }
            Value::Object(page)
        }
        record => trim(&record, select, exclude),
    }
}

/// What execute needs to know about a source.
struct SourceFacts {
    /// The organization of the source's workspace.
    organization_id: Option<Uuid>,
    connector: String,
    definition_id: Uuid,
    config: Map<String, Value>,
}

/// The facts of `source_id`; 404 for an unknown source.
fn source_facts(store: &Store, catalog: &Catalog, source_id: Uuid) -> AppResult<SourceFacts> {
    let (workspace_org, definition_id, config) = store.read(|d| {
        let source = d
            .sources
            .get(&source_id)
            .ok_or_else(|| AppError::not_found("Source", source_id))?;
        let org = d
            .workspaces
            .get(&source.workspace_id)
            .map(|w| w.workspace.organization_id);
        let definition = d
            .source_templates
            .get(&source.template_id)
            .map(|t| t.template.source_definition_id)
            .ok_or_else(|| AppError::not_found("Source", source_id))?;
        Ok::<_, AppError>((org, definition, source.config.map()))
    })?;
    let connector = catalog
        .source(definition_id)
        .map(|d| d.connector_name.clone())
        .unwrap_or_default();
    Ok(SourceFacts {
        organization_id: workspace_org,
        connector,
        definition_id,
        config,
    })
}

/// What `execute` offers on a source: each entity with its fields and record count, and the actions
/// (`GET /_mock/sources/{id}/entities`, for the console and the demo app's data preview; the published
/// document has no such read, and a client learns the entities from the error naming them).
pub(crate) fn entities(store: &Store, catalog: &Catalog, source_id: Uuid) -> AppResult<Value> {
    let SourceFacts {
        connector,
        definition_id,
        config,
        ..
    } = source_facts(store, catalog, source_id)?;
    let seed = store.with_ids(|ids| ids.position().seed);
    let data = Dataset::new(seed, source_id, &connector, &config);
    let entities: Vec<Value> = data
        .entities()
        .iter()
        .map(|entity| {
            json!({
                "name": entity.name,
                "fields": field_names(entity),
                "records": data.total(entity),
            })
        })
        .collect();
    Ok(json!({
        "source_id": source_id,
        "connector_name": connector,
        "source_definition_id": definition_id,
        "actions": ACTIONS,
        "entities": entities,
    }))
}

/// `ConnectorExecuteResponse` of `request` on source `source_id` for the operator of
/// `organization_id`: 404 for an unknown source, 403 for another organization's.
pub(crate) fn execute(
    store: &Store,
    catalog: &Catalog,
    organization_id: Uuid,
    source_id: Uuid,
    request: &ExecuteRequest,
) -> AppResult<Value> {
    let SourceFacts {
        organization_id: workspace_org,
        connector,
        definition_id,
        config,
    } = source_facts(store, catalog, source_id)?;
    if workspace_org != Some(organization_id) {
        return Err(AppError::forbidden(format!(
            "Source {source_id} does not belong to this token's organization"
        )));
    }
    let seed = store.with_ids(|ids| ids.position().seed);
    let data = Dataset::new(seed, source_id, &connector, &config);
    let result = select(run(&data, request)?, request);
    let elapsed = 20
        + fnv(&[
            &seed.to_le_bytes(),
            source_id.as_bytes(),
            request.entity.as_bytes(),
            request.action.as_bytes(),
        ]) % 180;
    Ok(json!({
        "status": "success",
        "result": result,
        "connector_metadata": {
            "connector_name": connector,
            "source_definition_id": definition_id,
            "entity": request.entity,
            "action": request.action,
        },
        "execution_metadata": {
            "connector_instance_id": source_id.to_string(),
            "execution_time_ms": elapsed,
        },
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::HashSet;

    use serde_json::{Map, Value, json};
    use uuid::Uuid;

    use super::{Dataset, ExecuteRequest, run, select, tables};

    const SOURCE: Uuid = Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0);

    fn request(entity: &str, action: &str, params: Value) -> ExecuteRequest {
        ExecuteRequest {
            entity: entity.to_owned(),
            action: action.to_owned(),
            params: params.as_object().cloned(),
            select_fields: None,
            exclude_fields: None,
            skip_truncation: None,
        }
    }

    fn records(seed: u64, source: Uuid, connector: &str, entity: &str) -> Vec<Value> {
        let config = Map::new();
        let data = Dataset::new(seed, source, connector, &config);
        let entity = data.entity(entity).unwrap();
        (0..data.total(&entity))
            .map(|i| data.record(&entity, i))
            .collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_records_and_another_seed_or_source_others() {
        for connector in [
            "source-github",
            "source-stripe",
            "source-hubspot",
            "source-postgres",
            "source-google-sheets",
            "source-salesforce",
            "source-faker",
        ] {
            for def in tables::entities(connector) {
                let a = records(42, SOURCE, connector, def.name);
                assert!(!a.is_empty(), "{connector} {}", def.name);
                assert_eq!(a, records(42, SOURCE, connector, def.name));
                assert_ne!(a, records(43, SOURCE, connector, def.name));
                assert_ne!(a, records(42, Uuid::from_u128(7), connector, def.name));
                let id_field = def.fields[0].0;
                let ids: HashSet<String> = a.iter().map(|r| r[id_field].to_string()).collect();
                assert_eq!(
                    ids.len(),
                    a.len(),
                    "{connector} {} ids are unique",
                    def.name
                );
            }
        }
    }

    #[test]
    fn records_look_like_the_real_thing() {
        let config = json!({"repositories": ["acme/rocket"]});
        let config = config.as_object().unwrap();
        let data = Dataset::new(42, SOURCE, "source-github", config);
        let issues = data.entity("issues").unwrap();
        let issue = data.record(&issues, 0);
        assert_eq!(issue["repository"], "acme/rocket");
        assert_eq!(
            issue["html_url"],
            format!("https://github.com/acme/rocket/issues/{}", issue["number"])
        );
        assert!(issue["user"]["login"].is_string(), "{issue}");
        assert!(issue["created_at"].as_str().unwrap().ends_with('Z'));

        let config = Map::new();
        let stripe = Dataset::new(42, SOURCE, "source-stripe", &config);
        let customers = stripe.entity("customers").unwrap();
        let ids: HashSet<Value> = (0..stripe.total(&customers))
            .map(|i| stripe.record(&customers, i)["id"].clone())
            .collect();
        let charges = stripe.entity("charges").unwrap();
        for i in 0..20 {
            let charge = stripe.record(&charges, i);
            assert!(charge["id"].as_str().unwrap().starts_with("ch_"));
            assert!(
                ids.contains(&charge["customer"]),
                "a charge's customer exists"
            );
        }
    }

    #[test]
    fn postgres_tables_follow_the_configured_schemas() {
        let config = json!({"schemas": ["public", "sales"]});
        let data = Dataset::new(42, SOURCE, "source-postgres", config.as_object().unwrap());
        let names: Vec<String> = data.entities().into_iter().map(|e| e.name).collect();
        assert_eq!(
            names,
            [
                "users",
                "orders",
                "products",
                "sales.users",
                "sales.orders",
                "sales.products"
            ]
        );
        let orders = data.entity("sales.orders").unwrap();
        let user_id = data.record(&orders, 0)["user_id"].as_u64().unwrap();
        assert!((1..=100).contains(&user_id));
    }

    #[test]
    fn faker_users_follow_the_configured_count() {
        let config = json!({"count": 37});
        let data = Dataset::new(42, SOURCE, "source-faker", config.as_object().unwrap());
        assert_eq!(data.total(&data.entity("users").unwrap()), 37);
        assert_eq!(data.total(&data.entity("products").unwrap()), 10);
    }

    #[test]
    fn cursor_paging_covers_every_record_once() {
        let config = Map::new();
        let data = Dataset::new(42, SOURCE, "source-stripe", &config);
        let mut seen = Vec::new();
        let mut cursor = Value::Null;
        let mut pages = 0;
        loop {
            let page = run(
                &data,
                &request("customers", "list", json!({"limit": 7, "cursor": cursor})),
            )
            .unwrap();
            pages += 1;
            let items = page["data"].as_array().unwrap();
            assert!(!items.is_empty() && items.len() <= 7);
            seen.extend(items.iter().map(|r| r["id"].clone()));
            assert_eq!(page["meta"]["total_count"], 150);
            if page["meta"]["has_next_page"] == false {
                assert!(page["meta"]["end_cursor"].is_null());
                break;
            }
            cursor = page["meta"]["end_cursor"].clone();
        }
        assert_eq!(pages, 150_usize.div_ceil(7));
        let all: Vec<Value> = records(42, SOURCE, "source-stripe", "customers")
            .into_iter()
            .map(|r| r["id"].clone())
            .collect();
        assert_eq!(seen, all, "every record once, in order");
    }

    #[test]
    fn a_cursor_of_another_entity_or_a_made_up_one_is_refused() {
        let config = Map::new();
        let data = Dataset::new(42, SOURCE, "source-stripe", &config);
        let page = run(&data, &request("customers", "list", json!({"limit": 2}))).unwrap();
        let cursor = page["meta"]["end_cursor"].clone();
        for params in [json!({"cursor": cursor}), json!({"cursor": "bm9wZQ"})] {
            let err = run(&data, &request("charges", "list", params)).unwrap_err();
            assert_eq!(err.status.as_u16(), 422);
            assert_eq!(err.body.errors[0].field.as_deref(), Some("params.cursor"));
        }
    }

    #[test]
    fn get_finds_a_listed_record_by_its_id_string_or_number() {
        let config = Map::new();
        let data = Dataset::new(42, SOURCE, "source-github", &config);
        let page = run(&data, &request("issues", "list", json!({"limit": 5}))).unwrap();
        let fourth = &page["data"][3];
        for id in [fourth["id"].clone(), json!(fourth["id"].to_string())] {
            let got = run(&data, &request("issues", "get", json!({"id": id}))).unwrap();
            assert_eq!(&got, fourth);
        }
        let err = run(&data, &request("issues", "get", json!({"id": 1}))).unwrap_err();
        assert_eq!(err.status.as_u16(), 404);
        let err = run(&data, &request("issues", "get", json!({}))).unwrap_err();
        assert_eq!(err.body.errors[0].field.as_deref(), Some("params.id"));
    }

    #[test]
    fn search_filters_by_a_field() {
        let config = Map::new();
        let data = Dataset::new(42, SOURCE, "source-github", &config);
        let params = json!({"query": {"filter": {"eq": {"state": "closed"}}}, "limit": 100});
        let found = run(&data, &request("issues", "search", params)).unwrap();
        let items = found["data"].as_array().unwrap();
        let closed = records(42, SOURCE, "source-github", "issues")
            .into_iter()
            .filter(|r| r["state"] == "closed")
            .count();
        assert!(closed > 0);
        assert_eq!(items.len(), closed);
        assert!(items.iter().all(|r| r["state"] == "closed"));

        let nested = json!({"query": {"filter": {"like": {"user.login": "a"}}}});
        let found = run(&data, &request("issues", "search", nested)).unwrap();
        assert!(found["data"].as_array().unwrap().iter().all(|r| {
            r["user"]["login"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains('a')
        }));

        let unknown = json!({"query": {"filter": {"eq": {"colour": "red"}}}});
        let err = run(&data, &request("issues", "search", unknown)).unwrap_err();
        assert_eq!(err.status.as_u16(), 422);
        assert_eq!(
            err.body.errors[0].field.as_deref(),
            Some("params.query.filter.eq.colour")
        );
        assert!(err.body.message.unwrap().contains("title"));
    }

    #[test]
    fn select_fields_trims_and_exclude_fields_removes() {
        let config = Map::new();
        let data = Dataset::new(42, SOURCE, "source-stripe", &config);
        let mut req = request("customers", "list", json!({"limit": 3}));
        req.select_fields = Some(vec!["id".into(), "address.city".into(), "nope".into()]);
        let page = select(run(&data, &req).unwrap(), &req);
        for record in page["data"].as_array().unwrap() {
            let keys: Vec<&String> = record.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["address", "id"]);
            assert_eq!(record["address"].as_object().unwrap().len(), 1);
            assert!(record["address"]["city"].is_string());
        }
        assert_eq!(page["meta"]["total_count"], 150, "paging metadata is kept");

        let mut req = request("customers", "list", json!({"limit": 1}));
        req.exclude_fields = Some(vec!["email".into(), "address.line1".into()]);
        let page = select(run(&data, &req).unwrap(), &req);
        let record = &page["data"][0];
        assert!(record.get("email").is_none() && record.get("name").is_some());
        assert!(
            record["address"].get("line1").is_none() && record["address"].get("city").is_some()
        );
    }

    #[test]
    fn an_unknown_entity_or_action_names_the_valid_ones() {
        let config = Map::new();
        let data = Dataset::new(42, SOURCE, "source-hubspot", &config);
        let err = run(&data, &request("tickets", "list", json!({}))).unwrap_err();
        assert_eq!(err.status.as_u16(), 400);
        assert_eq!(err.body.errors[0].field.as_deref(), Some("entity"));
        assert!(
            err.body
                .message
                .unwrap()
                .contains("valid entities: contacts, companies, deals")
        );
        let err = run(&data, &request("contacts", "create", json!({}))).unwrap_err();
        assert_eq!(err.body.errors[0].field.as_deref(), Some("action"));
        assert!(
            err.body
                .message
                .unwrap()
                .contains("valid actions: list, get, search")
        );
    }

    #[test]
    fn the_source_must_exist_and_belong_to_the_organization_and_nothing_is_written() {
        let store = crate::domain::tests::store();
        let catalog = crate::catalog::Catalog::load().unwrap();
        let template = crate::domain::tests::first_template_id(&store);
        let source = crate::domain::tests::source_for(&store, template);
        let org = store.organization_id();
        let revision = store.revision();
        let entity = store.read(|d| {
            let definition = d.source_templates[&template].template.source_definition_id;
            let connector = &catalog.source(definition).unwrap().connector_name;
            tables::entities(connector)[0].name
        });
        let req = request(entity, "list", json!({}));
        let ok = super::execute(&store, &catalog, org, source, &req).unwrap();
        assert_eq!(
            ok,
            super::execute(&store, &catalog, org, source, &req).unwrap()
        );
        assert_eq!(
            ok["execution_metadata"]["connector_instance_id"],
            source.to_string()
        );
        assert_eq!(store.revision(), revision, "execute writes nothing");
        let err = super::execute(&store, &catalog, Uuid::from_u128(3), source, &req).unwrap_err();
        assert_eq!(err.status.as_u16(), 403);
        let err = super::execute(&store, &catalog, org, Uuid::from_u128(4), &req).unwrap_err();
        assert_eq!(err.status.as_u16(), 404);
    }
}
