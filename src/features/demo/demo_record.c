/* demo_record.c: the record fields of issue 5 for a demo member (pure, deterministic):
 * ethnicity (CODE-03, mostly 汉族 with the larger minorities at realistic shares), education
 * (CODE-04 detail codes, by birth cohort and department), the development dates before joining
 * (DEV-01: applied on or after the 18th birthday; DEV-03: activist >= applied; DEV-04:
 * candidate >= activist + 12 months; DEV-15: candidate <= joined), job and title by department,
 * and the work unit and department names of the member's branch.
 * Integer arithmetic only; draws come from the caller's stream. */
#include <string.h>

#include "features/demo/demo.h"

struct weighted_code {
    const char *code;
    int weight;
};

/* CODE-03: ~92.5% 汉族 among members; the rest roughly as the census ranks minorities. */
static const struct weighted_code ETHNICITY[] = {
    {"01", 9250}, {"08", 130}, {"03", 100}, {"11", 90}, {"05", 50}, {"06", 55}, {"07", 50},
    {"15", 50}, {"04", 35}, {"02", 40}, {"10", 30}, {"12", 20}, {"13", 15}, {"14", 15},
    {"09", 20}, {"16", 10}, {"17", 10}, {"18", 8}, {"19", 8}, {"38", 4}, {"22", 5}, {"26", 5},
};

/* CODE-04 by birth cohort: postgraduate, bachelor, college, technical school, high school,
 * junior high (11 博士, 14 硕士, 21 本科, 31 专科, 41 中专, 61 高中, 71 初中 毕业). */
static const struct weighted_code EDU_YOUNG[] = {{"11", 20}, {"14", 170}, {"21", 560},
                                                 {"31", 180}, {"41", 40}, {"61", 30}};
static const struct weighted_code EDU_MIDDLE[] = {{"11", 10}, {"14", 90}, {"21", 450}, {"31", 260},
                                                  {"41", 100}, {"61", 70}, {"71", 20}};
static const struct weighted_code EDU_OLD[] = {{"14", 30}, {"21", 250}, {"31", 250},
                                               {"41", 170}, {"61", 200}, {"71", 100}};

static const char *pick(struct demo_rng *r, const struct weighted_code *t, size_t n)
{
    int total = 0;
    for (size_t i = 0; i < n; i++)
        total += t[i].weight;
    int x = (int)demo_rng_below(r, (uint32_t)total);
    for (size_t i = 0; i < n; i++) {
        if (x < t[i].weight)
            return t[i].code;
        x -= t[i].weight;
    }
    return t[0].code;
}

#define PICK(r, t) pick(r, t, sizeof t / sizeof t[0])

enum dept_kind { KIND_TECH, KIND_PLANT, KIND_OFFICE };

static enum dept_kind kind_of(enum demo_dept d)
{
    switch (d) {
    case DEPT_RND: case DEPT_DESIGN: case DEPT_INFO: case DEPT_QUALITY:
        return KIND_TECH;
    case DEPT_PRODUCTION: case DEPT_MAINTENANCE: case DEPT_OPERATIONS: case DEPT_EQUIPMENT:
    case DEPT_PROJECT: case DEPT_DISPATCH: case DEPT_SUPPLY:
        return KIND_PLANT;
    default:
        return KIND_OFFICE;
    }
}

static const char *education(struct demo_rng *r, int birth_year, enum dept_kind k)
{
    const char *e = birth_year >= 1985 ? PICK(r, EDU_YOUNG)
                    : birth_year >= 1970 ? PICK(r, EDU_MIDDLE) : PICK(r, EDU_OLD);
    if (k == KIND_TECH && demo_rng_permille(r, 350))          /* R&D hires more graduates */
        return strcmp(e, "21") == 0 ? "14" : strcmp(e, "14") == 0 ? "11" : "21";
    if (k == KIND_PLANT && demo_rng_permille(r, 300))         /* workshops: 技校, 专科 */
        return strcmp(e, "21") == 0 ? "31" : strcmp(e, "31") == 0 ? "47" : e;
    return e;
}

static const char *const JOBS[DEPT_COUNT][4] = {
    [DEPT_OFFICE] = {"综合管理岗", "文秘", "行政主管", "办公室主任"},
    [DEPT_RETIRED] = {"退休职工", "退休职工", "退休干部", "退休职工"},
    [DEPT_PRODUCTION] = {"操作工", "班组长", "工艺员", "车间主任"},
    [DEPT_MAINTENANCE] = {"检修工", "电工", "班组长", "检修主管"},
    [DEPT_OPERATIONS] = {"运行值班员", "值长", "运行专工", "运行主管"},
    [DEPT_EQUIPMENT] = {"设备管理员", "设备专工", "点检员", "设备主管"},
    [DEPT_QUALITY] = {"质检员", "安全员", "质量工程师", "安全主管"},
    [DEPT_SUPPLY] = {"采购员", "仓储管理员", "物资计划员", "采购主管"},
    [DEPT_RND] = {"研发工程师", "测试工程师", "项目经理", "研发主管"},
    [DEPT_DESIGN] = {"设计师", "结构工程师", "主任设计师", "总设计师"},
    [DEPT_INFO] = {"软件工程师", "运维工程师", "网络管理员", "信息主管"},
    [DEPT_MARKETING] = {"销售代表", "客户经理", "营销专员", "营销主管"},
    [DEPT_MARKET_DEV] = {"市场专员", "商务经理", "投标专员", "市场主管"},
    [DEPT_CUSTOMER] = {"客服专员", "客服组长", "客户经理", "服务主管"},
    [DEPT_FINANCE] = {"会计", "出纳", "财务分析师", "财务主管"},
    [DEPT_HR] = {"人事专员", "薪酬专员", "招聘专员", "人事主管"},
    [DEPT_PARTY_WORK] = {"党务干事", "宣传干事", "组织干事", "党群主管"},
    [DEPT_PROJECT] = {"施工员", "技术员", "安全员", "项目经理"},
    [DEPT_LOGISTICS] = {"后勤专员", "驾驶员", "物业管理员", "后勤主管"},
    [DEPT_DISPATCH] = {"调度员", "值班调度", "调度专工", "调度主管"},
};

/* Professional titles (职称) by department kind; NULL = none. */
static const char *title(struct demo_rng *r, enum demo_dept d, int age)
{
    static const char *const TECH[] = {"助理工程师", "工程师", "高级工程师", "正高级工程师"};
    static const char *const PLANT[] = {"中级工", "高级工", "技师", "高级技师"};
    static const char *const OFFICE[] = {"助理经济师", "经济师", "高级经济师", "高级经济师"};
    static const char *const FINANCE[] = {"助理会计师", "会计师", "高级会计师", "正高级会计师"};
    static const char *const PARTY[] = {"助理政工师", "政工师", "高级政工师", "高级政工师"};
    if (demo_rng_permille(r, 150))
        return NULL;
    int level = age < 30 ? 0 : age < 40 ? 1 : age < 50 ? 2 : 3;
    if (level > 0 && demo_rng_permille(r, 300))
        level--;
    if (d == DEPT_FINANCE)
        return FINANCE[level];
    if (d == DEPT_PARTY_WORK)
        return PARTY[level];
    enum dept_kind k = kind_of(d);
    return k == KIND_TECH ? TECH[level] : k == KIND_PLANT ? PLANT[level] : OFFICE[level];
}

/* DEV-01/03/04/15 backwards from the join date; joined moves later only when the 12 months of
 * cultivation (DEV-04) do not fit after the 18th birthday. */
static void dev_dates(struct demo_rng *r, struct demo_member *m)
{
    struct date adult = date_add_months(m->birth, 216);                       /* DEV-01 */
    m->candidate = date_add_days(m->joined, -(60 + (int)demo_rng_below(r, 240)));
    m->activist = date_add_days(date_add_months(m->candidate, -12), -(int)demo_rng_below(r, 365));
    m->applied = date_add_days(m->activist, -(30 + (int)demo_rng_below(r, 510)));
    if (date_cmp(m->applied, adult) < 0)
        m->applied = adult;
    if (date_cmp(m->activist, m->applied) < 0)                                /* DEV-03 */
        m->activist = m->applied;
    if (date_cmp(m->candidate, date_add_months(m->activist, 12)) < 0)          /* DEV-04 */
        m->candidate = date_add_months(m->activist, 12);
    if (date_cmp(m->joined, m->candidate) < 0) {                              /* DEV-15 */
        m->joined = m->candidate;
        if (!m->probationary)
            m->full = date_add_months(m->joined, 12);
    }
}

void demo_record_fill(struct demo_rng *r, enum demo_dept dept, int age, struct date as_of,
                      struct demo_member *m)
{
    bool retired = dept == DEPT_RETIRED;
    memcpy(m->ethnicity, PICK(r, ETHNICITY), 3);
    memcpy(m->education, education(r, m->birth.year, kind_of(dept)), 3);
    dev_dates(r, m);
    int j = (int)demo_rng_below(r, 8);                   /* the senior jobs are rarer */
    m->job = JOBS[dept][j < 4 ? 0 : j < 6 ? 1 : j < 7 ? 2 : 3];
    m->title = title(r, dept, retired ? 55 : age);
    if (m->lost_contact)
        m->status_on = date_add_days(as_of, -(30 + (int)demo_rng_below(r, 700)));
}

/* Copies s without the suffix cut (and what follows it) into out. */
static void cut_at(const char *s, const char *cut, char *out, size_t size)
{
    const char *p = strstr(s, cut);
    size_t n = p != NULL ? (size_t)(p - s) : strlen(s);
    if (n >= size)
        n = size - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

void demo_record_unit(const struct demo_plan *plan, int32_t branch, char *work_unit,
                      size_t wsize, char *department, size_t dsize)
{
    int32_t c = plan->orgs[branch].parent;
    while (c >= 0 && plan->orgs[c].type != DEMO_COMMITTEE)
        c = plan->orgs[c].parent;
    cut_at(c >= 0 ? demo_plan_name(plan, (size_t)c) : "", "党委", work_unit, wsize);
    /* "生产一车间党支部" -> 生产一车间; "财务资产部第二党支部" -> 财务资产部; "第二项目部" stays */
    char d[160];
    cut_at(demo_plan_name(plan, (size_t)branch), "党支部", d, sizeof d);
    const char *nth = strstr(d + 1, "第");
    if (nth != NULL && d[0] != '\0')
        d[nth - d] = '\0';
    cut_at(d, "\x01", department, dsize);
}
