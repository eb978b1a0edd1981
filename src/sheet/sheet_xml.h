/* sheet_xml.h: expat set up the one safe way for xlsx parts (sheet_xml.c). A DOCTYPE (and so
 * any entity declaration: billion laughs, external entities) stops the parse with
 * sheet.xml_doctype; names are matched without their namespace prefix, since writers differ
 * ("x:row" and "row" are the same element). Threads: a parser belongs to one thread. */
#ifndef DJ_SHEET_XML_H
#define DJ_SHEET_XML_H
#include <expat.h>
#include <stdbool.h>

struct err;
struct sheet_zip;

/* What a handler reports when it stops the parse (expat's own error is then ignored). */
struct sheet_xml_fail {
    const char *key;                    /* message key, NULL while all is well */
};

/* A parser with the DOCTYPE guard; user data ud, handlers set by the caller. */
XML_Parser sheet_xml_create(void *ud, struct sheet_xml_fail *fail);
/* Stops the parse with message key `key` (first failure wins). */
void sheet_xml_stop(XML_Parser p, struct sheet_xml_fail *fail, const char *key);
/* The element name without its prefix. */
const char *sheet_xml_local(const char *name);
/* The value of attribute `local` (prefix ignored), or NULL. */
const char *sheet_xml_attr(const char **atts, const char *local);
/* Parses zip entry `name` to its end with parser p. 0 ok, -1 with e filled (the handler's key,
 * sheet.xml_doctype, or sheet.corrupt for malformed XML). */
int sheet_xml_parse_entry(struct sheet_zip *z, const char *name, XML_Parser p,
                          struct sheet_xml_fail *fail, struct err *e)
    __attribute__((warn_unused_result));
/* Turns a failed parse into e; returns -1. */
int sheet_xml_error(XML_Parser p, const struct sheet_xml_fail *fail, struct err *e);

#endif
