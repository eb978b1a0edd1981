/* demo_pdata.c: the demo's personal data (pure, deterministic): where the group works, and for
 * each member a 公民身份号码, a mobile number and a home address that fit that place.
 *
 * Places: the 60 cities that name the 三级 units (demo_names.c takes its city names from here,
 * so the two never drift apart), then the municipalities and capitals missing from that list.
 * The group's headquarters is in Beijing. Each place carries a few real district codes of
 * GB/T 2260 and the province's full name. A member lives in a district of the city their unit
 * is in; about two in three (most retirees) were born there as well, the rest come from any other
 * place in the table.
 *
 * ID numbers (ID-01..ID-04): district code + the member's birth date + a sequence code whose
 * last digit has the member's gender (odd: male), with the MOD 11-2 check character of
 * member_idcard.h. Mobile numbers (ID-07): real prefixes of the three carriers, weighted towards
 * the older, commoner ones, + 8 digits. Addresses: "省 市 区 路 号 小区 栋 单元 室".
 *
 * Uniqueness: a million members drawn at random would share a few hundred ID numbers and phones.
 * demo_unique (an open-addressing set of 64-bit keys, ~16 bytes per member) lets the writer
 * move a repeat to the next free sequence code or number, in member order, so the result is
 * still the same for the same seed. No I/O. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "features/demo/demo.h"
#include "features/member/member_idcard.h"

#define BORN_HERE_PERMILLE 650
#define BORN_HERE_RETIRED_PERMILLE 850

struct district {
    int code;                /* GB/T 2260 */
    const char *name;
};

struct place {
    const char *city;        /* as in org names: "南京" */
    const char *province;    /* "江苏省"; NULL for a municipality */
    struct district d[5];    /* code 0 ends the list */
};

/* The first DEMO_UNIT_CITIES entries are the unit cities, in demo_names.c's historic order. */
static const struct place PLACES[DEMO_NPLACES] = {
    {"南京", "江苏省", {{320102, "玄武区"}, {320104, "秦淮区"}, {320105, "建邺区"},
                       {320106, "鼓楼区"}, {320115, "江宁区"}}},
    {"苏州", "江苏省", {{320505, "虎丘区"}, {320506, "吴中区"}, {320507, "相城区"},
                       {320508, "姑苏区"}}},
    {"杭州", "浙江省", {{330102, "上城区"}, {330105, "拱墅区"}, {330106, "西湖区"},
                       {330108, "滨江区"}, {330109, "萧山区"}}},
    {"宁波", "浙江省", {{330203, "海曙区"}, {330205, "江北区"}, {330206, "北仑区"},
                       {330212, "鄞州区"}}},
    {"合肥", "安徽省", {{340102, "瑶海区"}, {340103, "庐阳区"}, {340104, "蜀山区"},
                       {340111, "包河区"}}},
    {"福州", "福建省", {{350102, "鼓楼区"}, {350103, "台江区"}, {350104, "仓山区"},
                       {350111, "晋安区"}}},
    {"厦门", "福建省", {{350203, "思明区"}, {350205, "海沧区"}, {350206, "湖里区"},
                       {350211, "集美区"}}},
    {"南昌", "江西省", {{360102, "东湖区"}, {360103, "西湖区"}, {360104, "青云谱区"},
                       {360111, "青山湖区"}}},
    {"济南", "山东省", {{370102, "历下区"}, {370103, "市中区"}, {370104, "槐荫区"},
                       {370105, "天桥区"}, {370112, "历城区"}}},
    {"青岛", "山东省", {{370202, "市南区"}, {370203, "市北区"}, {370211, "黄岛区"},
                       {370212, "崂山区"}, {370213, "李沧区"}}},
    {"郑州", "河南省", {{410102, "中原区"}, {410103, "二七区"}, {410104, "管城回族区"},
                       {410105, "金水区"}}},
    {"洛阳", "河南省", {{410302, "老城区"}, {410303, "西工区"}, {410305, "涧西区"},
                       {410311, "洛龙区"}}},
    {"武汉", "湖北省", {{420102, "江岸区"}, {420103, "江汉区"}, {420104, "硚口区"},
                       {420106, "武昌区"}, {420111, "洪山区"}}},
    {"宜昌", "湖北省", {{420502, "西陵区"}, {420503, "伍家岗区"}, {420504, "点军区"}}},
    {"长沙", "湖南省", {{430102, "芙蓉区"}, {430103, "天心区"}, {430104, "岳麓区"},
                       {430105, "开福区"}, {430111, "雨花区"}}},
    {"株洲", "湖南省", {{430202, "荷塘区"}, {430203, "芦淞区"}, {430204, "石峰区"},
                       {430211, "天元区"}}},
    {"广州", "广东省", {{440103, "荔湾区"}, {440104, "越秀区"}, {440105, "海珠区"},
                       {440106, "天河区"}, {440111, "白云区"}}},
    {"深圳", "广东省", {{440303, "罗湖区"}, {440304, "福田区"}, {440305, "南山区"},
                       {440306, "宝安区"}, {440307, "龙岗区"}}},
    {"南宁", "广西壮族自治区", {{450102, "兴宁区"}, {450103, "青秀区"}, {450105, "江南区"},
                                {450107, "西乡塘区"}}},
    {"海口", "海南省", {{460105, "秀英区"}, {460106, "龙华区"}, {460107, "琼山区"},
                       {460108, "美兰区"}}},
    {"成都", "四川省", {{510104, "锦江区"}, {510105, "青羊区"}, {510106, "金牛区"},
                       {510107, "武侯区"}, {510108, "成华区"}}},
    {"绵阳", "四川省", {{510703, "涪城区"}, {510704, "游仙区"}}},
    {"贵阳", "贵州省", {{520102, "南明区"}, {520103, "云岩区"}, {520111, "花溪区"},
                       {520112, "乌当区"}}},
    {"昆明", "云南省", {{530102, "五华区"}, {530103, "盘龙区"}, {530111, "官渡区"},
                       {530112, "西山区"}}},
    {"西安", "陕西省", {{610102, "新城区"}, {610103, "碑林区"}, {610104, "莲湖区"},
                       {610111, "灞桥区"}, {610113, "雁塔区"}}},
    {"宝鸡", "陕西省", {{610302, "渭滨区"}, {610303, "金台区"}, {610304, "陈仓区"}}},
    {"兰州", "甘肃省", {{620102, "城关区"}, {620103, "七里河区"}, {620104, "西固区"},
                       {620105, "安宁区"}}},
    {"西宁", "青海省", {{630102, "城东区"}, {630103, "城中区"}, {630104, "城西区"},
                       {630105, "城北区"}}},
    {"银川", "宁夏回族自治区", {{640104, "兴庆区"}, {640105, "西夏区"}, {640106, "金凤区"}}},
    {"乌鲁木齐", "新疆维吾尔自治区", {{650102, "天山区"}, {650103, "沙依巴克区"},
                                      {650104, "新市区"}, {650105, "水磨沟区"}}},
    {"呼和浩特", "内蒙古自治区", {{150102, "新城区"}, {150103, "回民区"}, {150104, "玉泉区"},
                                  {150105, "赛罕区"}}},
    {"包头", "内蒙古自治区", {{150202, "东河区"}, {150203, "昆都仑区"}, {150204, "青山区"}}},
    {"沈阳", "辽宁省", {{210102, "和平区"}, {210103, "沈河区"}, {210104, "大东区"},
                       {210105, "皇姑区"}, {210106, "铁西区"}}},
    {"大连", "辽宁省", {{210202, "中山区"}, {210203, "西岗区"}, {210204, "沙河口区"},
                       {210211, "甘井子区"}}},
    {"长春", "吉林省", {{220102, "南关区"}, {220103, "宽城区"}, {220104, "朝阳区"},
                       {220105, "二道区"}, {220106, "绿园区"}}},
    {"哈尔滨", "黑龙江省", {{230102, "道里区"}, {230103, "南岗区"}, {230104, "道外区"},
                            {230110, "香坊区"}}},
    {"石家庄", "河北省", {{130102, "长安区"}, {130104, "桥西区"}, {130105, "新华区"},
                         {130108, "裕华区"}}},
    {"唐山", "河北省", {{130202, "路南区"}, {130203, "路北区"}, {130205, "开平区"},
                       {130207, "丰南区"}}},
    {"太原", "山西省", {{140105, "小店区"}, {140106, "迎泽区"}, {140107, "杏花岭区"},
                       {140109, "万柏林区"}}},
    {"大同", "山西省", {{140212, "新荣区"}, {140213, "平城区"}, {140214, "云冈区"}}},
    {"天津", NULL, {{120101, "和平区"}, {120103, "河西区"}, {120104, "南开区"},
                    {120105, "河北区"}, {120116, "滨海新区"}}},
    {"徐州", "江苏省", {{320302, "鼓楼区"}, {320303, "云龙区"}, {320305, "贾汪区"},
                       {320311, "泉山区"}}},
    {"无锡", "江苏省", {{320205, "锡山区"}, {320206, "惠山区"}, {320211, "滨湖区"},
                       {320213, "梁溪区"}}},
    {"温州", "浙江省", {{330302, "鹿城区"}, {330303, "龙湾区"}, {330304, "瓯海区"}}},
    {"芜湖", "安徽省", {{340202, "镜湖区"}, {340207, "鸠江区"}}},
    {"泉州", "福建省", {{350502, "鲤城区"}, {350503, "丰泽区"}, {350504, "洛江区"},
                       {350505, "泉港区"}}},
    {"赣州", "江西省", {{360702, "章贡区"}, {360703, "南康区"}, {360704, "赣县区"}}},
    {"烟台", "山东省", {{370602, "芝罘区"}, {370611, "福山区"}, {370612, "牟平区"},
                       {370613, "莱山区"}}},
    {"襄阳", "湖北省", {{420602, "襄城区"}, {420606, "樊城区"}, {420607, "襄州区"}}},
    {"岳阳", "湖南省", {{430602, "岳阳楼区"}, {430603, "云溪区"}, {430611, "君山区"}}},
    {"湛江", "广东省", {{440802, "赤坎区"}, {440803, "霞山区"}, {440804, "坡头区"},
                       {440811, "麻章区"}}},
    {"柳州", "广西壮族自治区", {{450202, "城中区"}, {450203, "鱼峰区"}, {450204, "柳南区"},
                                {450205, "柳北区"}}},
    {"遵义", "贵州省", {{520302, "红花岗区"}, {520303, "汇川区"}, {520304, "播州区"}}},
    {"曲靖", "云南省", {{530302, "麒麟区"}, {530303, "沾益区"}, {530304, "马龙区"}}},
    {"汉中", "陕西省", {{610702, "汉台区"}, {610703, "南郑区"}}},
    {"天水", "甘肃省", {{620502, "秦州区"}, {620503, "麦积区"}}},
    {"鄂尔多斯", "内蒙古自治区", {{150602, "东胜区"}, {150603, "康巴什区"}}},
    {"鞍山", "辽宁省", {{210302, "铁东区"}, {210303, "铁西区"}, {210304, "立山区"},
                       {210311, "千山区"}}},
    {"吉林", "吉林省", {{220202, "昌邑区"}, {220203, "龙潭区"}, {220204, "船营区"},
                       {220211, "丰满区"}}},
    {"大庆", "黑龙江省", {{230602, "萨尔图区"}, {230603, "龙凤区"}, {230604, "让胡路区"},
                         {230605, "红岗区"}}},
    /* DEMO_PLACE_HQ: the group's headquarters */
    {"北京", NULL, {{110101, "东城区"}, {110102, "西城区"}, {110105, "朝阳区"},
                    {110106, "丰台区"}, {110108, "海淀区"}}},
    {"上海", NULL, {{310101, "黄浦区"}, {310104, "徐汇区"}, {310105, "长宁区"},
                    {310106, "静安区"}, {310115, "浦东新区"}}},
    {"重庆", NULL, {{500103, "渝中区"}, {500105, "江北区"}, {500106, "沙坪坝区"},
                    {500107, "九龙坡区"}, {500108, "南岸区"}}},
    {"拉萨", "西藏自治区", {{540102, "城关区"}, {540103, "堆龙德庆区"}}},
};

/* Mobile prefixes (ID-07: ^1[3-9]), weight per prefix: China Mobile, Unicom, Telecom. */
static const struct { char p[4]; int w; } PREFIX[] = {
    {"134", 3}, {"135", 4}, {"136", 4}, {"137", 4}, {"138", 5}, {"139", 5}, {"147", 1},
    {"150", 3}, {"151", 3}, {"152", 3}, {"157", 2}, {"158", 3}, {"159", 3}, {"178", 1},
    {"182", 2}, {"183", 2}, {"184", 1}, {"187", 2}, {"188", 2}, {"195", 1}, {"198", 1},
    {"130", 3}, {"131", 3}, {"132", 3}, {"145", 1}, {"155", 2}, {"156", 2}, {"166", 1},
    {"175", 1}, {"176", 1}, {"185", 2}, {"186", 3}, {"133", 3}, {"149", 1}, {"153", 2},
    {"173", 1}, {"177", 1}, {"180", 2}, {"181", 2}, {"189", 3}, {"191", 1}, {"199", 1},
};
#define NPREFIX (sizeof PREFIX / sizeof PREFIX[0])

static const char *const STREET[] = {
    "人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "胜利路", "文化路", "长江路",
    "黄河路", "青年路", "朝阳路", "幸福路", "友谊路", "光明路", "育才路", "北京路", "南京路",
    "工业路", "体育路", "学府路", "迎宾大道", "滨江大道", "东风路", "五一路", "团结路",
    "花园路", "府前街", "文昌街", "兴业路",
};
static const char *const ESTATE[] = {
    "阳光花园", "锦绣家园", "幸福小区", "和谐家园", "翠湖苑", "金色家园", "绿城小区",
    "怡景苑", "职工新村", "电力小区", "东方名苑", "书香门第", "滨江花园", "华府嘉园",
    "紫荆花园", "丽景华庭",
};
#define NSTREET (sizeof STREET / sizeof STREET[0])
#define NESTATE (sizeof ESTATE / sizeof ESTATE[0])

const char *demo_place_city(int place)
{
    return PLACES[place].city;
}

int demo_place_prefecture(int place)
{
    return PLACES[place].d[0].code / 100;
}

static const struct district *pick_district(struct demo_rng *r, int place)
{
    const struct place *p = &PLACES[place];
    uint32_t n = 0;
    while (n < 5 && p->d[n].code != 0)
        n++;
    return &p->d[demo_rng_below(r, n)];
}

/* out = a 3-digit prefix + sub as 8 digits. */
static void put_phone(const char *prefix, uint32_t sub, char out[12])
{
    if (out != prefix)
        memcpy(out, prefix, 3);
    for (int i = 10; i >= 3; i--, sub /= 10)
        out[i] = (char)('0' + sub % 10);
    out[11] = '\0';
}

static void make_phone(struct demo_rng *r, char out[12])
{
    int total = 0;
    for (size_t i = 0; i < NPREFIX; i++)
        total += PREFIX[i].w;
    int x = (int)demo_rng_below(r, (uint32_t)total);
    size_t i = 0;
    while (x >= PREFIX[i].w)
        x -= PREFIX[i++].w;
    put_phone(PREFIX[i].p, demo_rng_below(r, 100000000u), out);
}

static void make_address(struct demo_rng *r, int place, char *out, size_t size)
{
    const struct place *p = &PLACES[place];
    const struct district *d = pick_district(r, place);
    int floor = demo_rng_range(r, 1, 18);
    snprintf(out, size, "%s%s市%s%s%d号%s%d栋%d单元%d%02d室", p->province ? p->province : "",
             p->city, d->name, STREET[demo_rng_below(r, NSTREET)], demo_rng_range(r, 1, 399),
             ESTATE[demo_rng_below(r, NESTATE)], demo_rng_range(r, 1, 30),
             demo_rng_range(r, 1, 4), floor, demo_rng_range(r, 1, 4));
}

void demo_pdata_person(struct demo_rng *r, int place, bool retired, struct demo_member *m)
{
    int permille = retired ? BORN_HERE_RETIRED_PERMILLE : BORN_HERE_PERMILLE;
    int home = demo_rng_permille(r, permille) ? place : (int)demo_rng_below(r, DEMO_NPLACES);
    const struct district *born = pick_district(r, home);
    /* ID-04: the sequence code's last digit is odd for men, even for women; 000 is not used */
    int seq = 1 + 2 * (int)demo_rng_below(r, 499) + (m->gender == 2);
    member_idcard_make(born->code, m->birth, seq, m->id_number);
    make_phone(r, m->phone);
    make_address(r, place, m->address, sizeof m->address);
}

/* ---- uniqueness ---- */

void demo_unique_init(struct demo_unique *u, int64_t expected)
{
    size_t cap = 1024;
    while (cap < (size_t)expected + (size_t)expected / 2)       /* load <= 2/3 */
        cap *= 2;
    u->slots = xcalloc(cap, sizeof *u->slots);
    u->mask = cap - 1;
    u->count = 0;
}

void demo_unique_fini(struct demo_unique *u)
{
    free(u->slots);
    memset(u, 0, sizeof *u);
}

/* Adds key (never 0); false when it was there already. Grows at 2/3 load. */
static bool unique_add(struct demo_unique *u, uint64_t key)
{
    if ((u->count + 1) * 3 > (u->mask + 1) * 2) {
        struct demo_unique bigger;
        demo_unique_init(&bigger, (int64_t)(u->mask + 1) * 2);
        for (size_t i = 0; i <= u->mask; i++)
            if (u->slots[i] != 0)
                (void)unique_add(&bigger, u->slots[i]);
        demo_unique_fini(u);
        *u = bigger;
    }
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & u->mask;
    while (u->slots[i] != 0) {
        if (u->slots[i] == key)
            return false;
        i = (i + 1) & u->mask;
    }
    u->slots[i] = key;
    u->count++;
    return true;
}

static uint64_t digits_value(const char *s, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    return v;
}

void demo_pdata_make_unique(struct demo_unique *ids, struct demo_unique *phones,
                            struct demo_member *m)
{
    /* The first 17 digits decide the number; a repeat takes the next sequence code of the same
     * parity (ID-04), 1..999 round, and after 499 tries the next 1000 (never in practice). */
    for (int tries = 0; !unique_add(ids, digits_value(m->id_number, 17)); tries++) {
        int region = (int)digits_value(m->id_number, 6);
        int seq = (int)digits_value(m->id_number + 14, 3) + 2;
        if (seq > 999)
            seq -= 998;
        if (tries >= 499)
            region = region % 1000000 + 1;
        member_idcard_make(region, m->birth, seq, m->id_number);
    }
    /* Phones: the next subscriber number under the same prefix. */
    while (!unique_add(phones, digits_value(m->phone, 11))) {
        uint32_t sub = (uint32_t)((digits_value(m->phone + 3, 8) + 1) % 100000000u);
        put_phone(m->phone, sub, m->phone);
    }
}
