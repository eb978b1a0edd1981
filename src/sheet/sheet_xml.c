/* sheet_xml.c: safe expat parsers over zip entries (see sheet_xml.h). xlsx parts never need a
 * DOCTYPE, so refusing it outright is simpler and safer than trusting entity limits; expat
 * 2.5's billion-laughs protection stays on as well. */
#include "sheet/sheet_xml.h"

#include <string.h>

#include "core/err.h"
#include "sheet/sheet_internal.h"

#define CHUNK (64 * 1024)

static const char DOCTYPE_KEY[] = "sheet.xml_doctype";

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    XML_StopParser((XML_Parser)ud, XML_FALSE);     /* ud is the parser (UseParserAsHandlerArg) */
}

XML_Parser sheet_xml_create(void *ud, struct sheet_xml_fail *fail)
{
    XML_Parser p = XML_ParserCreate(NULL);
    if (p == NULL)
        return NULL;
    fail->key = NULL;
    XML_SetUserData(p, ud);
    XML_UseParserAsHandlerArg(p);
    XML_SetStartDoctypeDeclHandler(p, on_doctype);
    XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
    return p;
}

void sheet_xml_stop(XML_Parser p, struct sheet_xml_fail *fail, const char *key)
{
    if (fail->key == NULL) {
        fail->key = key;
        XML_StopParser(p, XML_FALSE);
    }
}

const char *sheet_xml_local(const char *name)
{
    const char *c = strrchr(name, ':');
    return c != NULL ? c + 1 : name;
}

const char *sheet_xml_attr(const char **atts, const char *local)
{
    for (; atts[0] != NULL; atts += 2)
        if (strcmp(sheet_xml_local(atts[0]), local) == 0)
            return atts[1];
    return NULL;
}

int sheet_xml_error(XML_Parser p, const struct sheet_xml_fail *fail, struct err *e)
{
    if (fail->key != NULL)
        return err_set(e, ERR_INVALID, fail->key);
    if (XML_GetErrorCode(p) == XML_ERROR_ABORTED)       /* only on_doctype aborts silently */
        return err_set(e, ERR_INVALID, DOCTYPE_KEY);
    err_set(e, ERR_INVALID, "sheet.corrupt");
    err_detail(e, "xml: %s at line %lu", XML_ErrorString(XML_GetErrorCode(p)),
               (unsigned long)XML_GetCurrentLineNumber(p));
    return -1;
}

int sheet_xml_parse_entry(struct sheet_zip *z, const char *name, XML_Parser p,
                          struct sheet_xml_fail *fail, struct err *e)
{
    if (sheet_zip_entry_open(z, name, e) != 0)
        return -1;
    for (;;) {
        void *buf = XML_GetBuffer(p, CHUNK);
        if (buf == NULL) {
            sheet_zip_entry_close(z);
            return err_set(e, ERR_INVALID, "sheet.corrupt");
        }
        long n = sheet_zip_entry_read(z, buf, CHUNK, e);
        if (n < 0) {
            sheet_zip_entry_close(z);
            return -1;
        }
        if (XML_ParseBuffer(p, (int)n, n == 0) != XML_STATUS_OK) {
            sheet_zip_entry_close(z);
            return sheet_xml_error(p, fail, e);
        }
        if (n == 0)
            return 0;
    }
}
