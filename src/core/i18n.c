/* i18n.c: message catalogue for error messages (zh-CN first, English second).
 * Features register static tables at startup; lookup scans the tables (a few hundred keys, only
 * on error paths). Unknown keys come back as themselves, so a missing translation shows the key
 * rather than nothing. Threads: registration at startup only; lookups safe. */
#include <stdbool.h>
#include <string.h>

#include "core/i18n.h"

#define MAX_TABLES 64

struct msg_table {
    const struct i18n_msg *msgs;
    size_t count;
};
static struct msg_table tables[MAX_TABLES];
static size_t ntables;

static const struct i18n_msg common_msgs[] = {
    {"validation_failed", "提交的数据有误，请检查标出的字段", "The submitted data is invalid; check the marked fields"},
    {"not_found", "未找到请求的资源", "The requested resource was not found"},
    {"request.not_found", "接口不存在", "No such API endpoint"},
    {"request.method_not_allowed", "该接口不支持此请求方法", "Method not allowed for this endpoint"},
    {"request.bad_json", "请求体不是合法的 JSON", "The request body is not valid JSON"},
    {"request.body_not_object", "请求体必须是 JSON 对象", "The request body must be a JSON object"},
    {"request.content_type", "请求体必须是 application/json", "The request body must be application/json"},
    {"request.too_large", "请求体过大", "The request body is too large"},
    {"request.bad_utf8", "请求包含无效的 UTF-8 字符", "The request contains invalid UTF-8"},
    {"request.bad_path", "非法的路径", "Invalid path"},
    {"request.bad_query", "查询参数有误", "Invalid query parameter"},
    {"request.shutting_down", "服务正在停止，请稍后重试", "The server is shutting down; retry shortly"},
    {"field.required", "必填", "Required"},
    {"field.bad_type", "类型错误", "Wrong type"},
    {"field.unknown", "不支持的字段", "Unknown field"},
    {"field.too_long", "内容过长", "Too long"},
    {"field.bad_date", "日期格式应为 YYYY-MM-DD 且必须存在", "Expected an existing date as YYYY-MM-DD"},
    {"field.bad_integer", "应为整数", "Expected an integer"},
    {"field.out_of_range", "超出允许范围", "Out of the allowed range"},
    {"field.bad_sort", "不支持的排序字段", "Unsupported sort field"},
    {"db.conflict", "数据冲突（可能已存在或仍被引用）", "Conflict: the data already exists or is still referenced"},
    {"db.constraint", "数据不满足约束", "The data violates a constraint"},
    {"db.unavailable", "数据库暂时不可用", "The database is temporarily unavailable"},
    {"db.error", "数据库错误", "Database error"},
    {"internal", "服务器内部错误", "Internal server error"},
    {"jobs.not_found", "任务不存在", "No such job"},
    {"jobs.unknown_kind", "未知的任务类型", "Unknown job kind"},
    {"jobs.cancelled", "已取消", "Cancelled"},
    {"jobs.finished", "任务已经结束，无法取消", "The job has already ended and cannot be cancelled"},
    {"password.too_short", "密码至少需要10个字符", "A password needs at least 10 characters"},
    {"password.is_username", "密码不能与用户名相同", "The password cannot be the user name"},
    {"password.is_phone", "密码不能与手机号相同", "The password cannot be the phone number"},
    {"password.too_common", "该密码过于常见，请换一个", "This password is too common; choose another"},
    {"password.bad_utf8", "密码包含无效字符", "The password contains invalid characters"},
    {"password.too_long", "密码过长", "The password is too long"},
    {"password.hash_failed", "无法计算密码摘要（内存不足）", "Cannot hash the password (out of memory)"},
    {"field.tampered", "加密数据已损坏或不属于此记录", "Encrypted data is damaged or belongs to another record"},
    {"field.unknown_key", "找不到该数据的加密密钥", "The key this value was encrypted with is not available"},
    {"field.too_long", "内容过长", "Too long"},
    {"totp.wrong_code", "动态验证码不正确或已过期", "The authentication code is wrong or has expired"},
    {"totp.init_failed", "动态口令库初始化失败", "The one-time password library failed to start"},
    {"totp.failed", "无法生成动态验证码", "Cannot generate the authentication code"},
    {"crypto.init_failed", "加密库初始化失败", "The cryptography library failed to start"},
    {"config.bad_value", "配置值无效", "Invalid setting value"},
    {"config.unknown_key", "未知的配置项", "Unknown setting"},
    {"config.cannot_open", "无法打开配置文件", "Cannot open the configuration file"},
    {"config.bad_line", "配置文件格式错误（应为 key = value）", "Malformed configuration line (expected key = value)"},
    {"db.bad_url", "数据库地址无效：应为 sqlite:路径 或 postgresql://...", "Invalid database URL: use sqlite:PATH or postgresql://..."},
    {"db.cannot_open", "无法打开数据库", "Cannot open the database"},
    {"db.nested_tx", "内部错误：嵌套事务", "Internal error: nested transaction"},
    {"http.cannot_listen", "无法监听指定地址（端口被占用或无权限）", "Cannot listen on the address (in use or not permitted)"},
};

const char *i18n_text(const char *key, const char *lang)
{
    bool en = lang != NULL && strncmp(lang, "en", 2) == 0;
    for (size_t i = 0; i < sizeof common_msgs / sizeof common_msgs[0]; i++)
        if (strcmp(common_msgs[i].key, key) == 0)
            return en ? common_msgs[i].en : common_msgs[i].zh;
    for (size_t t = 0; t < ntables; t++)
        for (size_t i = 0; i < tables[t].count; i++)
            if (strcmp(tables[t].msgs[i].key, key) == 0)
                return en ? tables[t].msgs[i].en : tables[t].msgs[i].zh;
    return key;
}

void i18n_register(const struct i18n_msg *msgs, size_t count)
{
    if (ntables < MAX_TABLES)
        tables[ntables++] = (struct msg_table){msgs, count};
}
