// The JSON-Schema form engine: turns a connector's connectionSpecification into form fields and reads
// the values back. A node is {element, collect(), validate(), …}, registered in ctx.nodes by dot path so
// server field errors and OAuth results can find their field.

import { h } from "./dom.js";

/** What the API puts in place of a stored secret; sending it back keeps the secret. */
export const MASK = "**********";

export function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

export function getPath(object, path) {
  let current = object;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = current[key];
  }
  return current;
}

export function setPath(object, path, value) {
  let current = object;
  for (let i = 0; i < path.length - 1; i++) {
    if (current[path[i]] === null || typeof current[path[i]] !== "object") current[path[i]] = {};
    current = current[path[i]];
  }
  current[path[path.length - 1]] = value;
}

function fieldId(path) {
  return "field-" + path.map((p) => String(p).replace(/[^A-Za-z0-9_-]/g, "_")).join("-");
}

function humanize(key) {
  const text = String(key).replace(/[_-]+/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Descriptions in connector specs often contain HTML or Markdown links: keep just their text. */
function plainText(description) {
  if (typeof description !== "string") return "";
  const template = document.createElement("template");
  template.innerHTML = description.replace(/\[([^\]]+)\]\(([^)]+)\)/g, "$1");
  return (template.content.textContent || "").replace(/\s+/g, " ").trim();
}

function primaryType(schema) {
  if (Array.isArray(schema.type)) {
    return schema.type.find((t) => t !== "null") || "string";
  }
  if (schema.type) return schema.type;
  if (schema.properties) return "object";
  if (schema.oneOf) return "object";
  if (Array.isArray(schema.enum) && schema.enum.length && typeof schema.enum[0] !== "string") return typeof schema.enum[0];
  return "string";
}

function isConstLike(schema) {
  return Object.prototype.hasOwnProperty.call(schema, "const") || (Array.isArray(schema.enum) && schema.enum.length === 1);
}

function constValue(schema) {
  return Object.prototype.hasOwnProperty.call(schema, "const") ? schema.const : schema.enum[0];
}

function orderedProperties(schema) {
  const entries = Object.entries(schema.properties || {}).map(([key, sub], index) => ({ key: key, schema: sub || {}, index: index }));
  const orderOf = (e) => (typeof e.schema.order === "number" ? e.schema.order : Number.POSITIVE_INFINITY);
  entries.sort((a, b) => {
    const oa = orderOf(a);
    const ob = orderOf(b);
    if (oa !== ob) return oa < ob ? -1 : 1;
    return a.index - b.index;
  });
  return entries;
}

/** Builds the label, help text and error element shared by every kind of field. */
function fieldParts(path, schema, key, required, extraHelp) {
  const id = fieldId(path);
  const labelText = schema.title || humanize(key);
  const helpText = [plainText(schema.description), extraHelp].filter(Boolean).join(" ");
  const help = helpText ? h("p", { class: "help", id: id + "-help" }, helpText) : null;
  const error = h("p", { class: "field-error", id: id + "-error" });
  const describedBy = [help ? id + "-help" : null, id + "-error"].filter(Boolean).join(" ");
  const mark = required ? h("span", { class: "required-mark", "aria-hidden": "true" }, "*") : null;
  return { id: id, labelText: labelText, help: help, error: error, describedBy: describedBy, mark: mark };
}

/**
 * Builds a node for one property. Every node has: element (or null when hidden), collect() → value or
 * undefined, validate() → list of problems (and shows them), and is registered in ctx.nodes by dot path.
 */
function buildNode(ctx, path, key, schema, required, value) {
  if (schema.airbyte_hidden) {
    return { element: null, collect: () => value, validate: () => [] };
  }
  if (isConstLike(schema)) {
    // e.g. a oneOf variant's discriminator ("auth_type": {"const": "OAuth"}): set automatically.
    const fixed = constValue(schema);
    return { element: null, collect: () => fixed, validate: () => [] };
  }
  const type = primaryType(schema);
  if (Array.isArray(schema.oneOf) && schema.oneOf.length) {
    return buildOneOfNode(ctx, path, key, schema, required, value);
  }
  if (type === "object" && schema.properties) {
    const parts = fieldParts(path, schema, key, required);
    const objectNode = buildObjectNode(ctx, path, schema, value && typeof value === "object" ? value : {}, required);
    const element = h(
      "fieldset",
      { id: parts.id, "aria-describedby": parts.describedBy },
      h("legend", {}, parts.labelText, parts.mark),
      parts.help,
      objectNode.element,
      parts.error
    );
    return { element: element, collect: objectNode.collect, validate: objectNode.validate };
  }
  if (type === "array" && schema.items && primaryType(schema.items) === "string" && !schema.items.oneOf && !schema.items.properties) {
    if (Array.isArray(schema.items.enum)) {
      return buildCheckboxGroup(ctx, path, key, schema, required, value);
    }
    return buildLeaf(ctx, path, key, schema, required, value, "list");
  }
  if (type === "array" && schema.items && primaryType(schema.items) === "object" && schema.items.properties && !schema.items.oneOf) {
    return buildObjectArray(ctx, path, key, schema, required, value);
  }
  if (type === "object" || type === "array") {
    return buildLeaf(ctx, path, key, schema, required, value, "json");
  }
  if (Array.isArray(schema.enum)) return buildLeaf(ctx, path, key, schema, required, value, "select");
  if (type === "boolean") return buildLeaf(ctx, path, key, schema, required, value, "boolean");
  if (type === "integer" || type === "number") return buildLeaf(ctx, path, key, schema, required, value, "number");
  if (schema.airbyte_secret) return buildLeaf(ctx, path, key, schema, required, value, "secret");
  if (schema.multiline) return buildLeaf(ctx, path, key, schema, required, value, "textarea");
  return buildLeaf(ctx, path, key, schema, required, value, "text");
}

export function buildObjectNode(ctx, path, schema, values, objectRequired) {
  const requiredKeys = new Set(Array.isArray(schema.required) ? schema.required : []);
  const children = orderedProperties(schema).map((p) => ({
    key: p.key,
    node: buildNode(ctx, path.concat(p.key), p.key, p.schema, requiredKeys.has(p.key), values[p.key]),
  }));
  const container = h("div", { class: "object-fields" }, children.map((c) => c.node.element));
  return {
    element: container,
    collect() {
      const result = {};
      for (const child of children) {
        const v = child.node.collect();
        if (v !== undefined) result[child.key] = v;
      }
      const meaningful = children.some((c) => c.node.element && result[c.key] !== undefined);
      return meaningful || objectRequired || path.length === 0 ? result : undefined;
    },
    validate() {
      return children.flatMap((c) => c.node.validate());
    },
  };
}

function variantMatches(variant, value) {
  if (!value || typeof value !== "object") return false;
  const props = Object.entries(variant.properties || {}).filter(([, s]) => s && isConstLike(s));
  if (props.length) return props.every(([k, s]) => value[k] === constValue(s));
  const required = Array.isArray(variant.required) ? variant.required : [];
  return required.length > 0 && required.every((k) => value[k] !== undefined);
}

function buildOneOfNode(ctx, path, key, schema, required, value) {
  const variants = schema.oneOf;
  let selected = variants.findIndex((v) => variantMatches(v, value));
  if (selected < 0 && schema.default) selected = variants.findIndex((v) => variantMatches(v, schema.default));
  if (selected < 0) selected = 0;

  const parts = fieldParts(path, schema, key, required);
  const select = h(
    "select",
    { id: parts.id, "aria-describedby": parts.describedBy },
    variants.map((v, i) => h("option", { value: String(i) }, v.title || "Option " + (i + 1)))
  );
  select.value = String(selected);
  const slot = h("div", { class: "variant-fields" });
  let current = null;
  // Values typed into a variant are kept when switching away and back.
  const remembered = { [selected]: value && typeof value === "object" ? value : {} };

  function renderVariant(index, initial) {
    if (current && !initial) remembered[selected] = current.collect() || {};
    selected = index;
    const prefix = path.join(".") + ".";
    for (const k of Array.from(ctx.nodes.keys())) {
      if (k.startsWith(prefix)) ctx.nodes.delete(k);
    }
    current = buildObjectNode(ctx, path, variants[index], remembered[index] || {}, true);
    const hasFields = Object.values(variants[index].properties || {}).some((s) => s && !isConstLike(s) && !s.airbyte_hidden);
    slot.replaceChildren(hasFields ? h("fieldset", {}, h("legend", {}, variants[index].title || parts.labelText), current.element) : current.element);
  }
  renderVariant(selected, true);
  select.addEventListener("change", () => {
    renderVariant(Number(select.value), false);
    ctx.onStructureChange();
  });

  const node = {
    element: h(
      "div",
      { class: "oneof" },
      h("div", { class: "field" }, h("label", { for: parts.id }, parts.labelText, parts.mark), select, parts.help, parts.error),
      slot
    ),
    collect: () => current.collect(),
    validate: () => current.validate(),
    setError(message) {
      parts.error.textContent = message || "";
      select.setAttribute("aria-invalid", message ? "true" : "false");
    },
    focus: () => select.focus(),
  };
  ctx.nodes.set(path.join("."), node);
  return node;
}

function buildCheckboxGroup(ctx, path, key, schema, required, value) {
  const parts = fieldParts(path, schema, key, required);
  const initial = Array.isArray(value) ? value : Array.isArray(schema.default) ? schema.default : [];
  const boxes = schema.items.enum.map((option, i) => {
    const id = parts.id + "-" + i;
    const input = h("input", { type: "checkbox", id: id, checked: initial.includes(option) });
    return { option: option, input: input, element: h("div", { class: "checkbox-field" }, input, h("label", { for: id }, String(option))) };
  });
  const node = {
    element: h("fieldset", { id: parts.id, "aria-describedby": parts.describedBy }, h("legend", {}, parts.labelText, parts.mark), boxes.map((b) => b.element), parts.help, parts.error),
    collect() {
      const chosen = boxes.filter((b) => b.input.checked).map((b) => b.option);
      return chosen.length ? chosen : undefined;
    },
    validate() {
      const chosen = boxes.filter((b) => b.input.checked).length;
      let message = null;
      if (required && chosen === 0) message = parts.labelText + " is required: choose at least one.";
      else if (typeof schema.minItems === "number" && chosen < schema.minItems && chosen > 0) message = "Choose at least " + schema.minItems + ".";
      node.setError(message);
      return message ? [{ node: node, message: message }] : [];
    },
    setError(message) {
      parts.error.textContent = message || "";
    },
    setValue(v) {
      for (const b of boxes) b.input.checked = Array.isArray(v) && v.includes(b.option);
    },
    focus: () => boxes[0] && boxes[0].input.focus(),
  };
  ctx.nodes.set(path.join("."), node);
  return node;
}

/** An array of objects: one fieldset per item, with "Remove" buttons and an "Add" button. */
function buildObjectArray(ctx, path, key, schema, required, value) {
  const parts = fieldParts(path, schema, key, required);
  const itemTitle = schema.items.title || "item";
  let items = Array.isArray(value) ? value.slice() : Array.isArray(schema.default) ? clone(schema.default) : [];
  let rows = [];
  const list = h("div", { class: "array-items" });
  const addButton = h(
    "button",
    { type: "button", class: "button secondary small", id: parts.id + "-add", "aria-label": "Add " + itemTitle.toLowerCase() + " to " + parts.labelText },
    "Add " + itemTitle.toLowerCase()
  );

  function forgetRows() {
    const prefix = path.join(".") + ".";
    for (const k of Array.from(ctx.nodes.keys())) {
      if (k.startsWith(prefix)) ctx.nodes.delete(k);
    }
  }

  function renderRows() {
    forgetRows();
    rows = items.map((item, index) => {
      const node = buildObjectNode(ctx, path.concat(index), schema.items, item && typeof item === "object" ? item : {}, true);
      const remove = h("button", { type: "button", class: "link-button", "aria-label": "Remove " + itemTitle.toLowerCase() + " " + (index + 1) }, "Remove");
      remove.addEventListener("click", () => {
        items = rows.map((r) => r.node.collect() || {});
        items.splice(index, 1);
        renderRows();
        addButton.focus();
      });
      return { node: node, element: h("fieldset", {}, h("legend", {}, itemTitle + " " + (index + 1)), node.element, remove) };
    });
    list.replaceChildren(...rows.map((r) => r.element));
  }

  addButton.addEventListener("click", () => {
    items = rows.map((r) => r.node.collect() || {});
    items.push({});
    renderRows();
    const inputs = rows[rows.length - 1].element.querySelectorAll("input, select, textarea");
    if (inputs.length) inputs[0].focus();
  });
  renderRows();

  const node = {
    element: h("fieldset", { id: parts.id, "aria-describedby": parts.describedBy }, h("legend", {}, parts.labelText, parts.mark), parts.help, list, addButton, parts.error),
    collect() {
      const collected = rows.map((r) => r.node.collect() || {});
      return collected.length || required ? collected : undefined;
    },
    validate() {
      const problems = rows.flatMap((r) => r.node.validate());
      let message = null;
      if (required && rows.length === 0) message = parts.labelText + " is required: add at least one.";
      else if (typeof schema.minItems === "number" && rows.length < schema.minItems) message = "Add at least " + schema.minItems + ".";
      node.setError(message);
      return message ? problems.concat([{ node: node, message: message }]) : problems;
    },
    setError(message) {
      parts.error.textContent = message || "";
    },
    focus: () => addButton.focus(),
  };
  ctx.nodes.set(path.join("."), node);
  return node;
}

function compileRegex(pattern) {
  try {
    return new RegExp(pattern, "u");
  } catch (_error) {
    try {
      return new RegExp(pattern);
    } catch (_error2) {
      return null;
    }
  }
}

/** Leaf kinds: text, secret, textarea, number, boolean, select, list (comma-separated strings), json. */
function buildLeaf(ctx, path, key, schema, required, value, kind) {
  const initial = value !== undefined ? value : schema.default;
  const extraHelp = kind === "list" ? "Separate multiple values with commas." : kind === "json" ? "Enter JSON." : "";
  const parts = fieldParts(path, schema, key, required, extraHelp);
  const examples = Array.isArray(schema.examples) ? schema.examples : schema.examples !== undefined ? [schema.examples] : [];
  let placeholder = examples.length ? (kind === "list" ? examples.flat().join(", ") : String(typeof examples[0] === "object" ? JSON.stringify(examples[0]) : examples[0])) : schema.pattern_descriptor || undefined;
  const common = { id: parts.id, name: path.join("."), "aria-describedby": parts.describedBy, "aria-required": required ? "true" : undefined };

  let input;
  if (kind === "select") {
    const hasEmpty = !required || initial === undefined;
    input = h(
      "select",
      common,
      hasEmpty ? h("option", { value: "" }, required ? "Select…" : "(none)") : null,
      schema.enum.map((option, i) => h("option", { value: String(i) }, String(option)))
    );
    const index = schema.enum.findIndex((o) => o === initial);
    input.value = index >= 0 ? String(index) : "";
  } else if (kind === "boolean") {
    input = h("input", Object.assign({ type: "checkbox", checked: initial === true }, common));
  } else if (kind === "number") {
    input = h(
      "input",
      Object.assign({ type: "number", inputmode: primaryType(schema) === "integer" ? "numeric" : "decimal", step: primaryType(schema) === "integer" ? "1" : "any", min: schema.minimum, max: schema.maximum, placeholder: placeholder }, common)
    );
    input.value = initial === undefined || initial === null ? "" : String(initial);
  } else if (kind === "textarea" || kind === "json") {
    input = h("textarea", Object.assign({ rows: kind === "json" ? 4 : 3, placeholder: placeholder, spellcheck: "false" }, common));
    input.value = initial === undefined || initial === null ? "" : kind === "json" ? JSON.stringify(initial, null, 2) : String(initial);
  } else {
    const secret = kind === "secret";
    input = h("input", Object.assign({ type: secret ? "password" : "text", autocomplete: secret ? "new-password" : "off", spellcheck: "false", placeholder: placeholder }, common));
    input.value = initial === undefined || initial === null ? "" : kind === "list" ? (Array.isArray(initial) ? initial.join(", ") : String(initial)) : String(initial);
  }

  const oauthNote = h("p", { class: "oauth-note", hidden: true });
  if (kind === "secret" && initial === MASK) {
    oauthNote.hidden = false;
    oauthNote.textContent = "A saved secret is hidden here. Leave it as it is to keep it, or type a new value.";
  }

  const label = h("label", { for: parts.id }, parts.labelText, parts.mark);
  const element =
    kind === "boolean"
      ? h("div", { class: "field" }, h("div", { class: "checkbox-field" }, input, label), parts.help, oauthNote, parts.error)
      : h("div", { class: "field" }, label, input, parts.help, oauthNote, parts.error);

  function rawValue() {
    if (kind === "boolean") return input.checked;
    if (kind === "select") return input.value === "" ? undefined : schema.enum[Number(input.value)];
    return input.value;
  }

  const node = {
    element: element,
    kind: kind,
    collect() {
      const raw = rawValue();
      if (kind === "boolean" || kind === "select") return raw;
      if (raw === "") return undefined;
      if (kind === "number") return Number(raw);
      if (kind === "list") {
        const items = raw.split(",").map((s) => s.trim()).filter(Boolean);
        return items.length ? items : undefined;
      }
      if (kind === "json") {
        try {
          return JSON.parse(raw);
        } catch (_error) {
          return undefined;
        }
      }
      return raw;
    },
    validate() {
      const message = validateLeaf();
      node.setError(message);
      return message ? [{ node: node, message: message }] : [];
    },
    setError(message) {
      parts.error.textContent = message || "";
      input.setAttribute("aria-invalid", message ? "true" : "false");
    },
    setValue(v) {
      if (kind === "boolean") input.checked = v === true || v === "true";
      else if (kind === "select") input.value = String(Math.max(schema.enum.findIndex((o) => o === v), 0));
      else if (kind === "list") input.value = Array.isArray(v) ? v.join(", ") : String(v);
      else if (kind === "json") input.value = JSON.stringify(v, null, 2);
      else input.value = v === null || v === undefined ? "" : String(v);
      node.setError(null);
    },
    markFilledBy(text) {
      if (input.tagName === "INPUT" && input.type === "text") input.type = "password";
      oauthNote.hidden = false;
      oauthNote.textContent = text;
    },
    focus: () => input.focus(),
  };

  function validateLeaf() {
    const label = parts.labelText;
    if (kind === "boolean") return null;
    if (kind === "number" && input.validity && input.validity.badInput) return "Enter a number.";
    const raw = rawValue();
    if (raw === undefined || raw === "") {
      return required ? label + " is required." : null;
    }
    if (kind === "select") {
      return schema.enum.includes(raw) ? null : "Choose one of the listed values.";
    }
    if (kind === "number") {
      const n = Number(raw);
      if (!Number.isFinite(n)) return "Enter a number.";
      if (primaryType(schema) === "integer" && !Number.isInteger(n)) return "Enter a whole number.";
      if (typeof schema.minimum === "number" && n < schema.minimum) return "Must be at least " + schema.minimum + ".";
      if (typeof schema.maximum === "number" && n > schema.maximum) return "Must be at most " + schema.maximum + ".";
      if (typeof schema.exclusiveMinimum === "number" && n <= schema.exclusiveMinimum) return "Must be greater than " + schema.exclusiveMinimum + ".";
      if (typeof schema.exclusiveMaximum === "number" && n >= schema.exclusiveMaximum) return "Must be less than " + schema.exclusiveMaximum + ".";
      return null;
    }
    if (kind === "json") {
      let parsed;
      try {
        parsed = JSON.parse(raw);
      } catch (error) {
        return "Enter valid JSON (" + error.message + ").";
      }
      const expected = primaryType(schema);
      if (expected === "array" && !Array.isArray(parsed)) return "Enter a JSON array.";
      if (expected === "object" && (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))) return "Enter a JSON object.";
      return null;
    }
    if (kind === "list") {
      const items = raw.split(",").map((s) => s.trim()).filter(Boolean);
      if (required && items.length === 0) return label + " is required.";
      if (typeof schema.minItems === "number" && items.length < schema.minItems) return "Enter at least " + schema.minItems + " value(s).";
      const itemPattern = schema.items && schema.items.pattern ? compileRegex(schema.items.pattern) : null;
      const bad = itemPattern ? items.find((item) => !itemPattern.test(item)) : undefined;
      return bad !== undefined ? "'" + bad + "' does not have the expected format." : null;
    }
    // strings
    if (kind === "secret" && raw === MASK) return null; // the stored secret is kept by the server
    if (typeof schema.minLength === "number" && raw.length < schema.minLength) return "Must be at least " + schema.minLength + " characters.";
    if (typeof schema.maxLength === "number" && raw.length > schema.maxLength) return "Must be at most " + schema.maxLength + " characters.";
    if (typeof schema.pattern === "string") {
      const regex = compileRegex(schema.pattern);
      if (regex && !regex.test(raw)) {
        const descriptor = schema.pattern_descriptor || (examples.length ? "e.g. " + examples[0] : "");
        return "Does not have the expected format" + (descriptor ? " (" + descriptor + ")" : "") + ".";
      }
    }
    return null;
  }

  ctx.nodes.set(path.join("."), node);
  return node;
}
