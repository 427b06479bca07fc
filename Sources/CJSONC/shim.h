#ifndef TRIAGE_CJSONC_SHIM_H
#define TRIAGE_CJSONC_SHIM_H
// json-c from Debian's libjson-c-dev (include path from pkg-config).
#include <json.h>
#endif
