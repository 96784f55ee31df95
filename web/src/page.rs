//! The page's state: the signals its view reads and the device and session its actions share.

use crate::samples::Sample;
use burn::tensor::Device;
use gapo_core::session::{RunConfig, Session, StepReport};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    Idle,
    Running,
    Paused,
    Stopped,
    Done,
}

/// The page's state: signals the view reads, and the device and session the actions share.
#[derive(Clone)]
pub struct Page {
    pub config: RwSignal<RunConfig>,
    pub problems: RwSignal<Vec<String>>,
    pub backend: RwSignal<String>,
    pub on_webgpu: RwSignal<bool>,
    /// The WebGPU forward check: (max |Δlogit| for the test, the sentence shown).
    pub gpu_check: RwSignal<Option<(f64, String)>>,
    pub status: RwSignal<String>,
    pub run: RwSignal<Run>,
    pub reports: RwSignal<Vec<StepReport>>,
    /// The previous run's reports, drawn in grey beside this run's.
    pub previous: RwSignal<Vec<StepReport>>,
    pub samples: RwSignal<Vec<Sample>>,
    pub tried: RwSignal<Vec<Sample>>,
    pub try_text: RwSignal<String>,
    pub device: Rc<RefCell<Option<Device>>>,
    pub session: Rc<RefCell<Option<Session>>>,
}

impl Page {
    pub fn new(config: RunConfig, problems: Vec<String>) -> Self {
        Self {
            config: RwSignal::new(config),
            problems: RwSignal::new(problems),
            backend: RwSignal::new(String::from("starting…")),
            on_webgpu: RwSignal::new(false),
            gpu_check: RwSignal::new(None),
            status: RwSignal::new(String::new()),
            run: RwSignal::new(Run::Idle),
            reports: RwSignal::new(Vec::new()),
            previous: RwSignal::new(Vec::new()),
            samples: RwSignal::new(Vec::new()),
            tried: RwSignal::new(Vec::new()),
            try_text: RwSignal::new(String::new()),
            device: Rc::new(RefCell::new(None)),
            session: Rc::new(RefCell::new(None)),
        }
    }

    /// Keeps this run's curves as the previous run's and clears the live ones.
    pub fn keep_as_previous(&self) {
        let last = self.reports.get_untracked();
        if !last.is_empty() {
            self.previous.set(last);
        }
        self.reports.set(Vec::new());
        self.samples.set(Vec::new());
    }
}
