#ifndef TRIAGE_CRDKAFKA_SHIM_H
#define TRIAGE_CRDKAFKA_SHIM_H
// librdkafka from Debian's librdkafka-dev, including its mock cluster.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
