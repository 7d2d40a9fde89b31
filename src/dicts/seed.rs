//! The dictionaries that ship with the product. Administrators may relabel,
//! reorder, disable and add items; start-up only adds what is missing and never
//! overwrites an administrator's edit.

/// (type code, name, English name, items as (code, label, English label)).
pub type Seed =
    (&'static str, &'static str, &'static str, &'static [(&'static str, &'static str, &'static str)]);

/// Built-in dictionary types and their first items.
pub const BUILTIN: &[Seed] = &[
    (
        "unit_kind",
        "机构类型",
        "Unit kind",
        &[
            ("committee", "党委", "Party committee"),
            ("office", "委办室局", "Office"),
            ("section", "内设科室", "Section"),
            ("county", "县（市、区）", "County or district"),
            ("department", "市直部门", "City department"),
            ("town", "乡镇（街道）", "Town or street"),
            ("contact_point", "基层联系点", "Contact point"),
            ("other", "其他", "Other"),
        ],
    ),
    (
        "contact_point_type",
        "联系点类型",
        "Contact point type",
        &[
            ("village", "村", "Village"),
            ("community", "社区", "Community"),
            ("enterprise", "企业", "Enterprise"),
            ("park", "园区", "Industrial park"),
            ("school", "学校", "School"),
            ("hospital", "医院", "Hospital"),
            ("other", "其他", "Other"),
        ],
    ),
    (
        "cadre_level",
        "干部层级",
        "Cadre level",
        &[
            ("county", "县处级", "County level"),
            ("township", "乡科级", "Township level"),
            ("general", "一般干部", "Staff"),
        ],
    ),
    (
        "posting_kind",
        "交流任职类型",
        "Posting kind",
        &[
            ("rotation", "轮岗交流", "Rotation"),
            ("shadowing", "跟班学习", "Shadowing"),
            ("secondment", "挂职锻炼", "Secondment"),
        ],
    ),
    (
        "reform_source",
        "改革任务来源",
        "Reform task source",
        &[
            ("central", "中央部署", "Central deployment"),
            ("provincial", "省委部署", "Provincial deployment"),
            ("city", "市委部署", "City deployment"),
            ("self", "自主创新", "Self-initiated"),
            ("breaking_zero", "破零改革", "Breaking zero"),
            ("micro", "微改革", "Micro-reform"),
            ("pilot_national", "国家级试点", "National pilot"),
            ("pilot_provincial", "省级试点", "Provincial pilot"),
            ("pilot_city", "市级试点", "City pilot"),
        ],
    ),
    (
        "reform_field",
        "改革领域",
        "Reform field",
        &[
            ("economy", "经济体制改革", "Economic system"),
            ("democracy", "民主法制领域改革", "Democracy and rule of law"),
            ("culture", "文化体制改革", "Cultural system"),
            ("society", "社会体制改革", "Social system"),
            ("ecology", "生态文明体制改革", "Ecological civilisation"),
            ("party", "党的建设制度改革", "Party building"),
            ("discipline", "纪律检查体制改革", "Discipline inspection"),
        ],
    ),
    (
        "reform_outlet",
        "改革经验报送渠道",
        "Reform case outlet",
        &[
            ("central_bulletin", "中央改革办《改革情况交流》", "Central reform office bulletin"),
            ("provincial_bulletin", "省委改革办《改革动态》", "Provincial reform bulletin"),
            ("city_briefing", "市委《工作信息》", "City committee briefing"),
            ("national_media", "中央主要媒体", "National media"),
            ("provincial_media", "省级主要媒体", "Provincial media"),
            ("other", "其他", "Other"),
        ],
    ),
    (
        "topic_type",
        "课题类型",
        "Research topic type",
        &[
            ("strategic", "战略性研究", "Strategic"),
            ("countermeasure", "对策性研究", "Countermeasure"),
            ("forward", "前瞻性研究", "Forward-looking"),
            ("tracking", "跟踪性研究", "Tracking"),
            ("case", "解剖麻雀式研究", "Case dissection"),
            ("supervisory", "督查式调研", "Supervisory"),
        ],
    ),
    (
        "draft_type",
        "文稿类型",
        "Draft type",
        &[
            ("speech", "领导讲话", "Speech"),
            ("report_up", "对上报告", "Report upward"),
            ("keynote", "主旨演讲", "Keynote speech"),
            ("news", "新闻发布稿", "News release"),
            ("document", "市委文件", "Committee document"),
            ("other", "其他文稿", "Other"),
        ],
    ),
    (
        "submission_category",
        "问题线索类别",
        "Submission category",
        &[
            ("economy", "经济发展", "Economy"),
            ("livelihood", "民生保障", "Livelihood"),
            ("urban", "城市管理", "Urban management"),
            ("rural", "乡村振兴", "Rural revitalisation"),
            ("environment", "生态环境", "Environment"),
            ("safety", "安全稳定", "Safety and stability"),
            ("service", "政务服务", "Government services"),
            ("other", "其他", "Other"),
        ],
    ),
    (
        "study_activity_type",
        "学习活动类型",
        "Study activity type",
        &[
            ("branch_study", "支部学习会", "Branch study session"),
            ("reading_class", "读书班", "Reading class"),
            ("youth_forum", "青年干部学习论坛", "Young cadres' forum"),
            ("lecture", "政研讲堂", "Research lecture"),
            ("theme_day", "主题党日", "Party theme day"),
            ("party_lecture", "党课", "Party lecture"),
            ("center_group", "中心组学习", "Central group study"),
        ],
    ),
];
