//! The seven-stage lifecycle of a reform task (R2), pure.
//!
//! 改革立项 → 方案研究 → 专家论证 → 审议决定 → 组织实施 → 督察考评 → 结项验收 → 已结项.
//! A stage closes only with its evidence, no stage is skipped, and a step back
//! needs a reason.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::i18n::Msg;
use crate::validate::{date, optional, required};

/// A lifecycle stage.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 改革立项
    Approval,
    /// 方案研究
    Plan,
    /// 专家论证
    Review,
    /// 审议决定
    Decision,
    /// 组织实施
    Implementation,
    /// 督察考评
    Supervision,
    /// 结项验收
    Acceptance,
    /// 已结项
    Done,
}

impl Stage {
    /// Every stage in order.
    pub const ALL: [Stage; 8] = [
        Stage::Approval,
        Stage::Plan,
        Stage::Review,
        Stage::Decision,
        Stage::Implementation,
        Stage::Supervision,
        Stage::Acceptance,
        Stage::Done,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Stage::Approval => "approval",
            Stage::Plan => "plan",
            Stage::Review => "review",
            Stage::Decision => "decision",
            Stage::Implementation => "implementation",
            Stage::Supervision => "supervision",
            Stage::Acceptance => "acceptance",
            Stage::Done => "done",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Approval => "改革立项",
            Stage::Plan => "方案研究",
            Stage::Review => "专家论证",
            Stage::Decision => "审议决定",
            Stage::Implementation => "组织实施",
            Stage::Supervision => "督察考评",
            Stage::Acceptance => "结项验收",
            Stage::Done => "已结项",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Parses the Chinese name (ledger import).
    pub fn from_label(label: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.label() == label.trim())
    }

    fn index(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The stage after this one.
    pub fn next(self) -> Option<Stage> {
        Stage::ALL.get(self.index() + 1).copied()
    }

    /// The stage before this one.
    pub fn previous(self) -> Option<Stage> {
        self.index().checked_sub(1).and_then(|i| Stage::ALL.get(i).copied())
    }

    /// What closing this stage asks for, in words (shown beside the form).
    pub fn evidence_hint(self) -> &'static str {
        match self {
            Stage::Approval => "填写立项依据（文件、会议或领导批示）",
            Stage::Plan => "上传改革方案文件并填写方案名称",
            Stage::Review => "填写论证专家及其意见",
            Stage::Decision => "填写审议会议、日期、文号和决定",
            Stage::Implementation => "填写组织实施情况",
            Stage::Supervision => "填写督察考评情况",
            Stage::Acceptance => "填写验收结论和验收日期",
            Stage::Done => "",
        }
    }
}

/// One expert's opinion at the expert review.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Expert {
    /// Name.
    pub name: String,
    /// Title or organisation.
    pub title: String,
    /// Opinion.
    pub opinion: String,
}

/// Evidence offered when closing a stage (as typed; fields used depend on the stage).
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EvidenceInput {
    /// 立项依据 (approval).
    pub basis: String,
    /// 方案名称 (plan).
    pub plan_title: String,
    /// The uploaded plan document (plan): an attachment of this task.
    pub attachment_id: Option<i64>,
    /// 论证专家 (review).
    pub experts: Vec<Expert>,
    /// 审议会议 (decision).
    pub meeting: String,
    /// 审议日期 (decision) / 验收日期 (acceptance).
    pub date: String,
    /// 文号 (decision).
    pub doc_no: String,
    /// 审议决定 (decision) / 验收意见 (acceptance).
    pub decision: String,
    /// 情况 (implementation, supervision).
    pub summary: String,
    /// 验收结论 (acceptance): must be `passed` to close.
    pub result: String,
}

/// Checked evidence, stored as JSON with the stage event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// 立项依据.
    Approval {
        /// Basis.
        basis: String,
    },
    /// The plan document.
    Plan {
        /// Title.
        plan_title: String,
        /// Attachment id.
        attachment_id: i64,
    },
    /// Experts and their opinions.
    Review {
        /// The experts.
        experts: Vec<Expert>,
    },
    /// The meeting and decision.
    Decision {
        /// Meeting.
        meeting: String,
        /// Date.
        date: Date,
        /// Document number.
        doc_no: String,
        /// Decision.
        decision: String,
    },
    /// How it was carried out / supervised.
    Summary {
        /// The summary.
        summary: String,
    },
    /// The acceptance.
    Acceptance {
        /// Date.
        date: Date,
        /// Opinion.
        decision: String,
    },
}

/// Checks the evidence for closing `stage`; errors are (field, message).
pub fn check_evidence(stage: Stage, e: &EvidenceInput) -> Result<Evidence, (&'static str, Msg)> {
    let req = |field: &'static str, raw: &str, max: usize| required(raw, max).map_err(|m| (field, m));
    match stage {
        Stage::Approval => Ok(Evidence::Approval { basis: req("basis", &e.basis, 500)? }),
        Stage::Plan => {
            let plan_title = req("plan_title", &e.plan_title, 200)?;
            let attachment_id = e.attachment_id.ok_or(("attachment", Msg::new("请上传改革方案文件")))?;
            Ok(Evidence::Plan { plan_title, attachment_id })
        }
        Stage::Review => {
            let mut experts = Vec::new();
            for x in &e.experts {
                if x.name.trim().is_empty() && x.opinion.trim().is_empty() {
                    continue;
                }
                experts.push(Expert {
                    name: req("experts", &x.name, 30)?,
                    title: optional(&x.title, 60).map_err(|m| ("experts", m))?,
                    opinion: req("experts", &x.opinion, 1000)?,
                });
            }
            if experts.is_empty() {
                return Err(("experts", Msg::new("请至少填写一位专家及其论证意见")));
            }
            Ok(Evidence::Review { experts })
        }
        Stage::Decision => Ok(Evidence::Decision {
            meeting: req("meeting", &e.meeting, 100)?,
            date: date(&e.date).map_err(|m| ("date", m))?,
            doc_no: req("doc_no", &e.doc_no, 60)?,
            decision: req("decision", &e.decision, 1000)?,
        }),
        Stage::Implementation | Stage::Supervision => {
            Ok(Evidence::Summary { summary: req("summary", &e.summary, 2000)? })
        }
        Stage::Acceptance => {
            if e.result != "passed" {
                return Err(("result", Msg::new("验收未通过的任务不能结项；请退回组织实施阶段并说明原因")));
            }
            Ok(Evidence::Acceptance {
                date: date(&e.date).map_err(|m| ("date", m))?,
                decision: req("decision", &e.decision, 1000)?,
            })
        }
        Stage::Done => Err(("stage", Msg::new("任务已结项"))),
    }
}

/// Checks a step back from `stage`: there must be a previous stage and a reason.
pub fn check_back(stage: Stage, reason: &str) -> Result<(Stage, String), (&'static str, Msg)> {
    let to = stage.previous().ok_or(("stage", Msg::new("改革立项是第一个阶段，不能再退回")))?;
    let reason = required(reason, 500).map_err(|_| ("reason", Msg::new("退回须说明原因")))?;
    Ok((to, reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_go_one_at_a_time() {
        assert_eq!(Stage::Approval.next(), Some(Stage::Plan));
        assert_eq!(Stage::Acceptance.next(), Some(Stage::Done));
        assert_eq!(Stage::Done.next(), None);
        assert_eq!(Stage::Approval.previous(), None);
        assert_eq!(Stage::from_label("组织实施"), Some(Stage::Implementation));
        assert_eq!(
            Stage::ALL.iter().map(|s| s.label()).collect::<Vec<_>>().join("→"),
            "改革立项→方案研究→专家论证→审议决定→组织实施→督察考评→结项验收→已结项"
        );
    }

    #[test]
    fn each_stage_closes_only_with_its_evidence() {
        let none = EvidenceInput::default();
        for stage in &Stage::ALL[..7] {
            assert!(check_evidence(*stage, &none).is_err(), "{stage:?} closed without evidence");
        }
        let plan = EvidenceInput {
            plan_title: "关于深化“一件事”改革的实施方案".into(),
            ..EvidenceInput::default()
        };
        assert_eq!(check_evidence(Stage::Plan, &plan).unwrap_err().0, "attachment");
        let plan = EvidenceInput { attachment_id: Some(9), ..plan };
        assert!(check_evidence(Stage::Plan, &plan).is_ok());
        let review = EvidenceInput {
            experts: vec![Expert {
                name: "周教授".into(),
                title: "市委党校".into(),
                opinion: "方案可行".into(),
            }],
            ..EvidenceInput::default()
        };
        assert!(check_evidence(Stage::Review, &review).is_ok());
        let decision = EvidenceInput {
            meeting: "市委深改委第五次会议".into(),
            date: "2026-04-12".into(),
            doc_no: "云改发〔2026〕3号".into(),
            decision: "原则同意".into(),
            ..EvidenceInput::default()
        };
        assert!(check_evidence(Stage::Decision, &decision).is_ok());
        let no_doc = EvidenceInput { doc_no: String::new(), ..decision };
        assert_eq!(check_evidence(Stage::Decision, &no_doc).unwrap_err().0, "doc_no");
        let failed = EvidenceInput {
            result: "failed".into(),
            date: "2026-11-01".into(),
            decision: "未达预期".into(),
            ..EvidenceInput::default()
        };
        assert_eq!(check_evidence(Stage::Acceptance, &failed).unwrap_err().0, "result");
    }

    #[test]
    fn a_step_back_needs_a_reason() {
        assert_eq!(check_back(Stage::Decision, "  ").unwrap_err().0, "reason");
        assert_eq!(check_back(Stage::Decision, "文号有误").unwrap(), (Stage::Review, "文号有误".into()));
        assert!(check_back(Stage::Approval, "x").is_err());
    }
}
