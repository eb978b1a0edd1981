-- 0004_member_record: the member record to the national standard (issue 5): code tables as data
-- (domain-rules.md §8, CODE-01..05, seeded here, editable later), the remaining record fields,
-- party posts (党内职务), rewards and punishments, and the status log behind the history archive.
--
-- members.org_id stays the member's own org: a 党支部, or a 党小组 under it (MEMB-03: the
-- formal organization is the branch that is, or holds, that org).
-- Status: 'normal' 正常 and 'lost_contact' 失联 are in service; 'suspended' 停止党籍,
-- 'expelled' 出党, 'deceased' 死亡 and 'transferred_out' 已转出 form the history archive
-- (read-only there; restoring needs a reason and writes member_status_log).
-- members.version starts at 1 and goes up by one on every change of the row, so an import can
-- be undone only while the rows it wrote still carry the versions it left.

-- Code tables (CODE-01..05 and the platform's own lists). kind + code is the key; labels in
-- both UI languages; sort gives the display order; inactive codes stay valid on old records
-- but are not offered for new ones.
CREATE TABLE code_tables (
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    label_zh TEXT NOT NULL,
    label_en TEXT NOT NULL,
    sort INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    PRIMARY KEY (kind, code)
);

ALTER TABLE members ADD COLUMN ethnicity TEXT;            -- CODE-03 (GB/T 3304)
ALTER TABLE members ADD COLUMN education TEXT;            -- CODE-04 (GB/T 4658)
ALTER TABLE members ADD COLUMN applied_on TEXT;           -- 申请入党 (DEV app)
ALTER TABLE members ADD COLUMN activist_on TEXT;          -- 入党积极分子 (DEV act)
ALTER TABLE members ADD COLUMN candidate_on TEXT;         -- 发展对象 (DEV dev)
ALTER TABLE members ADD COLUMN full_exception TEXT;       -- why full_on is not joined_on + 12 months
ALTER TABLE members ADD COLUMN job TEXT;                  -- 工作岗位/职务
ALTER TABLE members ADD COLUMN title TEXT;                -- 职称
ALTER TABLE members ADD COLUMN work_unit TEXT;            -- 工作单位
ALTER TABLE members ADD COLUMN department TEXT;           -- 部门
ALTER TABLE members ADD COLUMN status_on TEXT;            -- date of the current status
ALTER TABLE members ADD COLUMN status_reason TEXT;
ALTER TABLE members ADD COLUMN id_number_orig_enc TEXT;   -- ID-05: the 15-digit original, sealed
ALTER TABLE members ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

-- The history archive, by org: a partial index, so that the in-service list (status IN
-- ('normal', 'lost_contact')) keeps walking orgs_path + members_org in tree order (decision
-- 0011); a plain index on status made SQLite scan every in-service member and sort.
CREATE INDEX members_archive ON members(org_id, status_on)
    WHERE status IN ('suspended', 'expelled', 'deceased', 'transferred_out');

-- Optional photo, apart so that lists never read it; base64 text (the db layer binds text), at
-- most 512 KiB decoded.
CREATE TABLE member_photos (
    member_id BIGINT PRIMARY KEY REFERENCES members(id),
    mime TEXT NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'image/webp')),
    data TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- 党内职务 held, with dates (ended_on NULL = current). post is a code_tables 'party_post' code.
CREATE TABLE member_posts (
    id @ID@,
    member_id BIGINT NOT NULL REFERENCES members(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    post TEXT NOT NULL,
    started_on TEXT NOT NULL,
    ended_on TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX member_posts_member ON member_posts(member_id);
CREATE INDEX member_posts_post ON member_posts(post, org_id);

-- 奖励 and 处分 (DISC-04 for the punishments); code from code_tables 'reward' / 'punishment'.
CREATE TABLE member_awards (
    id @ID@,
    member_id BIGINT NOT NULL REFERENCES members(id),
    kind TEXT NOT NULL CHECK (kind IN ('reward', 'punishment')),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    decided_by TEXT,                      -- the deciding body
    ends_on TEXT,                         -- 留党察看: at most two years (DISC-04)
    reason TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX member_awards_member ON member_awards(member_id);

-- Every status change, archive and restore, with its date and reason (the history page).
CREATE TABLE member_status_log (
    id @ID@,
    member_id BIGINT NOT NULL REFERENCES members(id),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    on_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    user_id BIGINT,
    at BIGINT NOT NULL
);
CREATE INDEX member_status_log_member ON member_status_log(member_id, id);

-- CODE-01 性别 (GB/T 2261.1)
INSERT INTO code_tables (kind, code, label_zh, label_en, sort) VALUES
('gender', '0', '未知的性别', 'Unknown', 0),
('gender', '1', '男', 'Male', 1),
('gender', '2', '女', 'Female', 2),
('gender', '9', '未说明的性别', 'Not stated', 9);

-- CODE-02 政治面貌 (GB/T 4762); a member's category maps to 01 / 02 (CODE-05)
INSERT INTO code_tables (kind, code, label_zh, label_en, sort) VALUES
('political', '01', '中国共产党党员', 'CPC member', 1),
('political', '02', '中国共产党预备党员', 'CPC probationary member', 2),
('political', '03', '中国共产主义青年团团员', 'Communist Youth League member', 3),
('political', '04', '中国国民党革命委员会会员', 'RCCK member', 4),
('political', '05', '中国民主同盟盟员', 'China Democratic League member', 5),
('political', '06', '中国民主建国会会员', 'CDNCA member', 6),
('political', '07', '中国民主促进会会员', 'CAPD member', 7),
('political', '08', '中国农工民主党党员', 'CPWDP member', 8),
('political', '09', '中国致公党党员', 'China Zhi Gong Party member', 9),
('political', '10', '九三学社社员', 'Jiusan Society member', 10),
('political', '11', '台湾民主自治同盟盟员', 'Taiwan Democratic Self-Government League member', 11),
('political', '12', '无党派民主人士', 'Non-party personage', 12),
('political', '13', '群众', 'Masses', 13);

-- CODE-05 党员类别 (internal enum; mapping to GB/T 4762 in the label)
INSERT INTO code_tables (kind, code, label_zh, label_en, sort) VALUES
('category', 'full', '正式党员', 'Full member', 1),
('category', 'probationary', '预备党员', 'Probationary member', 2);

-- 党籍状态 (issue 5 §1)
INSERT INTO code_tables (kind, code, label_zh, label_en, sort) VALUES
('member_status', 'normal', '正常', 'Normal', 1),
('member_status', 'lost_contact', '失联', 'Lost contact', 2),
('member_status', 'suspended', '停止党籍', 'Membership suspended', 3),
('member_status', 'expelled', '出党', 'Left the Party', 4),
('member_status', 'deceased', '死亡', 'Deceased', 5),
('member_status', 'transferred_out', '已转出', 'Transferred out', 6);

-- CODE-03 民族 (GB/T 3304)
INSERT INTO code_tables (kind, code, label_zh, label_en, sort) VALUES
('ethnicity', '01', '汉族', 'Han', 1), ('ethnicity', '02', '蒙古族', 'Mongol', 2),
('ethnicity', '03', '回族', 'Hui', 3), ('ethnicity', '04', '藏族', 'Tibetan', 4),
('ethnicity', '05', '维吾尔族', 'Uyghur', 5), ('ethnicity', '06', '苗族', 'Miao', 6),
('ethnicity', '07', '彝族', 'Yi', 7), ('ethnicity', '08', '壮族', 'Zhuang', 8),
('ethnicity', '09', '布依族', 'Bouyei', 9), ('ethnicity', '10', '朝鲜族', 'Korean', 10),
('ethnicity', '11', '满族', 'Manchu', 11), ('ethnicity', '12', '侗族', 'Dong', 12),
('ethnicity', '13', '瑶族', 'Yao', 13), ('ethnicity', '14', '白族', 'Bai', 14),
('ethnicity', '15', '土家族', 'Tujia', 15), ('ethnicity', '16', '哈尼族', 'Hani', 16),
('ethnicity', '17', '哈萨克族', 'Kazakh', 17), ('ethnicity', '18', '傣族', 'Dai', 18),
('ethnicity', '19', '黎族', 'Li', 19), ('ethnicity', '20', '傈僳族', 'Lisu', 20),
('ethnicity', '21', '佤族', 'Va', 21), ('ethnicity', '22', '畲族', 'She', 22),
('ethnicity', '23', '高山族', 'Gaoshan', 23), ('ethnicity', '24', '拉祜族', 'Lahu', 24),
('ethnicity', '25', '水族', 'Shui', 25), ('ethnicity', '26', '东乡族', 'Dongxiang', 26),
('ethnicity', '27', '纳西族', 'Naxi', 27), ('ethnicity', '28', '景颇族', 'Jingpo', 28),
('ethnicity', '29', '柯尔克孜族', 'Kyrgyz', 29), ('ethnicity', '30', '土族', 'Tu', 30),
('ethnicity', '31', '达斡尔族', 'Daur', 31), ('ethnicity', '32', '仫佬族', 'Mulao', 32),
('ethnicity', '33', '羌族', 'Qiang', 33), ('ethnicity', '34', '布朗族', 'Blang', 34),
('ethnicity', '35', '撒拉族', 'Salar', 35), ('ethnicity', '36', '毛南族', 'Maonan', 36),
('ethnicity', '37', '仡佬族', 'Gelao', 37), ('ethnicity', '38', '锡伯族', 'Xibe', 38),
('ethnicity', '39', '阿昌族', 'Achang', 39), ('ethnicity', '40', '普米族', 'Pumi', 40),
('ethnicity', '41', '塔吉克族', 'Tajik', 41), ('ethnicity', '42', '怒族', 'Nu', 42),
('ethnicity', '43', '乌孜别克族', 'Uzbek', 43), ('ethnicity', '44', '俄罗斯族', 'Russian', 44),
('ethnicity', '45', '鄂温克族', 'Evenki', 45), ('ethnicity', '46', '德昂族', 'De''ang', 46),
('ethnicity', '47', '保安族', 'Bonan', 47), ('ethnicity', '48', '裕固族', 'Yugur', 48),
('ethnicity', '49', '京族', 'Gin', 49), ('ethnicity', '50', '塔塔尔族', 'Tatar', 50),
('ethnicity', '51', '独龙族', 'Derung', 51), ('ethnicity', '52', '鄂伦春族', 'Oroqen', 52),
('ethnicity', '53', '赫哲族', 'Hezhen', 53), ('ethnicity', '54', '门巴族', 'Monba', 54),
('ethnicity', '55', '珞巴族', 'Lhoba', 55), ('ethnicity', '56', '基诺族', 'Jino', 56),
('ethnicity', '97', '其他未识别民族', 'Other unrecognised', 97),
('ethnicity', '98', '外国血统中国籍人士', 'Chinese citizen of foreign origin', 98);

-- CODE-04 学历 (GB/T 4658-2006): top-level codes, then the detail codes
INSERT INTO code_tables (kind, code, label_zh, label_en, sort) VALUES
('education', '10', '研究生教育', 'Postgraduate', 10),
('education', '11', '博士研究生毕业', 'Doctorate, graduated', 11),
('education', '12', '博士研究生结业', 'Doctorate, completed', 12),
('education', '13', '博士研究生肄业', 'Doctorate, not completed', 13),
('education', '14', '硕士研究生毕业', 'Master, graduated', 14),
('education', '15', '硕士研究生结业', 'Master, completed', 15),
('education', '16', '硕士研究生肄业', 'Master, not completed', 16),
('education', '17', '研究生班毕业', 'Postgraduate class, graduated', 17),
('education', '18', '研究生班结业', 'Postgraduate class, completed', 18),
('education', '19', '研究生班肄业', 'Postgraduate class, not completed', 19),
('education', '20', '大学本科教育', 'Undergraduate', 20),
('education', '21', '大学本科毕业', 'Bachelor, graduated', 21),
('education', '22', '大学本科结业', 'Bachelor, completed', 22),
('education', '23', '大学本科肄业', 'Bachelor, not completed', 23),
('education', '28', '大学普通班毕业', 'University ordinary class, graduated', 28),
('education', '30', '大学专科教育', 'Junior college', 30),
('education', '31', '大学专科毕业', 'Junior college, graduated', 31),
('education', '32', '大学专科结业', 'Junior college, completed', 32),
('education', '33', '大学专科肄业', 'Junior college, not completed', 33),
('education', '40', '中等职业教育', 'Secondary vocational', 40),
('education', '41', '中等专科毕业', 'Secondary specialised, graduated', 41),
('education', '42', '中等专科结业', 'Secondary specialised, completed', 42),
('education', '43', '中等专科肄业', 'Secondary specialised, not completed', 43),
('education', '44', '职业高中毕业', 'Vocational high school, graduated', 44),
('education', '45', '职业高中结业', 'Vocational high school, completed', 45),
('education', '46', '职业高中肄业', 'Vocational high school, not completed', 46),
('education', '47', '技工学校毕业', 'Technical school, graduated', 47),
('education', '48', '技工学校结业', 'Technical school, completed', 48),
('education', '49', '技工学校肄业', 'Technical school, not completed', 49),
('education', '60', '普通高级中学教育', 'Senior high school', 60),
('education', '61', '普通高中毕业', 'Senior high school, graduated', 61),
('education', '62', '普通高中结业', 'Senior high school, completed', 62),
('education', '63', '普通高中肄业', 'Senior high school, not completed', 63),
('education', '70', '初级中学教育', 'Junior high school', 70),
('education', '71', '初中毕业', 'Junior high school, graduated', 71),
('education', '73', '初中肄业', 'Junior high school, not completed', 73),
('education', '80', '小学教育', 'Primary school', 80),
('education', '81', '小学毕业', 'Primary school, graduated', 81),
('education', '83', '小学肄业', 'Primary school, not completed', 83),
('education', '90', '其他', 'Other', 90);

-- 党内职务 (platform list, ORG-03 committee posts and the group leader; editable)
INSERT INTO code_tables (kind, code, label_zh, label_en, sort) VALUES
('party_post', 'secretary', '书记', 'Secretary', 1),
('party_post', 'deputy_secretary', '副书记', 'Deputy secretary', 2),
('party_post', 'organization', '组织委员', 'Organization committee member', 3),
('party_post', 'publicity', '宣传委员', 'Publicity committee member', 4),
('party_post', 'discipline', '纪检委员', 'Discipline committee member', 5),
('party_post', 'youth', '青年委员', 'Youth committee member', 6),
('party_post', 'united_front', '统战委员', 'United-front committee member', 7),
('party_post', 'committee_member', '委员', 'Committee member', 8),
('party_post', 'group_leader', '党小组组长', 'Party group leader', 9);

-- 奖励 (platform list, editable) and 处分 (DISC-04, 党章)
INSERT INTO code_tables (kind, code, label_zh, label_en, sort) VALUES
('reward', 'excellent_member', '优秀共产党员', 'Outstanding Party member', 1),
('reward', 'excellent_worker', '优秀党务工作者', 'Outstanding Party worker', 2),
('reward', 'commendation', '通报表扬', 'Commendation', 3),
('reward', 'other', '其他奖励', 'Other reward', 9),
('punishment', 'warning', '警告', 'Warning', 1),
('punishment', 'serious_warning', '严重警告', 'Serious warning', 2),
('punishment', 'dismissal', '撤销党内职务', 'Removal from Party posts', 3),
('punishment', 'probation', '留党察看', 'Probation within the Party', 4),
('punishment', 'expulsion', '开除党籍', 'Expulsion', 5);
