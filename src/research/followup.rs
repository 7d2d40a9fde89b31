//! The follow-up of a leader instruction (批示落实), pure and table-tested.
//!
//! An instruction that requires action opens a follow-up owned by a person of
//! the responsible unit, due by a date. The owner reports what was done
//! (跟进中 → 已报结果); the research office confirms it (→ 已落实) or sends it
//! back with a reason (→ 跟进中). An instruction that needs no action is 无需落实
//! from the start. Only the owner reports, only the office confirms or returns,
//! and a return always says why.

use serde::Serialize;

use crate::i18n::Msg;

/// Where a follow-up stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// 无需落实 (read and noted).
    None,
    /// 跟进中.
    Open,
    /// 已报结果, waiting for the office.
    Reported,
    /// 已落实.
    Done,
}

impl State {
    /// Every state.
    pub const ALL: [State; 4] = [State::Open, State::Reported, State::Done, State::None];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            State::None => "none",
            State::Open => "open",
            State::Reported => "reported",
            State::Done => "done",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            State::None => "无需落实",
            State::Open => "跟进中",
            State::Reported => "已报结果",
            State::Done => "已落实",
        }
    }

    /// Whether the deadline still runs.
    pub fn is_running(self) -> bool {
        matches!(self, State::Open | State::Reported)
    }
}

/// What someone does to a follow-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The owner reports the result.
    Report,
    /// The office confirms it.
    Confirm,
    /// The office sends it back.
    Return,
}

impl Step {
    /// Parses a form value.
    pub fn parse(code: &str) -> Option<Step> {
        match code {
            "report" => Some(Step::Report),
            "confirm" => Some(Step::Confirm),
            "return" => Some(Step::Return),
            _ => None,
        }
    }

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Step::Report => "report",
            Step::Confirm => "confirm",
            Step::Return => "return",
        }
    }
}

/// Who the person is to the follow-up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Parts {
    /// The named owner.
    pub owner: bool,
    /// The research office (Write on the instruction's records, not the owner).
    pub office: bool,
}

/// The state after `step`, or why it may not be taken.
pub fn next(state: State, step: Step, who: Parts, text: &str) -> Result<State, Msg> {
    let empty = text.trim().is_empty();
    match (state, step) {
        (State::Open, Step::Report) if !who.owner => Err(Msg::new("只有落实责任人可以报送落实结果")),
        (State::Open, Step::Report) if empty => Err(Msg::new("请填写落实结果")),
        (State::Open, Step::Report) => Ok(State::Reported),
        (State::Reported, Step::Confirm | Step::Return) if !who.office => {
            Err(Msg::new("只有政研室可以确认或退回落实结果"))
        }
        (State::Reported, Step::Confirm) => Ok(State::Done),
        (State::Reported, Step::Return) if empty => Err(Msg::new("退回时请写明理由")),
        (State::Reported, Step::Return) => Ok(State::Open),
        (s, _) => Err(Msg::new("批示落实{state}，不能进行此操作").arg("state", s.label())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWNER: Parts = Parts { owner: true, office: false };
    const OFFICE: Parts = Parts { owner: false, office: true };
    const NOBODY: Parts = Parts { owner: false, office: false };

    #[test]
    fn the_follow_up_table() {
        use State::*;
        use Step::*;
        type Case = (State, Step, Parts, &'static str, Result<State, &'static str>);
        let cases: &[Case] = &[
            (Open, Report, OWNER, "已制定专项方案", Ok(Reported)),
            (Open, Report, OWNER, "  ", Err("请填写落实结果")),
            (Open, Report, OFFICE, "代为报送", Err("只有落实责任人可以报送落实结果")),
            (Reported, Confirm, OFFICE, "", Ok(Done)),
            (Reported, Confirm, OWNER, "", Err("只有政研室可以确认或退回落实结果")),
            (Reported, Return, OFFICE, "", Err("退回时请写明理由")),
            (Reported, Return, OFFICE, "未说明资金来源", Ok(Open)),
            (Reported, Return, NOBODY, "理由", Err("只有政研室可以确认或退回落实结果")),
            (Done, Report, OWNER, "再报", Err("批示落实已落实，不能进行此操作")),
            (None, Report, OWNER, "结果", Err("批示落实无需落实，不能进行此操作")),
            (Open, Confirm, OFFICE, "", Err("批示落实跟进中，不能进行此操作")),
        ];
        for (state, step, who, text, want) in cases {
            let got = next(*state, *step, *who, text).map_err(|m| m.render(crate::i18n::Lang::Zh));
            assert_eq!(got, want.map_err(str::to_string), "{state:?} {step:?}");
        }
    }

    #[test]
    fn codes_round_trip() {
        for s in State::ALL {
            assert_eq!(State::parse(s.code()), Some(s));
        }
        assert_eq!(Step::parse("return"), Some(Step::Return));
        assert!(State::Reported.is_running() && !State::Done.is_running() && !State::None.is_running());
    }
}
