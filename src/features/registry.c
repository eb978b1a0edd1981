/* registry.c: the one list of features (see registry.h). Adding a feature = one line here. */
#include "features/registry.h"

#include "auth/audit.h"
#include "auth/auth_internal.h"
#include "features/demo/demo.h"
#include "features/member/member.h"
#include "features/member/import/member_import.h"
#include "features/org/org.h"
#include "http/http.h"
#include "jobs/jobs.h"

void features_register_all(void)
{
    http_register();
    jobs_register_routes();
    auth_register();
    org_register();
    member_import_register();   /* before member_register: /members/imports */
    member_register();
    demo_register();
    audit_register();
}
