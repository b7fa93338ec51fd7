//! Yew bindings for the Airbyte Embedded widget.
