//! Guided lessons: `#lesson=<name>` opens one beside the controls. Each is a short text, steps that set the
//! controls and run, and a question the run answers.

pub struct Lesson {
    pub name: &'static str,
    pub title: &'static str,
    pub text: &'static str,
    pub steps: &'static [&'static str],
    pub question: &'static str,
    /// Settings the lesson starts from (a URL hash).
    pub start: &'static str,
}

pub const LESSONS: [Lesson; 3] = [
    Lesson {
        name: "preferential-prompts",
        title: "Why preferential prompts",
        text: "GAPO's reward model sees the same response under two prompts: the one it answers and one with a \
               rule changed so the response breaks it. The only way to tell them apart is to read the rules. \
               Offline preference methods given the same pairs (DPO here) have no such way to use them: the two \
               sides of a pair share their response, so raising one lowers the other.",
        steps: &[
            "Start with method gapo and watch the discriminator's accuracy on held-out pairs (plot 3).",
            "Reset, choose method dpo, start again, and compare the held-out pass rate at the end.",
        ],
        question: "Which method kept or raised the pass rate of the SFT start, and which lost it?",
        start: "algo=gapo",
    },
    Lesson {
        name: "fakes",
        title: "What the discriminator learns from fakes",
        text: "In every discriminator phase GAPO adds fresh samples of the current generator, labelled 0, to the \
               discriminator's data. The generator phase is meant to push the score of its samples up and the \
               discriminator phase to push it back down (on this tiny model the probes show it in some stages, \
               not all). With a share of fakes of 0 the discriminator never sees the generator \
               and stays the reward model it was after warm-up.",
        steps: &[
            "Start with share of fakes 0.5 and watch real vs fake scores (plot 3) at each probe.",
            "Reset, set share of fakes to 0, start again.",
        ],
        question: "With fakes, does the fake score fall after each discriminator phase? Without, what does it do?",
        start: "algo=gapo&fake_share=0.5",
    },
    Lesson {
        name: "kl",
        title: "KL and reward hacking",
        text: "PPO pays β for every nat the generator drifts from its SFT start. Against a reward model that is \
               never retrained (method ppo), a generator with no leash is free to chase whatever the reward model \
               happens to like, whether or not it follows the rules.",
        steps: &[
            "Choose method ppo with KL β 0.05, start, and watch reward and KL (plots 1 and 2) and the samples.",
            "Reset, set KL β to 0 and a larger generator lr (1e-3), start again.",
        ],
        question: "Without the KL term, does the reward still mean what it meant? Read the samples.",
        start: "algo=ppo&kl_beta=0.05",
    },
];

pub fn named(name: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|l| l.name == name)
}
