//! Invented names for the demo city 云川市 and the bulk generator. Every name
//! here is made up for the product; none is taken from the seed documents.

use rand::RngExt;
use rand::rngs::StdRng;

/// The twelve counties and districts.
pub const COUNTIES: &[&str] = &[
    "临江区",
    "望海区",
    "青山区",
    "金川区",
    "北湖新区",
    "白鹭县",
    "石门县",
    "柳溪县",
    "桃源县",
    "凤台县",
    "云岭县",
    "松河县",
];

/// City departments (市直部门).
pub const DEPARTMENTS: &[&str] = &[
    "市发展和改革委员会",
    "市教育局",
    "市科学技术局",
    "市工业和信息化局",
    "市公安局",
    "市民政局",
    "市司法局",
    "市财政局",
    "市人力资源和社会保障局",
    "市自然资源和规划局",
    "市生态环境局",
    "市住房和城乡建设局",
    "市交通运输局",
    "市水利局",
    "市农业农村局",
    "市商务局",
    "市文化和旅游局",
    "市卫生健康委员会",
    "市退役军人事务局",
    "市应急管理局",
    "市审计局",
    "市市场监督管理局",
    "市统计局",
    "市医疗保障局",
    "市行政审批服务局",
    "市大数据局",
    "市信访局",
    "市国有资产监督管理委员会",
    "市城市管理局",
    "市营商环境促进局",
];

/// Sections of the research office.
pub const RESEARCH_SECTIONS: &[&str] =
    &["办公室", "综合科", "经济研究科", "社会发展研究科", "党建研究科", "文稿科", "信息调研科"];

/// Sections of the reform office.
pub const REFORM_SECTIONS: &[&str] = &["综合协调科", "督察考评科", "改革创新科"];

const PLACE_A: &[&str] = &[
    "东关", "西城", "南湖", "北岭", "龙泉", "凤鸣", "清河", "长安", "新华", "花园", "杨柳", "白沙", "红旗",
    "永丰", "太平", "安乐", "黄庄", "马坊", "石桥", "双河", "五里", "三元", "高台", "沙湾", "柳林", "枣园",
    "梨花", "荷塘", "竹溪", "松岗", "金桥", "银滩", "翠屏", "云台", "丰收", "和平", "兴隆", "富民", "望江",
    "临河",
];
const PLACE_B: &[&str] = &["", "新", "上", "下", "前", "后", "东", "西"];

/// A town or street name unique within the county (`i` distinguishes).
pub fn town(rng: &mut StdRng, i: usize) -> String {
    let base = PLACE_A[(i * 7 + rng.random_range(0..PLACE_A.len())) % PLACE_A.len()];
    let suffix = if rng.random_bool(0.45) { "街道" } else { "镇" };
    format!("{base}{suffix}")
}

/// A village, community, firm, park, school or hospital that acts as a contact point.
pub fn contact_point(rng: &mut StdRng, kind: &str, i: usize) -> String {
    let a = PLACE_A[rng.random_range(0..PLACE_A.len())];
    let b = PLACE_B[i % PLACE_B.len()];
    match kind {
        "village" => format!("{b}{a}村"),
        "community" => format!("{a}{b}社区"),
        "enterprise" => {
            format!("云川{a}{}有限公司", ["机械", "食品", "新材料", "纺织", "电子", "物流"][i % 6])
        }
        "park" => format!("{a}{}园区", ["高新技术产业", "现代农业", "物流", "文创"][i % 4]),
        "school" => format!("云川市{a}{}", ["中学", "小学", "职业学校"][i % 3]),
        _ => format!("{a}{}", ["中心卫生院", "社区卫生服务中心"][i % 2]),
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何",
    "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓",
    "许", "傅", "沈", "曾", "彭", "吕",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀", "霞", "平", "刚", "桂", "华", "建", "文", "博", "宇", "晨", "欣", "悦", "诚", "航", "睿", "琳",
    "昊", "思", "雨", "嘉", "子", "晓",
];

/// A person's name: a surname and one or two given characters.
pub fn person(rng: &mut StdRng) -> String {
    let s = SURNAMES[rng.random_range(0..SURNAMES.len())];
    let g1 = GIVEN[rng.random_range(0..GIVEN.len())];
    if rng.random_bool(0.7) {
        format!("{s}{g1}{}", GIVEN[rng.random_range(0..GIVEN.len())])
    } else {
        format!("{s}{g1}")
    }
}

/// Positions held in the offices, with their cadre level.
pub const POSITIONS: &[(&str, &str)] = &[
    ("主任", "county"),
    ("副主任", "county"),
    ("科长", "township"),
    ("副科长", "township"),
    ("一级主任科员", "township"),
    ("二级主任科员", "general"),
    ("一级科员", "general"),
    ("科员", "general"),
];
