// DOM builders for the authentication-module page: h() for elements, iconElement() for connector icons.
// Text always goes in as text nodes, never parsed as HTML, so connector names and server messages
// cannot inject markup.

/** h("button", {class: "x", onclick: fn}, "text", childNode, …) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      el.className = value;
    } else if (name === "value" || name === "checked" || name === "hidden" || name === "disabled") {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
  return el;
}

export function iconElement(icon, name) {
  let src = null;
  if (typeof icon === "string" && icon.trim()) {
    const trimmed = icon.trim();
    if (trimmed.startsWith("<svg") || trimmed.startsWith("<?xml")) {
      src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(trimmed);
    } else if (/^(data:image\/|\/|https?:\/\/)/i.test(trimmed)) {
      src = trimmed;
    }
  }
  if (src) {
    return h("img", { class: "icon", src: src, alt: "", width: 32, height: 32 });
  }
  return h("span", { class: "icon placeholder", "aria-hidden": "true" }, (name || "?").trim().charAt(0).toUpperCase());
}
