//! The page's state: the signals its view reads and the device and session its actions share.

use crate::diagram::{PhaseBox, boxes};
use crate::samples::Sample;
use burn::tensor::Device;
use gapo_core::session::{DiscView, ProbePoint, RunConfig, Session, StepReport};
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
    /// The loop diagram: the session's schedule, and where it stands (phase index, steps done in it).
    pub boxes: RwSignal<Vec<PhaseBox>>,
    pub position: RwSignal<(usize, usize)>,
    /// D's view at each probe: (when, view).
    pub views: RwSignal<Vec<(String, DiscView)>>,
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
            boxes: RwSignal::new(Vec::new()),
            position: RwSignal::new((0, 0)),
            views: RwSignal::new(Vec::new()),
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
        self.views.set(Vec::new());
    }

    /// The diagram's boxes and place for `session`.
    pub fn show_schedule(&self, session: &Session) {
        self.boxes.set(boxes(session.schedule(), &session.phase_steps()));
        self.position.set(session.position());
    }
}

/// When a view of D was taken, in words: "stage 2, after G".
pub fn when(report: &StepReport) -> String {
    match (report.stage, report.probe) {
        (Some(stage), Some(point)) => {
            let point = match point {
                ProbePoint::StageStart => "start",
                ProbePoint::AfterGenerator => "after G",
                ProbePoint::AfterDiscriminator => "after D",
            };
            format!("stage {}, {point}", stage + 1)
        }
        _ => "before the warm-up".to_string(),
    }
}
