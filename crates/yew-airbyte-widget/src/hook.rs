//! [`use_airbyte_widget`]: the widget as a Yew hook.
//!
//! The hook starts loading the script when the component mounts (so the first click does not wait for
//! it), keeps at most one widget instance, and routes its events to the callback of the latest render.
//! `open(token)` destroys the previous instance before constructing the next, and unmounting destroys
//! the last one: no instance outlives its use, so the widget's duplicate-event quirk cannot happen
//! (see [`crate::widget`]).

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use yew::prelude::*;

use crate::WidgetEvent;
use crate::events::ReceivedEvent;
use crate::loader::{is_widget_loaded, load_widget_script};
use crate::widget::Widget;

/// Where the hook is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WidgetState {
    /// The script is loading (on mount, or an `open` waits for it).
    Loading,
    /// The script is loaded; after a successful `open` the widget is shown.
    Ready,
    /// Loading the script, constructing the widget or opening it failed; the text says why.
    /// The next `open` tries again.
    Error(String),
}

/// What the hook returns. Cheap to clone; every clone drives the same widget.
#[derive(Clone)]
pub struct UseAirbyteWidgetHandle {
    state: WidgetState,
    inner: Rc<Inner>,
}

impl fmt::Debug for UseAirbyteWidgetHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UseAirbyteWidgetHandle")
            .field("state", &self.state)
            .field("has_widget", &self.inner.widget.borrow().is_some())
            .finish()
    }
}

impl PartialEq for UseAirbyteWidgetHandle {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state && Rc::ptr_eq(&self.inner, &other.inner)
    }
}

struct Inner {
    script_url: RefCell<String>,
    /// The callback of the latest render; shared with the widget's `onEvent` closure. A separate `Rc`
    /// so the closure (owned by the widget, owned by `Inner`) does not keep `Inner` alive.
    on_event: Rc<RefCell<Callback<ReceivedEvent>>>,
    widget: RefCell<Option<Widget>>,
    /// Bumped by every `open`, `destroy` and the unmount, so a slow `open` that was overtaken gives up.
    generation: Cell<u64>,
    mounted: Cell<bool>,
    set_state: Callback<WidgetState>,
}

impl Inner {
    fn is_current(&self, generation: u64) -> bool {
        self.mounted.get() && self.generation.get() == generation
    }

    fn next_generation(&self) -> u64 {
        let next = self.generation.get().wrapping_add(1);
        self.generation.set(next);
        next
    }

    fn take_widget(&self) -> Option<Widget> {
        // Take it out first and drop it after the borrow ends: dropping runs JS.
        self.widget.borrow_mut().take()
    }
}

impl UseAirbyteWidgetHandle {
    /// The current state.
    pub fn state(&self) -> &WidgetState {
        &self.state
    }

    /// Opens a widget for `token`: waits for the script, destroys the previous instance, constructs a
    /// new one and shows it. Failures land in [`WidgetState::Error`].
    pub fn open(&self, token: String) {
        let inner = Rc::clone(&self.inner);
        let generation = inner.next_generation();
        drop(inner.take_widget());
        if !is_widget_loaded() {
            inner.set_state.emit(WidgetState::Loading);
        }
        wasm_bindgen_futures::spawn_local(async move {
            let url = inner.script_url.borrow().clone();
            let loaded = load_widget_script(&url).await;
            if !inner.is_current(generation) {
                return;
            }
            if let Err(error) = loaded {
                inner.set_state.emit(WidgetState::Error(error));
                return;
            }
            // Another instance may have been put in place while we waited (an older `open` cannot
            // get here, but be strict): never hold two.
            drop(inner.take_widget());
            let on_event = Rc::clone(&inner.on_event);
            let widget = Widget::new(&token, move |event| {
                // Clone before emitting: the emit may re-render the component, which replaces the
                // callback in this very cell.
                let callback = on_event.borrow().clone();
                callback.emit(event);
            });
            let result = widget.and_then(|widget| {
                widget.open()?;
                Ok(widget)
            });
            match result {
                Ok(widget) => {
                    *inner.widget.borrow_mut() = Some(widget);
                    inner.set_state.emit(WidgetState::Ready);
                }
                Err(error) => inner.set_state.emit(WidgetState::Error(error)),
            }
        });
    }

    /// Gives the current widget a new token without reloading it (`updateToken`).
    pub fn update_token(&self, token: &str) -> Result<(), String> {
        match self.inner.widget.borrow().as_ref() {
            Some(widget) => widget.update_token(token),
            None => Err("no widget is open".into()),
        }
    }

    /// Destroys the current widget, if any (and abandons an `open` still waiting for the script).
    pub fn destroy(&self) {
        self.inner.next_generation();
        drop(self.inner.take_widget());
    }

    /// True while a widget instance exists (it may have been closed by the user, which the widget does
    /// not report).
    pub fn has_widget(&self) -> bool {
        self.inner.widget.borrow().is_some()
    }
}

/// The widget for a component. `script_url` is where `window.AirbyteEmbeddedWidget` comes from (the
/// pinned CDN build of `@airbyte-embedded/airbyte-embedded-widget`, or the mock's `/widget.js`);
/// `on_event` gets every event of the open widget, decoded.
#[hook]
pub fn use_airbyte_widget(
    script_url: String,
    on_event: Callback<WidgetEvent>,
) -> UseAirbyteWidgetHandle {
    use_airbyte_widget_raw(
        script_url,
        on_event.reform(|received: ReceivedEvent| received.event),
    )
}

/// [`use_airbyte_widget`] for callers that also want each event's raw JSON (an event log, say).
#[hook]
pub fn use_airbyte_widget_raw(
    script_url: String,
    on_event: Callback<ReceivedEvent>,
) -> UseAirbyteWidgetHandle {
    let state = use_state_eq(|| {
        if is_widget_loaded() {
            WidgetState::Ready
        } else {
            WidgetState::Loading
        }
    });
    let inner = {
        let setter = state.setter();
        let on_event = on_event.clone();
        let script_url = script_url.clone();
        // `use_memo` with no dependencies: one `Inner` for the component's lifetime.
        use_memo((), move |_| Inner {
            script_url: RefCell::new(script_url),
            on_event: Rc::new(RefCell::new(on_event)),
            widget: RefCell::new(None),
            generation: Cell::new(0),
            mounted: Cell::new(false),
            set_state: Callback::from(move |next| setter.set(next)),
        })
    };
    // Every render: events go to the newest callback, opens use the newest URL.
    *inner.on_event.borrow_mut() = on_event;
    *inner.script_url.borrow_mut() = script_url.clone();

    {
        // Preload the script as soon as the component mounts, and again if the URL changes.
        let inner = Rc::clone(&inner);
        use_effect_with(script_url, move |url| {
            let url = url.clone();
            let generation = inner.generation.get();
            wasm_bindgen_futures::spawn_local(async move {
                let loaded = load_widget_script(&url).await;
                // An `open` started meanwhile reports its own outcome.
                if !inner.is_current(generation) {
                    return;
                }
                inner.set_state.emit(match loaded {
                    Ok(()) => WidgetState::Ready,
                    Err(error) => WidgetState::Error(error),
                });
            });
        });
    }
    {
        let inner = Rc::clone(&inner);
        use_effect_with((), move |_| {
            inner.mounted.set(true);
            move || {
                inner.mounted.set(false);
                inner.next_generation();
                drop(inner.take_widget());
            }
        });
    }

    UseAirbyteWidgetHandle {
        state: (*state).clone(),
        inner,
    }
}
