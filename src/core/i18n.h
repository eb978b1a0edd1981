/* i18n.h: the message catalogue. Errors carry message KEYS ("org.code_taken"); the edges (HTTP
 * replies, CLI messages) turn them into zh-CN (default) or English text. Features register
 * static tables at startup. Threads: registration at startup only; lookups safe. */
#ifndef DJ_I18N_H
#define DJ_I18N_H
#include <stddef.h>

struct i18n_msg {
    const char *key;
    const char *zh;
    const char *en;
};

void i18n_register(const struct i18n_msg *msgs, size_t count);
/* Text for key in lang ("en..." = English, anything else zh-CN); the key itself if unknown. */
const char *i18n_text(const char *key, const char *lang);

#endif
