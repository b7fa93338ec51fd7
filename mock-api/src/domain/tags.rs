//! Tags: the organization's labels for source and connection templates, which widget tokens select
//! templates by. One rule for a tag name, and renames and deletes that follow every template.

use airbyte_embedded::{ConnectionTemplate, DeletedResponse, DetailedSourceTemplate, Tag};
use indexmap::IndexMap;
use uuid::Uuid;

use super::store::{Data, Store, TemplateRecord};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::ids::Ids;
use crate::warning::{Leniency, Warnings};

/// The longest tag name the mock's rule allows (without `--strict`, longer ones are warned about).
pub(crate) const MAX_TAG_NAME_CHARS: usize = 64;

/// The one rule for a tag name, wherever one is sent: non-blank and at most 64 characters.
pub(crate) fn validate_tag_name(name: &str) -> Result<(), &'static str> {
    if name.trim().is_empty() {
        Err("tag names must not be empty")
    } else if name.chars().count() > MAX_TAG_NAME_CHARS {
        Err("tag names must be at most 64 characters")
    } else {
        Ok(())
    }
}

/// One tag name sent as `field`: the error names the field itself.
pub(crate) fn check_tag_name(field: &str, name: &str) -> AppResult<()> {
    validate_tag_name(name).map_err(|problem| AppError::invalid(field, problem))
}

/// Tag names sent by an operator (`field`, or `field[i]` for each of a list's items when `indexed`).
/// The published document sets no rule on tag names, so one the mock's rule refuses (blank, over 64
/// characters) is a leniency: used as it is with a warning, the 422 under `--strict`.
pub(crate) fn lenient_tag_names<'a>(
    warnings: &mut Warnings,
    field: &str,
    names: impl IntoIterator<Item = &'a String>,
    indexed: bool,
) -> AppResult<()> {
    for (i, name) in names.into_iter().enumerate() {
        if let Err(problem) = validate_tag_name(name) {
            let field = if indexed {
                format!("{field}[{i}]")
            } else {
                field.to_owned()
            };
            warnings.lenient(Leniency {
                warning: format!(
                    "{field}: {problem}; Airbyte's published document sets no rule on tag names, so the mock used it \
                     as it is: send a non-blank name of at most {MAX_TAG_NAME_CHARS} characters"
                ),
                refusal: problem.to_owned(),
                field,
                code: "invalid_tag",
                suggestion: None,
            })?;
        }
    }
    Ok(())
}

/// A list of tag names sent as `field`: the error names the item, e.g. `tags[1]`.
pub(crate) fn check_tag_names<'a>(
    field: &str,
    names: impl IntoIterator<Item = &'a String>,
) -> AppResult<()> {
    for (i, name) in names.into_iter().enumerate() {
        check_tag_name(&format!("{field}[{i}]"), name)?;
    }
    Ok(())
}

impl Data {
    /// Creates the tag if it does not exist yet.
    pub(in crate::domain) fn ensure_tag(&mut self, name: &str, ids: &mut Ids, now: &str) {
        if !self.tags.contains_key(name) {
            let tag = Tag {
                id: ids.uuid(),
                name: name.to_owned(),
                organization_id: self.organization_id,
                created_at: now.to_owned(),
                updated_at: now.to_owned(),
            };
            self.tags.insert(name.to_owned(), tag);
        }
    }

    /// Every template's tag list, source and connection alike.
    fn template_tag_lists(&mut self) -> impl Iterator<Item = &mut Vec<String>> {
        self.source_templates
            .values_mut()
            .map(|t| &mut t.template.tags)
            .chain(self.connection_templates.values_mut().map(|t| &mut t.tags))
    }
}

pub(crate) fn list(store: &Store) -> Vec<Tag> {
    store.read(|d| d.tags.values().cloned().collect())
}

/// A new tag; 409 if the name is taken. (The caller judged the name: [`lenient_tag_names`].)
pub(crate) fn create(store: &Store, name: &str) -> AppResult<Tag> {
    store.write(|data, ids| {
        if data.tags.contains_key(name) {
            return Err(AppError::conflict(format!("Tag '{name}' already exists")));
        }
        data.ensure_tag(name, ids, &clock::now_rfc3339());
        data.tags
            .get(name)
            .cloned()
            .ok_or_else(|| AppError::not_found("Tag", name))
    })
}

/// Renames a tag and every template's use of it; 409 if the new name is another tag's. (The caller
/// judged the new name: [`lenient_tag_names`].)
pub(crate) fn rename(store: &Store, from: &str, to: &str) -> AppResult<Tag> {
    store.write(|data, _| {
        if to != from && data.tags.contains_key(to) {
            return Err(AppError::conflict(format!("Tag '{to}' already exists")));
        }
        let mut tag = data
            .tags
            .shift_remove(from)
            .ok_or_else(|| AppError::not_found("Tag", from))?;
        tag.name = to.to_owned();
        tag.updated_at = clock::now_rfc3339();
        for tags in data.template_tag_lists() {
            tags.iter_mut()
                .filter(|t| *t == from)
                .for_each(|t| *t = to.to_owned());
        }
        data.tags.insert(to.to_owned(), tag.clone());
        Ok(tag)
    })
}

/// Deletes a tag and detaches it from every template.
pub(crate) fn delete(store: &Store, name: &str) -> AppResult<DeletedResponse> {
    store.write(|data, _| {
        let tag = data
            .tags
            .shift_remove(name)
            .ok_or_else(|| AppError::not_found("Tag", name))?;
        for tags in data.template_tag_lists() {
            tags.retain(|t| t != name);
        }
        Ok(DeletedResponse {
            id: tag.id,
            deleted_at: clock::now_rfc3339(),
        })
    })
}

/// Source and connection templates both carry tags; attaching and detaching works the same on both.
pub(crate) trait Tagged: Sized {
    const WHAT: &'static str;
    /// What GET on the template answers.
    type Body: serde::Serialize;
    fn body(&self) -> Self::Body;
    fn templates(data: &mut Data) -> &mut IndexMap<Uuid, Self>;
    fn tags(&mut self) -> &mut Vec<String>;
    fn touch(&mut self, now: String);
}

impl Tagged for TemplateRecord {
    const WHAT: &'static str = "Source template";
    type Body = DetailedSourceTemplate;
    fn body(&self) -> DetailedSourceTemplate {
        self.template.clone()
    }
    fn templates(data: &mut Data) -> &mut IndexMap<Uuid, Self> {
        &mut data.source_templates
    }
    fn tags(&mut self) -> &mut Vec<String> {
        &mut self.template.tags
    }
    fn touch(&mut self, now: String) {
        self.template.updated_at = Some(now);
    }
}

impl Tagged for ConnectionTemplate {
    const WHAT: &'static str = "Connection template";
    type Body = Self;
    fn body(&self) -> Self {
        self.clone()
    }
    fn templates(data: &mut Data) -> &mut IndexMap<Uuid, Self> {
        &mut data.connection_templates
    }
    fn tags(&mut self) -> &mut Vec<String> {
        &mut self.tags
    }
    fn touch(&mut self, now: String) {
        self.updated_at = Some(now);
    }
}

/// Attaches `tag` (sent as the body's `tag`) to template `id`, creating the tag if it is new. (The
/// caller judged the name: [`lenient_tag_names`].)
pub(crate) fn attach<T: Tagged>(store: &Store, id: Uuid, tag: &str) -> AppResult<T::Body> {
    store.write(|data, ids| {
        if !T::templates(data).contains_key(&id) {
            return Err(AppError::not_found(T::WHAT, id));
        }
        let now = clock::now_rfc3339();
        data.ensure_tag(tag, ids, &now);
        let template = T::templates(data)
            .get_mut(&id)
            .ok_or_else(|| AppError::not_found(T::WHAT, id))?;
        if !template.tags().iter().any(|t| t == tag) {
            template.tags().push(tag.to_owned());
            template.touch(now);
        }
        Ok(template.body())
    })
}

/// Detaches `tag` from template `id`; 404 when the template does not carry it.
pub(crate) fn detach<T: Tagged>(store: &Store, id: Uuid, tag: &str) -> AppResult<T::Body> {
    store.write(|data, _| {
        let template = T::templates(data)
            .get_mut(&id)
            .ok_or_else(|| AppError::not_found(T::WHAT, id))?;
        let before = template.tags().len();
        template.tags().retain(|t| t != tag);
        if template.tags().len() == before {
            return Err(AppError::not_found(
                &format!("Tag on this {}", T::WHAT.to_lowercase()),
                tag,
            ));
        }
        template.touch(clock::now_rfc3339());
        Ok(template.body())
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::tests::{first_template_id, store};

    #[test]
    fn a_tag_name_is_non_blank_and_at_most_64_characters() {
        assert!(validate_tag_name("crm").is_ok());
        assert!(validate_tag_name(&"é".repeat(64)).is_ok());
        assert!(validate_tag_name(&"é".repeat(65)).is_err());
        assert!(validate_tag_name("").is_err());
        assert!(validate_tag_name("  ").is_err());
        let err = check_tag_names("tags", &["ok".to_owned(), " ".to_owned()]).unwrap_err();
        assert_eq!(err.body.errors[0].field.as_deref(), Some("tags[1]"));
    }

    #[test]
    fn rename_follows_every_template_and_refuses_a_taken_name() {
        let store = store();
        let id = first_template_id(&store);
        attach::<TemplateRecord>(&store, id, "finance").unwrap();
        create(&store, "sales").unwrap();
        assert_eq!(
            rename(&store, "finance", "sales").unwrap_err().status,
            axum::http::StatusCode::CONFLICT
        );
        rename(&store, "finance", "money").unwrap();
        let template = store.read(|d| d.source_templates[&id].template.tags.clone());
        assert!(template.contains(&"money".to_owned()), "{template:?}");
        assert!(!template.contains(&"finance".to_owned()), "{template:?}");
        assert!(list(&store).iter().any(|t| t.name == "money"));
    }

    #[test]
    fn delete_detaches_from_every_template() {
        let store = store();
        let id = first_template_id(&store);
        attach::<TemplateRecord>(&store, id, "doomed").unwrap();
        let connection = store.read(|d| *d.connection_templates.keys().next().unwrap());
        attach::<ConnectionTemplate>(&store, connection, "doomed").unwrap();
        delete(&store, "doomed").unwrap();
        store.read(|d| {
            assert!(
                !d.source_templates[&id]
                    .template
                    .tags
                    .contains(&"doomed".to_owned())
            );
            assert!(d.connection_templates[&connection].tags.is_empty());
            assert!(!d.tags.contains_key("doomed"));
        });
        assert!(detach::<TemplateRecord>(&store, id, "doomed").is_err());
    }
}
