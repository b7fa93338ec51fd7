/*
 * AirbyteEmbeddedWidget (ES-module form): offline stand-in served by airbyte-mock at /widget.esm.js.
 *
 * Template: the server replaces the marker comment line below with the lines strictly between
 * "// --- BEGIN AirbyteEmbeddedWidget ---" and "// --- END AirbyteEmbeddedWidget ---" of widget.js,
 * so the class exists once. Usage:
 *
 *   import AirbyteEmbeddedWidget from "http://127.0.0.1:8001/widget.esm.js";
 *   import { AirbyteEmbeddedWidget } from "http://127.0.0.1:8001/widget.esm.js";
 */

/*__WIDGET_CLASS__*/

// Like the real package, importing it also defines the global.
if (typeof window !== "undefined") {
  window.AirbyteEmbeddedWidget = AirbyteEmbeddedWidget;
}

export { AirbyteEmbeddedWidget };
export default AirbyteEmbeddedWidget;
