#ifndef TRIAGE_CCRYPTO_SHIM_H
#define TRIAGE_CCRYPTO_SHIM_H
// OpenSSL's libcrypto from Debian's libssl-dev, for SHA-256 only: it uses the CPU's SHA
// instructions where there are some (librdkafka already links the same library for TLS).
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif
