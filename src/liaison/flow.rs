//! The closed loop of one case, pure: which step each party may take in each
//! state, and where it leads. The store applies the outcome; this file decides.
//!
//! ```text
//! 待交办 ──交办──▶ 办理中 ──答复──▶ 待评价 ──满意/基本满意──▶ 已办结
//!   ▲              │  ▲                │
//!   │  退回(第一次)  │  └──不满意(重新办理)─┘     （超过评价期限未评价，自动办结）
//!   └──────────────┘
//!   办理中 ──退回(第二次)──▶ 待仲裁 ──交办（研究室裁定）──▶ 办理中
//!   任一未办结状态 ──合并──▶ 已合并
//! ```
//!
//! The clock: the deadline is set at the first dispatch and a return, a
//! transfer or an arbitration never moves it — a unit cannot buy time by
//! bouncing a case. Only an unsatisfied rating starts a new round with a new
//! deadline, and the first round's timeliness stays recorded.
//!
//! One file past 400 lines: the rules are ~250 and their table test the rest,
//! and the table reads best beside the rules it checks.

use serde::Serialize;

use crate::i18n::Msg;

/// Where a case is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// 待交办: submitted, waiting for the office.
    Submitted,
    /// 办理中: dispatched to a unit.
    Dispatched,
    /// 已退回: returned by the unit, waiting for the office to dispatch again.
    Returned,
    /// 待仲裁: returned twice, the research office decides.
    Arbitration,
    /// 待评价: the unit replied, the contact point rates.
    Replied,
    /// 已办结: the contact point accepted, or the rating period passed.
    Closed,
    /// 已合并: a duplicate, merged into another case.
    Merged,
    /// 已存档: imported from the office's earlier ledgers; counted in volumes
    /// and hot topics, outside the loop and its rates.
    Archived,
}

impl State {
    /// Every state, in the loop's order.
    pub const ALL: &'static [State] = &[
        State::Submitted,
        State::Dispatched,
        State::Returned,
        State::Arbitration,
        State::Replied,
        State::Closed,
        State::Merged,
        State::Archived,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            State::Submitted => "submitted",
            State::Dispatched => "dispatched",
            State::Returned => "returned",
            State::Arbitration => "arbitration",
            State::Replied => "replied",
            State::Closed => "closed",
            State::Merged => "merged",
            State::Archived => "archived",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<State> {
        State::ALL.iter().copied().find(|s| s.code() == code)
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            State::Submitted => "待交办",
            State::Dispatched => "办理中",
            State::Returned => "已退回",
            State::Arbitration => "待仲裁",
            State::Replied => "待评价",
            State::Closed => "已办结",
            State::Merged => "已合并",
            State::Archived => "已存档",
        }
    }

    /// Still in the loop (not closed, merged or archived).
    pub fn open(self) -> bool {
        !matches!(self, State::Closed | State::Merged | State::Archived)
    }

    /// Waiting for the office (to dispatch or to arbitrate).
    pub fn with_office(self) -> bool {
        matches!(self, State::Submitted | State::Returned | State::Arbitration)
    }
}

/// The contact point's rating of a reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// 满意.
    Satisfied,
    /// 基本满意.
    Basically,
    /// 不满意.
    Unsatisfied,
}

impl Rating {
    /// Every rating, best first.
    pub const ALL: &'static [Rating] = &[Rating::Satisfied, Rating::Basically, Rating::Unsatisfied];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Rating::Satisfied => "satisfied",
            Rating::Basically => "basically",
            Rating::Unsatisfied => "unsatisfied",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Rating> {
        Rating::ALL.iter().copied().find(|r| r.code() == code)
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Rating::Satisfied => "满意",
            Rating::Basically => "基本满意",
            Rating::Unsatisfied => "不满意",
        }
    }
}

/// Coded reasons for a return (退回) by the unit.
pub const RETURN_REASONS: &[(&str, &str)] = &[
    ("not_ours", "不属于本单位职责"),
    ("unclear", "反映内容不清、无法办理"),
    ("other_level", "应由上级或下级单位办理"),
    ("in_court", "已进入诉讼、仲裁或信访程序"),
    ("other", "其他原因"),
];

/// Coded reasons for a transfer (转办) by the office.
pub const TRANSFER_REASONS: &[(&str, &str)] = &[
    ("wrong_unit", "交办单位有误"),
    ("joint", "需由其他单位牵头办理"),
    ("arbitrated", "经仲裁改由该单位办理"),
    ("other", "其他原因"),
];

/// How the unit judges the outcome when it replies (已解决 is counted apart from 已回复).
pub const SOLVED: &[(&str, &str)] =
    &[("solved", "已解决"), ("partly", "部分解决"), ("explained", "未解决，已解释说明")];

/// A step on a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The office sends it to a unit (also after a return, and to settle an arbitration).
    Dispatch,
    /// The office moves it from one unit to another while it is being handled.
    Transfer,
    /// The unit acknowledges it (签收); the clock has been running since dispatch.
    Accept,
    /// The unit records what it did.
    Act,
    /// The unit sends it back with a coded reason.
    Return,
    /// The unit replies to the contact point.
    Reply,
    /// The contact point rates the reply.
    Rate(Rating),
    /// Nobody rated in time: closed by the daily run.
    Lapse,
    /// The office merges it into another case.
    Merge,
}

impl Step {
    /// The code stored in the case's history.
    pub fn code(self) -> &'static str {
        match self {
            Step::Dispatch => "dispatch",
            Step::Transfer => "transfer",
            Step::Accept => "accept",
            Step::Act => "act",
            Step::Return => "return",
            Step::Reply => "reply",
            Step::Rate(_) => "rate",
            Step::Lapse => "lapse",
            Step::Merge => "merge",
        }
    }
}

/// Who is taking the step, as far as the loop cares (one person can be several).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Parts {
    /// The research office (分办、仲裁、合并).
    pub office: bool,
    /// The unit the case is dispatched to.
    pub handler: bool,
    /// The contact point that submitted it.
    pub point: bool,
    /// The daily run.
    pub system: bool,
}

/// Why a step is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The step does not apply in this state.
    State,
    /// This person may not take it.
    Party,
    /// A coded reason is required.
    Reason,
    /// Words are required (reply text, the reason for 不满意, a return's explanation).
    Text,
}

impl Refusal {
    /// The message shown to the person.
    pub fn message(self, state: State, step: Step) -> Msg {
        match self {
            Refusal::State => {
                Msg::new("案件{state}，不能{step}").arg("state", state.label()).arg("step", step_label(step))
            }
            Refusal::Party => Msg::new("无权{step}").arg("step", step_label(step)),
            Refusal::Reason => Msg::new("请选择原因"),
            Refusal::Text => match step {
                Step::Rate(_) => Msg::new("不满意时请写明理由"),
                Step::Reply => Msg::new("请填写答复内容"),
                Step::Act => Msg::new("请填写办理情况"),
                _ => Msg::new("请写明具体情况"),
            },
        }
    }
}

/// The step's name in messages.
pub fn step_label(step: Step) -> &'static str {
    match step {
        Step::Dispatch => "交办",
        Step::Transfer => "转办",
        Step::Accept => "签收",
        Step::Act => "记录办理情况",
        Step::Return => "退回",
        Step::Reply => "答复",
        Step::Rate(_) => "评价",
        Step::Lapse => "自动办结",
        Step::Merge => "合并",
    }
}

/// What a step needs besides the state: a coded reason, free text, how many
/// returns the case has had.
#[derive(Clone, Copy, Debug, Default)]
pub struct Given<'a> {
    /// The coded reason, when the step takes one.
    pub reason: &'a str,
    /// The words typed.
    pub text: &'a str,
    /// Returns so far.
    pub returns: i64,
}

/// The state after `step`, or why not.
pub fn next(state: State, step: Step, who: Parts, g: Given<'_>) -> Result<State, Refusal> {
    use State as S;
    let allowed = match step {
        Step::Dispatch | Step::Transfer | Step::Merge => who.office,
        Step::Accept | Step::Act | Step::Return | Step::Reply => who.handler,
        Step::Rate(_) => who.point,
        Step::Lapse => who.system,
    };
    let to = match (step, state) {
        (Step::Dispatch, S::Submitted | S::Returned | S::Arbitration) => S::Dispatched,
        (Step::Transfer, S::Dispatched) => S::Dispatched,
        (Step::Accept | Step::Act, S::Dispatched) => S::Dispatched,
        (Step::Return, S::Dispatched) if g.returns >= 1 => S::Arbitration,
        (Step::Return, S::Dispatched) => S::Returned,
        (Step::Reply, S::Dispatched) => S::Replied,
        (Step::Rate(Rating::Unsatisfied), S::Replied) => S::Dispatched,
        (Step::Rate(_), S::Replied) => S::Closed,
        (Step::Lapse, S::Replied) => S::Closed,
        (Step::Merge, s) if s.open() => S::Merged,
        _ => return Err(Refusal::State),
    };
    if !allowed {
        return Err(Refusal::Party);
    }
    let reasons: &[(&str, &str)] = match step {
        Step::Return => RETURN_REASONS,
        Step::Transfer => TRANSFER_REASONS,
        _ => &[],
    };
    if !reasons.is_empty() && !reasons.iter().any(|(k, _)| *k == g.reason) {
        return Err(Refusal::Reason);
    }
    let needs_text = matches!(step, Step::Reply | Step::Act | Step::Rate(Rating::Unsatisfied))
        || (step == Step::Return && g.reason == "other");
    if needs_text && g.text.trim().is_empty() {
        return Err(Refusal::Text);
    }
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFICE: Parts = Parts { office: true, handler: false, point: false, system: false };
    const UNIT: Parts = Parts { office: false, handler: true, point: false, system: false };
    const POINT: Parts = Parts { office: false, handler: false, point: true, system: false };
    const SYSTEM: Parts = Parts { office: false, handler: false, point: false, system: true };

    fn given(reason: &'static str, text: &'static str, returns: i64) -> Given<'static> {
        Given { reason, text, returns }
    }

    /// (name, from, step, who, given, expected).
    type Case<'a> = (&'a str, State, Step, Parts, Given<'a>, Result<State, Refusal>);

    #[test]
    fn the_loop_table() {
        use State as S;
        let none = given("", "", 0);
        let cases: &[Case<'_>] = &[
            ("office dispatches", S::Submitted, Step::Dispatch, OFFICE, none, Ok(S::Dispatched)),
            ("a unit cannot dispatch", S::Submitted, Step::Dispatch, UNIT, none, Err(Refusal::Party)),
            ("unit signs for it", S::Dispatched, Step::Accept, UNIT, none, Ok(S::Dispatched)),
            (
                "unit records an action",
                S::Dispatched,
                Step::Act,
                UNIT,
                given("", "已现场查看", 0),
                Ok(S::Dispatched),
            ),
            ("an action needs words", S::Dispatched, Step::Act, UNIT, none, Err(Refusal::Text)),
            (
                "first return goes back to the office",
                S::Dispatched,
                Step::Return,
                UNIT,
                given("not_ours", "", 0),
                Ok(S::Returned),
            ),
            (
                "second return escalates",
                S::Dispatched,
                Step::Return,
                UNIT,
                given("not_ours", "", 1),
                Ok(S::Arbitration),
            ),
            (
                "a return needs a coded reason",
                S::Dispatched,
                Step::Return,
                UNIT,
                given("", "不归我们管", 0),
                Err(Refusal::Reason),
            ),
            (
                "an unknown reason code is no reason",
                S::Dispatched,
                Step::Return,
                UNIT,
                given("bored", "", 0),
                Err(Refusal::Reason),
            ),
            (
                "“other” needs words",
                S::Dispatched,
                Step::Return,
                UNIT,
                given("other", " ", 0),
                Err(Refusal::Text),
            ),
            ("office re-dispatches a return", S::Returned, Step::Dispatch, OFFICE, none, Ok(S::Dispatched)),
            (
                "office settles an arbitration",
                S::Arbitration,
                Step::Dispatch,
                OFFICE,
                none,
                Ok(S::Dispatched),
            ),
            ("transfer needs a reason", S::Dispatched, Step::Transfer, OFFICE, none, Err(Refusal::Reason)),
            (
                "transfer with a reason",
                S::Dispatched,
                Step::Transfer,
                OFFICE,
                given("wrong_unit", "", 0),
                Ok(S::Dispatched),
            ),
            (
                "cannot transfer before dispatch",
                S::Submitted,
                Step::Transfer,
                OFFICE,
                given("wrong_unit", "", 0),
                Err(Refusal::State),
            ),
            ("unit replies", S::Dispatched, Step::Reply, UNIT, given("", "已修复路灯", 0), Ok(S::Replied)),
            ("an empty reply is refused", S::Dispatched, Step::Reply, UNIT, none, Err(Refusal::Text)),
            (
                "the office cannot reply for the unit",
                S::Dispatched,
                Step::Reply,
                OFFICE,
                given("", "好", 0),
                Err(Refusal::Party),
            ),
            ("satisfied closes", S::Replied, Step::Rate(Rating::Satisfied), POINT, none, Ok(S::Closed)),
            (
                "basically satisfied closes",
                S::Replied,
                Step::Rate(Rating::Basically),
                POINT,
                none,
                Ok(S::Closed),
            ),
            (
                "unsatisfied reopens",
                S::Replied,
                Step::Rate(Rating::Unsatisfied),
                POINT,
                given("", "路灯还是不亮", 0),
                Ok(S::Dispatched),
            ),
            (
                "unsatisfied needs its reason",
                S::Replied,
                Step::Rate(Rating::Unsatisfied),
                POINT,
                none,
                Err(Refusal::Text),
            ),
            (
                "only the contact point rates",
                S::Replied,
                Step::Rate(Rating::Satisfied),
                UNIT,
                none,
                Err(Refusal::Party),
            ),
            (
                "no rating before a reply",
                S::Dispatched,
                Step::Rate(Rating::Satisfied),
                POINT,
                none,
                Err(Refusal::State),
            ),
            ("the rating period lapses", S::Replied, Step::Lapse, SYSTEM, none, Ok(S::Closed)),
            (
                "an archived case is not dispatched",
                S::Archived,
                Step::Dispatch,
                OFFICE,
                none,
                Err(Refusal::State),
            ),
            ("an archived case is not merged", S::Archived, Step::Merge, OFFICE, none, Err(Refusal::State)),
            ("a person cannot lapse a case", S::Replied, Step::Lapse, OFFICE, none, Err(Refusal::Party)),
            ("a handled case merges", S::Dispatched, Step::Merge, OFFICE, none, Ok(S::Merged)),
            ("a closed case does not merge", S::Closed, Step::Merge, OFFICE, none, Err(Refusal::State)),
            (
                "nothing happens to a merged case",
                S::Merged,
                Step::Dispatch,
                OFFICE,
                none,
                Err(Refusal::State),
            ),
            (
                "nothing happens to a closed case",
                S::Closed,
                Step::Reply,
                UNIT,
                given("", "再答复", 0),
                Err(Refusal::State),
            ),
        ];
        for (name, from, step, who, g, want) in cases {
            assert_eq!(next(*from, *step, *who, *g), *want, "{name}");
        }
    }

    #[test]
    fn codes_round_trip() {
        for s in State::ALL {
            assert_eq!(State::parse(s.code()), Some(*s));
        }
        for r in Rating::ALL {
            assert_eq!(Rating::parse(r.code()), Some(*r));
        }
        assert_eq!(State::parse("done"), None);
    }

    #[test]
    fn refusals_read_as_sentences() {
        assert_eq!(Refusal::State.message(State::Closed, Step::Reply).to_string(), "案件已办结，不能答复");
        assert_eq!(
            Refusal::Text.message(State::Replied, Step::Rate(Rating::Unsatisfied)).to_string(),
            "不满意时请写明理由"
        );
    }
}
