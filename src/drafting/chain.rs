//! The drafting chain (W2) as a pure function: 起草 → 审核 → 把关 → 定稿 →
//! 印发, with returns to the drafter from review and final check. Who may take
//! a step depends on their part in the task, not on a global role: the named
//! reviewer reviews, the named final checker checks, a drafter submits and
//! issues.

use serde::Serialize;

use crate::i18n::Msg;

/// Where a drafting task stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// 起草中 (also after a return).
    Drafting,
    /// 待审核.
    Review,
    /// 待把关.
    Check,
    /// 已定稿.
    Final,
    /// 已印发.
    Issued,
}

impl State {
    /// Every state, in order.
    pub const ALL: [State; 5] = [State::Drafting, State::Review, State::Check, State::Final, State::Issued];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            State::Drafting => "drafting",
            State::Review => "review",
            State::Check => "check",
            State::Final => "final",
            State::Issued => "issued",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            State::Drafting => "起草中",
            State::Review => "待审核",
            State::Check => "待把关",
            State::Final => "已定稿",
            State::Issued => "已印发",
        }
    }
}

/// A step someone takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 提交审核.
    Submit,
    /// 审核通过 / 把关通过.
    Approve,
    /// 退回修改.
    Return,
    /// 印发.
    Issue,
}

impl Step {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Approve => "approve",
            Step::Return => "return",
            Step::Issue => "issue",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Step> {
        [Step::Submit, Step::Approve, Step::Return, Step::Issue].into_iter().find(|s| s.code() == code)
    }
}

/// What the acting person is to this task (one person may be several).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Parts {
    /// A named drafter or the task's creator.
    pub drafter: bool,
    /// The named reviewer.
    pub reviewer: bool,
    /// The named final checker.
    pub checker: bool,
}

/// The state after `step`, or why it is refused. `versions` is how many
/// versions the task holds; `comment` is the text given with the step.
pub fn next(state: State, step: Step, who: Parts, versions: i64, comment: &str) -> Result<State, Msg> {
    match (state, step) {
        (State::Drafting, Step::Submit) => {
            if !who.drafter {
                Err(Msg::new("只有起草人可以提交审核"))
            } else if versions == 0 {
                Err(Msg::new("请先上传或录入文稿，再提交审核"))
            } else {
                Ok(State::Review)
            }
        }
        (State::Review, Step::Approve) if who.reviewer => Ok(State::Check),
        (State::Check, Step::Approve) if who.checker => Ok(State::Final),
        (State::Review, Step::Return) | (State::Check, Step::Return)
            if (state == State::Review && who.reviewer) || (state == State::Check && who.checker) =>
        {
            if comment.trim().is_empty() {
                Err(Msg::new("退回时请写明修改意见"))
            } else {
                Ok(State::Drafting)
            }
        }
        (State::Review, Step::Approve | Step::Return) => Err(Msg::new("只有指定的审核人可以审核")),
        (State::Check, Step::Approve | Step::Return) => Err(Msg::new("只有指定的把关人可以把关")),
        (State::Final, Step::Issue) => {
            if who.drafter {
                Ok(State::Issued)
            } else {
                Err(Msg::new("只有起草人可以登记印发"))
            }
        }
        (s, _) => Err(Msg::new("文稿{state}，不能进行这一步").arg("state", s.label())),
    }
}

/// May a new version be added in this state?
pub fn accepts_versions(state: State) -> bool {
    state == State::Drafting
}

#[cfg(test)]
mod tests {
    use super::*;

    const DRAFTER: Parts = Parts { drafter: true, reviewer: false, checker: false };
    const REVIEWER: Parts = Parts { drafter: false, reviewer: true, checker: false };
    const CHECKER: Parts = Parts { drafter: false, reviewer: false, checker: true };

    #[test]
    fn the_whole_chain_with_one_return() {
        let s = next(State::Drafting, Step::Submit, DRAFTER, 1, "").unwrap();
        assert_eq!(s, State::Review);
        let s = next(s, Step::Return, REVIEWER, 1, "第二部分数据需核实").unwrap();
        assert_eq!(s, State::Drafting);
        let s = next(s, Step::Submit, DRAFTER, 2, "").unwrap();
        let s = next(s, Step::Approve, REVIEWER, 2, "").unwrap();
        assert_eq!(s, State::Check);
        let s = next(s, Step::Approve, CHECKER, 2, "").unwrap();
        assert_eq!(s, State::Final);
        assert_eq!(next(s, Step::Issue, DRAFTER, 2, "").unwrap(), State::Issued);
    }

    #[test]
    fn steps_out_of_turn_or_by_the_wrong_person_are_refused() {
        assert!(next(State::Drafting, Step::Submit, DRAFTER, 0, "").is_err(), "nothing to submit");
        assert!(next(State::Drafting, Step::Submit, REVIEWER, 1, "").is_err());
        assert!(next(State::Review, Step::Approve, CHECKER, 1, "").is_err(), "the checker does not review");
        assert!(next(State::Check, Step::Approve, REVIEWER, 1, "").is_err(), "the reviewer does not check");
        assert!(next(State::Review, Step::Return, REVIEWER, 1, "  ").is_err(), "a return needs comments");
        assert!(next(State::Check, Step::Return, CHECKER, 1, "").is_err());
        assert!(next(State::Review, Step::Issue, DRAFTER, 1, "").is_err(), "no issue before the final check");
        assert!(next(State::Final, Step::Issue, CHECKER, 1, "").is_err());
        assert!(next(State::Issued, Step::Return, CHECKER, 1, "改").is_err(), "an issued text stays issued");
        assert!(next(State::Drafting, Step::Approve, REVIEWER, 1, "").is_err());
    }

    #[test]
    fn one_person_may_hold_two_parts() {
        let both = Parts { drafter: false, reviewer: true, checker: true };
        let s = next(State::Review, Step::Approve, both, 1, "").unwrap();
        assert_eq!(next(s, Step::Approve, both, 1, "").unwrap(), State::Final);
    }

    #[test]
    fn versions_are_added_only_while_drafting() {
        assert!(accepts_versions(State::Drafting));
        for s in [State::Review, State::Check, State::Final, State::Issued] {
            assert!(!accepts_versions(s));
        }
    }
}
