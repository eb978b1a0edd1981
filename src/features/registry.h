/* registry.h: every feature's routes, messages and job kinds, registered in one place so the
 * server, the CLI and the tests see the same set. Threads: startup only. */
#ifndef DJ_FEATURES_REGISTRY_H
#define DJ_FEATURES_REGISTRY_H

void features_register_all(void);

#endif
