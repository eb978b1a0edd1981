/* demo_names.c: the seeded PRNG and every name the demo invents: people (surnames weighted by
 * their frequency in China, given names chosen by gender and generation), the fictional group,
 * its subsidiaries, departments, general branches and Chinese numerals.
 *
 * Pure and deterministic: xoshiro256** seeded through splitmix64, unbiased bounded integers
 * (Lemire's multiply-shift with rejection), no floating point, no I/O, no globals that change.
 * The tables are static const, so they sit in read-only memory. */
#include <string.h>

#include "features/demo/demo.h"

/* ---- PRNG ---- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void demo_rng_seed(struct demo_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t demo_rng_next(struct demo_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint32_t demo_rng_below(struct demo_rng *r, uint32_t n)
{
    uint64_t m = (demo_rng_next(r) >> 32) * (uint64_t)n;
    if ((uint32_t)m < n) {
        uint32_t threshold = (uint32_t)(-n) % n;
        while ((uint32_t)m < threshold)
            m = (demo_rng_next(r) >> 32) * (uint64_t)n;
    }
    return (uint32_t)(m >> 32);
}

int demo_rng_range(struct demo_rng *r, int lo, int hi)
{
    return lo + (int)demo_rng_below(r, (uint32_t)(hi - lo) + 1u);
}

bool demo_rng_permille(struct demo_rng *r, int permille)
{
    return (int)demo_rng_below(r, 1000) < permille;
}

/* ---- numerals ---- */

static const char *const DIGIT[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
static const char *const UNIT[] = {"", "十", "百", "千"};

static void add(char *out, size_t size, const char *s)
{
    size_t len = strlen(out), n = strlen(s);
    if (len + n < size)
        memcpy(out + len, s, n + 1);
}

void demo_names_numeral(int n, char *out, size_t size)
{
    int d[4] = {n / 1000 % 10, n / 100 % 10, n / 10 % 10, n % 10};
    bool started = false, zero = false;
    out[0] = '\0';
    for (int i = 0; i < 4; i++) {
        if (d[i] == 0) {
            zero = started;
            continue;
        }
        if (zero)
            add(out, size, DIGIT[0]);
        /* "十二", not "一十二", when ten is the leading unit. */
        if (!(started == false && i == 2 && d[i] == 1))
            add(out, size, DIGIT[d[i]]);
        add(out, size, UNIT[3 - i]);
        started = true;
        zero = false;
    }
}

/* ---- people ---- */

struct weighted {
    const char *s;
    int w;          /* frequency, per 10,000 people */
};

/* The common surnames, roughly by the 2020 census share (per 10,000); compound ones are rare. */
static const struct weighted SURNAME[] = {
    {"王", 710}, {"李", 700}, {"张", 660}, {"刘", 530}, {"陈", 450}, {"杨", 310}, {"黄", 230},
    {"赵", 220}, {"吴", 200}, {"周", 190}, {"徐", 160}, {"孙", 150}, {"马", 140}, {"朱", 130},
    {"胡", 130}, {"郭", 120}, {"何", 110}, {"高", 110}, {"林", 110}, {"罗", 100}, {"郑", 90},
    {"梁", 90}, {"谢", 80}, {"宋", 70}, {"唐", 70}, {"许", 70}, {"韩", 70}, {"冯", 60},
    {"邓", 60}, {"曹", 60}, {"彭", 60}, {"曾", 60}, {"肖", 60}, {"田", 50}, {"董", 50},
    {"袁", 50}, {"潘", 50}, {"于", 50}, {"蒋", 50}, {"蔡", 50}, {"余", 50}, {"杜", 40},
    {"叶", 40}, {"程", 40}, {"苏", 40}, {"魏", 40}, {"吕", 40}, {"丁", 40}, {"任", 40},
    {"沈", 40}, {"姚", 40}, {"卢", 40}, {"姜", 40}, {"崔", 40}, {"钟", 40}, {"谭", 30},
    {"陆", 30}, {"汪", 30}, {"范", 30}, {"金", 30}, {"石", 30}, {"廖", 30}, {"贾", 30},
    {"夏", 30}, {"韦", 30}, {"付", 30}, {"方", 30}, {"白", 30}, {"邹", 30}, {"孟", 30},
    {"熊", 30}, {"秦", 30}, {"邱", 30}, {"江", 30}, {"尹", 30}, {"薛", 30}, {"闫", 20},
    {"段", 20}, {"雷", 20}, {"侯", 20}, {"龙", 20}, {"史", 20}, {"陶", 20}, {"黎", 20},
    {"贺", 20}, {"顾", 20}, {"毛", 20}, {"郝", 20}, {"龚", 20}, {"邵", 20}, {"万", 20},
    {"钱", 20}, {"严", 20}, {"覃", 20}, {"武", 20}, {"戴", 20}, {"莫", 20}, {"孔", 20},
    {"向", 20}, {"汤", 20}, {"常", 10}, {"温", 10}, {"康", 10}, {"施", 10}, {"文", 10},
    {"牛", 10}, {"樊", 10}, {"葛", 10}, {"邢", 10}, {"安", 10}, {"齐", 10}, {"易", 10},
    {"乔", 10}, {"伍", 10}, {"庞", 10}, {"颜", 10}, {"倪", 10}, {"庄", 10}, {"聂", 10},
    {"章", 10}, {"鲁", 10}, {"岳", 10}, {"翟", 10}, {"殷", 10}, {"詹", 10}, {"申", 10},
    {"耿", 10}, {"关", 10}, {"兰", 10}, {"焦", 10}, {"俞", 10}, {"左", 10}, {"柳", 10},
    {"甘", 10}, {"祝", 10}, {"包", 10}, {"宁", 10}, {"尚", 10}, {"符", 10}, {"舒", 10},
    {"柯", 10}, {"纪", 10}, {"梅", 10}, {"童", 10}, {"毕", 10}, {"季", 10}, {"裴", 10},
    {"霍", 10}, {"成", 10}, {"苗", 10}, {"谷", 10}, {"盛", 10}, {"翁", 10}, {"骆", 10},
    {"欧阳", 3}, {"司马", 1}, {"上官", 1}, {"诸葛", 1}, {"皇甫", 1}, {"令狐", 1}, {"慕容", 1},
};
#define NSURNAME (sizeof SURNAME / sizeof SURNAME[0])

/* Given-name characters, one UTF-8 character (3 bytes) each. */
static const char MALE[] = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁健亮俊峰建国东林海龙文浩宇"
                           "志新成栋兵毅锋晨博凯睿昊航轩鸿德庆振江山忠义春正光荣胜利辰泽恒";
static const char FEMALE[] = "芳娜敏静丽艳娟霞秀英玲燕萍红梅莉婷雪琳丹倩颖慧佳琴云蕾洁薇欣怡"
                             "悦晶璐月彤瑶妍琪岚萱婉素兰凤菊桂美淑荷璇";
static const char SHARED[] = "晓小春海思子雨嘉晨玉金立新一天文明彦少亚秋冬云";

static const char *pick_surname(struct demo_rng *r)
{
    int total = 0;                      /* ~170 additions: cheaper than a table to keep in sync */
    for (size_t i = 0; i < NSURNAME; i++)
        total += SURNAME[i].w;
    int x = (int)demo_rng_below(r, (uint32_t)total);
    for (size_t i = 0; i < NSURNAME; i++) {
        x -= SURNAME[i].w;
        if (x < 0)
            return SURNAME[i].s;
    }
    return SURNAME[0].s;
}

static void add_char(char *out, size_t size, const char *chars, size_t bytes, uint32_t k)
{
    char c[4];
    memcpy(c, chars + (k % (bytes / 3)) * 3, 3);
    c[3] = '\0';
    add(out, size, c);
}

void demo_names_person(struct demo_rng *r, int gender, int birth_year, char *out, size_t size)
{
    const char *own = gender == 2 ? FEMALE : MALE;
    size_t own_n = (gender == 2 ? sizeof FEMALE : sizeof MALE) - 1;
    int single_permille = birth_year < 1975 ? 380 : 180;   /* 单名 were commoner before */

    out[0] = '\0';
    add(out, size, pick_surname(r));
    if (demo_rng_permille(r, single_permille)) {
        add_char(out, size, own, own_n, demo_rng_next(r) >> 33);
        return;
    }
    uint32_t first = (uint32_t)(demo_rng_next(r) >> 33);
    uint32_t second = (uint32_t)(demo_rng_next(r) >> 33);
    if (demo_rng_permille(r, 400))
        add_char(out, size, SHARED, sizeof SHARED - 1, first);
    else
        add_char(out, size, own, own_n, first);
    if (second % (own_n / 3) == first % (own_n / 3))    /* 叠字 only by choice, not by chance */
        second++;
    add_char(out, size, own, own_n, second);
}

/* ---- the group and its units ---- */

static const struct { const char *s, *code; } BRAND[] = {
    {"恒远", "HY"}, {"华宇", "HU"}, {"中联", "ZL"}, {"国泰", "GT"}, {"长兴", "CX"},
    {"瑞能", "RN"}, {"东方宏业", "DH"}, {"华晟", "HS"}, {"中泽", "ZZ"}, {"广汇通", "GH"},
};
static const char *const INDUSTRY[] = {
    "能源建设", "电力装备", "交通工程", "化工材料", "铁路建设", "航运物流", "冶金科技", "水利水电",
};

void demo_names_group(struct demo_rng *r, char *name, size_t size, char code[3])
{
    size_t b = demo_rng_below(r, sizeof BRAND / sizeof BRAND[0]);
    size_t i = demo_rng_below(r, sizeof INDUSTRY / sizeof INDUSTRY[0]);
    name[0] = '\0';
    add(name, size, "中国");
    add(name, size, BRAND[b].s);
    add(name, size, INDUSTRY[i]);
    add(name, size, "集团有限公司");
    memcpy(code, BRAND[b].code, 3);
}

static const char *const PROVINCE[] = {
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆",
    "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆",
};
#define NPROVINCE (sizeof PROVINCE / sizeof PROVINCE[0])
/* The unit cities are the first places of demo_pdata.c (which also knows their districts). */
#define NCITY DEMO_UNIT_CITIES
static const struct { const char *s; int theme; } UNIT_TYPE[] = {
    {"工程有限公司", THEME_PROJECT}, {"发电有限公司", THEME_PRODUCTION},
    {"检修分公司", THEME_PRODUCTION}, {"装备制造有限公司", THEME_PRODUCTION},
    {"研究院", THEME_TECH}, {"设计院", THEME_TECH}, {"物流有限公司", THEME_MARKET},
    {"建设有限公司", THEME_PROJECT}, {"销售有限公司", THEME_MARKET},
    {"运营分公司", THEME_SUPPORT},
};
#define NUNIT_TYPE (sizeof UNIT_TYPE / sizeof UNIT_TYPE[0])

void demo_names_unit(int index, bool mid, uint32_t offset, char *out, size_t size, int *theme,
                     int *place)
{
    char num[40];
    out[0] = '\0';
    if (mid) {
        /* 二级单位 by province: "江苏分公司"; after one round "江苏第二分公司". */
        int cycle = index / (int)NPROVINCE;
        add(out, size, PROVINCE[(index + offset) % NPROVINCE]);
        if (cycle > 0) {
            demo_names_numeral(cycle + 1, num, sizeof num);
            add(out, size, "第");
            add(out, size, num);
        }
        add(out, size, "分公司");
        *theme = (int)((index + offset) % THEME_COUNT);
        *place = -1;
        return;
    }
    /* City x type, walked with a stride coprime to both table sizes so names stay distinct. */
    uint32_t combos = NCITY * NUNIT_TYPE;
    uint32_t k = (uint32_t)index % combos, cycle = (uint32_t)index / combos;
    uint32_t c = (k * 7 + offset) % NCITY, t = (k + k / NCITY) % NUNIT_TYPE;
    add(out, size, demo_place_city((int)c));
    if (cycle > 0) {
        demo_names_numeral((int)cycle + 1, num, sizeof num);
        add(out, size, "第");
        add(out, size, num);
    }
    add(out, size, UNIT_TYPE[t].s);
    *theme = UNIT_TYPE[t].theme;
    *place = (int)c;
}

/* ---- departments ---- */

enum style { SUFFIX, INFIX, PREFIX };   /* 财务资产部第二 / 生产二车间 / 第二项目部 */

static const struct {
    const char *a, *b;
    enum style style;
    int female_permille;
} DEPT[DEPT_COUNT] = {
    [DEPT_OFFICE] = {"机关", "", SUFFIX, 450},
    [DEPT_RETIRED] = {"离退休职工", "", SUFFIX, 330},
    [DEPT_PRODUCTION] = {"生产", "车间", INFIX, 130},
    [DEPT_MAINTENANCE] = {"检修", "车间", INFIX, 80},
    [DEPT_OPERATIONS] = {"运行部", "", SUFFIX, 150},
    [DEPT_EQUIPMENT] = {"设备管理部", "", SUFFIX, 150},
    [DEPT_QUALITY] = {"质量安全部", "", SUFFIX, 250},
    [DEPT_SUPPLY] = {"物资供应部", "", SUFFIX, 300},
    [DEPT_RND] = {"技术研发中心", "", SUFFIX, 280},
    [DEPT_DESIGN] = {"工程设计所", "", SUFFIX, 300},
    [DEPT_INFO] = {"信息技术中心", "", SUFFIX, 300},
    [DEPT_MARKETING] = {"营销服务部", "", SUFFIX, 450},
    [DEPT_MARKET_DEV] = {"市场开发部", "", SUFFIX, 350},
    [DEPT_CUSTOMER] = {"客户服务中心", "", SUFFIX, 550},
    [DEPT_FINANCE] = {"财务资产部", "", SUFFIX, 600},
    [DEPT_HR] = {"人力资源部", "", SUFFIX, 550},
    [DEPT_PARTY_WORK] = {"党群工作部", "", SUFFIX, 500},
    [DEPT_PROJECT] = {"项目部", "", PREFIX, 100},
    [DEPT_LOGISTICS] = {"后勤服务中心", "", SUFFIX, 400},
    [DEPT_DISPATCH] = {"调度中心", "", SUFFIX, 200},
};

/* Which departments a theme's branches come from; repeats weight the draw. */
static const uint8_t THEME_DEPTS[THEME_COUNT][8] = {
    [THEME_PRODUCTION] = {DEPT_PRODUCTION, DEPT_PRODUCTION, DEPT_PRODUCTION, DEPT_MAINTENANCE,
                          DEPT_OPERATIONS, DEPT_EQUIPMENT, DEPT_QUALITY, DEPT_DISPATCH},
    [THEME_TECH] = {DEPT_RND, DEPT_RND, DEPT_RND, DEPT_DESIGN, DEPT_DESIGN, DEPT_INFO,
                    DEPT_QUALITY, DEPT_RND},
    [THEME_MARKET] = {DEPT_MARKETING, DEPT_MARKETING, DEPT_MARKET_DEV, DEPT_CUSTOMER,
                      DEPT_CUSTOMER, DEPT_SUPPLY, DEPT_LOGISTICS, DEPT_MARKETING},
    [THEME_PROJECT] = {DEPT_PROJECT, DEPT_PROJECT, DEPT_PROJECT, DEPT_PROJECT, DEPT_QUALITY,
                       DEPT_SUPPLY, DEPT_EQUIPMENT, DEPT_PROJECT},
    [THEME_SUPPORT] = {DEPT_FINANCE, DEPT_HR, DEPT_PARTY_WORK, DEPT_LOGISTICS, DEPT_INFO,
                       DEPT_FINANCE, DEPT_QUALITY, DEPT_MARKETING},
};
static const char *const THEME_NAME[THEME_COUNT] = {
    [THEME_PRODUCTION] = "生产运营", [THEME_TECH] = "技术研发", [THEME_MARKET] = "市场营销",
    [THEME_PROJECT] = "工程项目", [THEME_SUPPORT] = "综合保障",
};

enum demo_dept demo_names_theme_dept(struct demo_rng *r, int theme)
{
    return (enum demo_dept)THEME_DEPTS[theme % THEME_COUNT][demo_rng_below(r, 8)];
}

int demo_names_female_permille(enum demo_dept d)
{
    return DEPT[d].female_permille;
}

void demo_names_branch(enum demo_dept d, int ordinal, bool several, char *out, size_t size)
{
    char num[40];
    demo_names_numeral(ordinal, num, sizeof num);
    out[0] = '\0';
    switch (DEPT[d].style) {
    case INFIX:                             /* 生产一车间 */
        add(out, size, DEPT[d].a);
        add(out, size, num);
        add(out, size, DEPT[d].b);
        break;
    case PREFIX:                            /* 第一项目部 */
        add(out, size, "第");
        add(out, size, num);
        add(out, size, DEPT[d].a);
        break;
    case SUFFIX:                            /* 财务资产部 / 机关第二 */
        add(out, size, DEPT[d].a);
        if (several) {
            add(out, size, "第");
            add(out, size, num);
        }
        break;
    }
    add(out, size, "党支部");
}

void demo_names_general_branch(int theme, int ordinal, bool several, char *out, size_t size)
{
    char num[40];
    out[0] = '\0';
    add(out, size, THEME_NAME[theme % THEME_COUNT]);
    if (several) {
        demo_names_numeral(ordinal, num, sizeof num);
        add(out, size, "第");
        add(out, size, num);
    }
    add(out, size, "党总支");
}
